#!/usr/bin/env bash
# Generate the classic ft06 job-shop decision problems and solve them with the eager backend.
# Run from the repository root (the instances are read from ../shared/bench/jsp).
set -euo pipefail
out=$(mktemp -d)
quod bench gen-jsp "$out" --names ft06
quod solve "$out/ft06-opt.smt2" --backend eager --no-model                 # sat   (makespan <= 55)
quod solve "$out/ft06-opt-1.smt2" --backend eager --option sat=kissat404    # unsat (makespan <= 54)
quod solve "$out/ft06-opt-1.smt2" --backend eager --option encoding=bits    # the Seshia-style bit-blasting
