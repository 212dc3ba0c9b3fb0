"""Shared test configuration.

Heavy libraries stay single-threaded: this machine has 2 cores and tests run
in parallel (pytest -n 2); more threads only make them slower.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("RAY_DEDUP_LOGS", "0")

try:  # only when torch is installed (the agents extra)
    import torch

    torch.set_num_threads(1)
except ImportError:
    pass
