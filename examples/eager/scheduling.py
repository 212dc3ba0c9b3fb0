"""Schedule three jobs on two identical machines with quod's eager engine.

    python examples/eager/scheduling.py

Each job has two operations; operation k of job j starts at s[j][k] and picks a
machine m[j][k] in {0, 1}. Two operations on the same machine must not
overlap. We ask for a schedule with makespan <= 7, then show that 5 is
impossible (unsat, with a DRAT proof checked by quod's kernel).
"""

from quod.core.builder import And, Int, Or
from quod.eager import EagerOptions, solve
from quod.kernel.drat import check_drat

durations = [[3, 2], [2, 3], [2, 2]]
ref = Int("ref")
s = [[Int(f"s{j}_{k}") for k in range(2)] for j in range(3)]
m = [[Int(f"m{j}_{k}") for k in range(2)] for j in range(3)]


def schedule(makespan: int) -> list:
    fs = []
    for j, (d0, d1) in enumerate(durations):
        fs += [s[j][0] - ref >= 0, s[j][1] - s[j][0] >= d0, s[j][1] - ref <= makespan - d1]
        fs += [And(m[j][k] - ref >= 0, m[j][k] - ref <= 1) for k in range(2)]
    ops = [(j, k) for j in range(3) for k in range(2)]
    for a, (j1, k1) in enumerate(ops):
        for j2, k2 in ops[a + 1 :]:
            if j1 == j2:
                continue
            d1, d2 = durations[j1][k1], durations[j2][k2]
            fs.append(Or(m[j1][k1] != m[j2][k2], s[j2][k2] - s[j1][k1] >= d1, s[j1][k1] - s[j2][k2] >= d2))
    return fs


result = solve(schedule(7), timeout=30)
print("makespan <= 7:", result.status, "| encoding:", result.stats["encoding"], result.stats["domains"])
model = result.model
base = model[ref]
for j in range(3):
    print(
        f"  job {j}: "
        + ", ".join(f"op{k} on M{model[m[j][k]] - base} at t={model[s[j][k]] - base}" for k in range(2))
    )

unsat = solve(schedule(5), EagerOptions(proof=True), timeout=30)
print("makespan <= 5:", unsat.status)
verdict, _ = check_drat(unsat.cnf.clauses, unsat.proof.data())
print(
    "  DRAT proof of the CNF checked by the kernel:", verdict, "| CNF sha256:", unsat.cnf_sha256[:16], "..."
)
