"""Check SAT solver proofs with the kernel: DRAT (backward, emitting LRAT) and LRAT.

    python examples/certify/check_proofs.py

Same as the command line, for proof files:
    quod check formula.cnf proof.drat --emit-lrat proof.lrat
    quod check formula.cnf proof.lrat
"""

from __future__ import annotations

import time

from pysat.examples.genhard import PHP
from pysat.solvers import Solver

from quod.kernel.drat import check_drat
from quod.kernel.lrat import check_lrat
from quod.sat.proofs.cadical_lrat import solve_lrat
from quod.sat.proofs.lrat_tools import normalize_lrat


def main() -> None:
    formula = PHP(6).clauses  # 7 pigeons, 6 holes
    for solver in ("glucose4", "cadical195"):
        with Solver(name=solver, bootstrap_with=formula, with_proof=True) as s:
            assert s.solve() is False
            drat = s.get_proof()
        t = time.perf_counter()
        verdict, lrat = check_drat(formula, drat, emit_lrat=True)
        print(
            f"{solver}: {len(drat)} DRAT lines -> {verdict} in {time.perf_counter() - t:.2f}s, {verdict.stats}"
        )
        assert lrat is not None
        print(f"  its LRAT ({len(lrat)} lines) -> {check_lrat(formula, lrat)}")

    res = solve_lrat(formula)  # LRAT straight from CaDiCaL 1.9.5
    assert res.proof is not None
    proof = normalize_lrat(len(formula), res.proof)
    t = time.perf_counter()
    print(
        f"CaDiCaL LRAT, renumbered and trimmed -> {check_lrat(formula, proof)} in {time.perf_counter() - t:.2f}s"
    )

    # Cut the proof in half and claim the empty clause: the kernel finds it does not follow.
    broken = [*drat[: len(drat) // 2], "0"]
    print(f"first half of the DRAT proof + empty clause -> {check_drat(formula, broken)[0]}")


if __name__ == "__main__":
    main()
