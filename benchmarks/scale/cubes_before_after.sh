#!/bin/sh
# Cube-and-conquer vs eager, for two commits, back to back (docs/scale.md, "Cube-and-conquer speedup").
#
#   benchmarks/scale/cubes_before_after.sh OLD_COMMIT NEW_COMMIT [OUT_DIR]
#
# Each commit's src/ is exported with `git archive` and put first on PYTHONPATH (the editable
# install is a plain path entry, so the snapshot wins, in the Ray workers too): the working
# tree may hold other people's unfinished edits to the encoder, which would make the two runs
# measure different CNFs. The load average before and after each run goes to OUT_DIR/*.load.
set -eu
old=$1
new=$2
out=${3:-/tmp/quod-cubes-bench}
bench=${QUOD_BENCH_SMT:-/work/shared/bench/smt}
files="$bench/qf_lia_fischer/FISCHER7-12-fair.smt2 $bench/qf_lia_fischer/FISCHER7-11-fair.smt2
$bench/qf_lia_fischer/FISCHER11-8-fair.smt2 $bench/qf_lia_fischer/FISCHER11-9-fair.smt2
$bench/qf_uflia_hash/hash_uns_03_03.smt2"
mkdir -p "$out"
for commit in "$old" "$new"; do
    snap="$out/snap-$commit"
    rm -rf "$snap" && mkdir -p "$snap"
    git archive "$commit" src | tar -x -C "$snap"
    uptime > "$out/$commit.load"
    # shellcheck disable=SC2086  # the file list is meant to split
    PYTHONPATH="$snap/src" quod bench $files --backends eager,cubes --cubes 3 --workers 2 \
        --timeout 180 --jobs 1 --out "$out/$commit" | tee "$out/$commit.log"
    uptime >> "$out/$commit.load"
done
