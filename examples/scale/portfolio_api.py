"""Portfolio and cube-and-conquer from Python on a local Ray instance.

Run: python examples/scale/portfolio_api.py
"""

from quod.backends import Sat
from quod.core import And, Distinct, Int
from quod.eager.engine import EagerOptions
from quod.scale.cubes import cube_and_conquer
from quod.scale.portfolio import Config, solve_portfolio

# 7 tasks in 6 slots: unsat (a pigeonhole in integer difference logic)
slots = [Int(f"t{i}") for i in range(7)]
hard = [And(t >= 0, t <= 5) for t in slots] + [Distinct(*slots)]

out = solve_portfolio(hard, configs=[Config("eager"), Config("z3"), Config("cvc5")], workers=2, timeout=60)
print("portfolio:", out.result, "winner:", out.winner)
for run in out.runs:
    print(f"  {run.label:<8} {run.status:<10} {run.seconds:6.2f} s")

cubes = cube_and_conquer(hard, depth=3, options=EagerOptions(symmetry=False), certify=True, workers=2)
print(f"cubes: {cubes.result} from {cubes.cubes} cubes; combined proof of {len(cubes.proof or [])} lines")

easy = hard[:-1] + [Distinct(*slots[:6])]
res = solve_portfolio(easy, configs=[Config("eager"), Config("z3")], workers=2).result
assert isinstance(res, Sat) and res.model_checked
print("sat model:", sorted((t.name, v) for t, v in res.model.consts.items()))
