"""Untrusted proof tooling: producing, converting and trimming clausal proofs.

Nothing here is trusted: whatever it produces is checked by `quod.kernel`.
"""
