"""Benchmarking: run backends over files, validate answers, tables and cactus plots."""
