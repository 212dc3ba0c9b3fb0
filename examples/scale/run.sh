#!/usr/bin/env bash
# Distributed solving on a local Ray instance, and the result store.
set -euo pipefail
cd "$(dirname "$0")/../.."
STORE=$(mktemp -d)/store.sqlite

echo "== portfolio: z3 and cvc5 race on 2 workers"
quod solve examples/smt/scheduling.smt2 --workers 2 --portfolio z3,cvc5 --no-model

echo "== cube-and-conquer with the eager engine (4 cubes)"
quod solve examples/smt/scheduling-too-tight.smt2 --cubes 2 --workers 2

echo "== result store: the second run answers from the store"
quod solve examples/smt/scheduling-too-tight.smt2 --store "$STORE"
quod solve examples/smt/scheduling-too-tight.smt2 --store "$STORE" --backend cvc5
