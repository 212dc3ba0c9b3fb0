"""Disaggregating other quod results: solver runs by benchmark family, agent episodes by task family.

    python examples/fairness/solver_and_agents.py [BENCH_RESULTS.csv]

With a `quod bench` results file (results.csv or results.json) the solver part
uses it; otherwise it makes a small table shaped like one. The same is
available as `quod fairness eval FILE --preset bench|agents`.
"""

from __future__ import annotations

import sys

from quod.apps.fairness.hooks import agent_success_by_task_family, solver_results_by_family
from quod.apps.fairness.records import load_records
from quod.apps.fairness.render import to_text


def demo_bench_rows() -> list[dict[str, object]]:
    rows = []
    for fam, z3_solved, n in (
        ("qf_idl_jobshop", 14, 63),
        ("qf_idl_rvpredict", 3, 8),
        ("qf_lia_fischer", 66, 66),
    ):
        for i in range(n):
            rows.append({"file": f"{fam}/{i}.smt2", "family": fam, "backend": "z3",
                         "status": "sat" if i < z3_solved else "timeout", "time": 1.0 + i % 7})  # fmt: skip
    return rows


def demo_agent_episodes() -> list[dict[str, object]]:
    out = []
    for fam, rate in (("lookup", 0.9), ("arithmetic", 0.6), ("multi-hop", 0.35)):
        for task in range(15):
            for seed in range(3):
                out.append({"task_family": fam, "task_id": f"{fam}-{task}",
                            "success": ((task * 13 + seed * 7) % 20) / 20 < rate})  # fmt: skip
    return out


def main() -> None:
    rows = load_records(sys.argv[1]) if len(sys.argv) > 1 else demo_bench_rows()
    for report in solver_results_by_family(rows, min_n=5).values():
        print(report.title)
        print(to_text(report))
    print(to_text(agent_success_by_task_family(demo_agent_episodes())))


if __name__ == "__main__":
    main()
