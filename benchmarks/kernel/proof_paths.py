"""Which way to get a kernel-checkable proof is cheapest? Measured on CNFs from the eager encoder.

    python benchmarks/kernel/proof_paths.py [--files FAMILY/FILE.smt2 ...] [--out benchmarks/kernel/results]

For each unsat CNF (pigeonhole formulas, and the eager encoding of unsat public QF_LIA and
QF_UFLIA benchmarks) it measures, in one process:
  A. CaDiCaL 1.9.5 (PySAT) writing DRAT; the kernel's backward DRAT checker (pure Python),
     which also emits LRAT;
  B. CaDiCaL 1.9.5 (PySAT internals) writing LRAT directly; renumber + trim (untrusted);
     the kernel's LRAT checker.
Times are CPU seconds of this process (everything runs in it), so other jobs on the machine
do not inflate them. Writes OUT/proof_paths.md (a table) and prints it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path("/work/shared/bench/smt")


DEFAULT_FILES = (
    "qf_lia_fischer/FISCHER1-6-fair.smt2",
    "qf_lia_fischer/FISCHER3-7-fair.smt2",
    "qf_lia_fischer/FISCHER5-6-fair.smt2",
    "qf_lia_fischer/FISCHER7-6-fair.smt2",
    "qf_lia_fischer/FISCHER9-6-fair.smt2",
    "qf_lia_fischer/FISCHER11-5-fair.smt2",
    "qf_uflia_hash/hash_uns_03_19.smt2",
    "qf_uflia_hash/hash_uns_05_19.smt2",
)


def _cnfs(files: list[str]) -> list[tuple[str, list[list[int]]]]:
    from pysat.examples.genhard import PHP

    from quod.eager.engine import EagerOptions, encode
    from quod.smtlib import parse_file

    out: list[tuple[str, list[list[int]]]] = [(f"php{n}", PHP(n).clauses) for n in (6, 7, 8)]
    for rel in files:
        script = parse_file(BENCH / rel)
        out.append((Path(rel).name, encode(script.assertions(), EagerOptions()).cnf.clauses))
    return out


def measure(name: str, clauses: list[list[int]], drat_limit: int) -> dict[str, Any]:
    from pysat.solvers import Solver

    from quod.kernel.drat import check_drat
    from quod.kernel.lrat import check_lrat
    from quod.sat.proofs.cadical_lrat import solve_lrat
    from quod.sat.proofs.lrat_tools import normalize_lrat

    row: dict[str, Any] = {"name": name, "clauses": len(clauses)}
    t = time.process_time()
    with Solver(name="cadical195", bootstrap_with=clauses, with_proof=True) as s:
        assert s.solve() is False
        drat = s.get_proof()
    row["drat_solve"] = time.process_time() - t
    row["drat_lines"] = len(drat)
    if len(drat) <= drat_limit:
        t = time.process_time()
        verdict, _ = check_drat(clauses, drat, emit_lrat=True)
        row["drat_check"] = time.process_time() - t
        assert verdict.verified, verdict.reason
    t = time.process_time()
    res = solve_lrat(clauses)
    row["lrat_solve"] = time.process_time() - t
    t = time.process_time()
    assert res.proof is not None
    proof = normalize_lrat(len(clauses), res.proof)
    row["trim"] = time.process_time() - t
    t = time.process_time()
    verdict = check_lrat(clauses, proof)
    row["lrat_check"] = time.process_time() - t
    assert verdict.verified, verdict.reason
    row["lrat_lemmas"] = verdict.stats["lemmas"]
    return row


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| CNF | clauses | A: solve+DRAT | A: kernel DRAT check | B: solve+LRAT | B: renumber+trim | "
            "B: kernel LRAT check | lemmas kept |\n|---|---|---|---|---|---|---|---|\n")  # fmt: skip
    body = "".join(
        f"| {r['name']} | {r['clauses']} | {r['drat_solve']:.2f} | "
        + (f"{r['drat_check']:.2f}" if "drat_check" in r else f"(skipped: {r['drat_lines']} lines)")
        + f" | {r['lrat_solve']:.2f} | {r['trim']:.2f} | {r['lrat_check']:.2f} | {r['lrat_lemmas']} |\n"
        for r in rows
    )
    return head + body


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", nargs="*", default=list(DEFAULT_FILES), help="unsat files under bench/smt")
    ap.add_argument("--drat-limit", type=int, default=200_000, help="skip the Python DRAT check above this")
    ap.add_argument("--out", default="benchmarks/kernel/results")
    args = ap.parse_args()
    rows = []
    for name, clauses in _cnfs(args.files):
        print(f"{name}: {len(clauses)} clauses", file=sys.stderr, flush=True)
        rows.append(measure(name, clauses, args.drat_limit))
    text = table(rows)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "proof_paths.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
