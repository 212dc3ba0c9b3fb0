"""Algorithmic bias bounties (Globus-Harris, Kearns, Roth, FAccT 2022) with a verifiable ledger."""

from __future__ import annotations

from .bounty import Bounty, PDLModel, VerifyReport
from .engine import BountyConfig
from .ledger import Ledger
from .models import load_model, validate_config
from .pdl import DecisionList, Node

__all__ = [
    "Bounty",
    "BountyConfig",
    "DecisionList",
    "Ledger",
    "Node",
    "PDLModel",
    "VerifyReport",
    "load_model",
    "validate_config",
]
