"""Hooks for solver benchmark rows and agent episodes."""

from __future__ import annotations

import pytest

from quod.apps.fairness.errors import FairnessError
from quod.apps.fairness.hooks import agent_success_by_task_family, solver_results_by_family


def _bench_rows() -> list[dict[str, object]]:
    rows = []
    for fam, solved in (("jobshop", 6), ("fischer", 20), ("hash", 19)):
        for i in range(20):
            for backend in ("z3", "cvc5"):
                ok = i < solved if backend == "z3" else i < solved - 2
                status = ("sat" if i % 2 else "unsat") if ok else "timeout"
                rows.append(
                    {"file": f"{fam}{i}.smt2", "family": fam, "backend": backend, "status": status,
                     "time": 1.0 + i, "expected": "sat" if i % 2 else "unsat"}
                )  # fmt: skip
    rows[0]["status"] = "sat"  # a wrong answer: expected unsat
    return rows


def test_solver_results_by_family() -> None:
    reps = solver_results_by_family(_bench_rows(), n_boot=200)
    assert set(reps) == {"cvc5", "z3"}
    z3 = reps["z3"]
    assert z3.group("family=jobshop").value == pytest.approx(6 / 20)
    assert z3.group("family=fischer").value == 1.0
    assert z3.disparity.worst_group == "family=jobshop"
    times = solver_results_by_family(_bench_rows(), metric="time", n_boot=200, min_n=3)
    assert times["z3"].group("family=jobshop").value == pytest.approx(sum(1.0 + i for i in range(6)) / 6)
    wrong = solver_results_by_family(_bench_rows(), metric="wrong", n_boot=200, min_n=3)
    assert wrong["z3"].group("family=jobshop").numerator == 1


def test_solver_rows_need_their_fields() -> None:
    with pytest.raises(FairnessError, match="lacks 'backend'"):
        solver_results_by_family([{"family": "x", "status": "sat"}])


def test_agent_success_clusters_episodes_by_task() -> None:
    recs = []
    for fam, p in (("search", 0.8), ("math", 0.4)):
        for t in range(12):
            for seed in range(4):
                recs.append(
                    {"task_family": fam, "task_id": f"{fam}-{t}", "success": (t * 7 + seed) % 10 < p * 10}
                )
    rep = agent_success_by_task_family(recs, n_boot=300)
    assert rep.cluster_by == "task_id"
    assert rep.group("task_family=math").clusters == 12
    assert rep.group("task_family=math").ci_method == "cluster-bootstrap"
    assert rep.disparity.worst_group == "task_family=math"
