"""Shared test configuration.

Numeric libraries stay single-threaded: this machine has 2 cores and tests
run in parallel (pytest -n 2); more threads only make them slower. Test
packages that use torch also call torch.set_num_threads(1) in their conftest.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
