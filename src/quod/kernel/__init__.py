"""The trusted kernel: small checkers for models and proofs.

Imports only the standard library and `quod.core` (enforced by an
import-linter contract). Everything a verdict depends on is re-checked here.
"""
