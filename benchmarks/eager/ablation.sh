#!/usr/bin/env bash
# Ablation of the eager engine's ingredients on the 22 smallest job-shop files (60 s each).
# usage: benchmarks/eager/ablation.sh OUT_DIR [JOBS]
set -euo pipefail
out=${1:?usage: ablation.sh OUT_DIR [JOBS]}
jobs=${2:-3}
files=$(mktemp -d)
for f in $(ls -S -r ../shared/bench/smt/qf_idl_jobshop/*.smt2 | head -22); do ln -s "$(realpath "$f")" "$files/"; done
run() {  # name, then extra eager options
  local name=$1; shift
  local args=()
  for o in "$@"; do args+=(--solve-arg=--option "--solve-arg=$o"); done
  quod bench "$files" --backends eager --timeout 60 --jobs "$jobs" --out "$out/$name" --title "eager $name" "${args[@]}" \
    > "$out/$name.txt" 2> "$out/$name.log" || true
}
mkdir -p "$out"
run default
run no-symmetry symmetry=0
run no-capacity capacity=0
run neither symmetry=0 capacity=0
run bits encoding=bits
run kissat sat=kissat404
grep -h "eager" "$out"/*/summary* 2>/dev/null || tail -n 4 "$out"/*.txt
