"""Solving from Python: build terms, check, read the kernel-checked model.

Run: python examples/smt/solve_api.py
"""

from quod.backends import Limits, Sat, Unsat, get_solver
from quod.core import Distinct, Ints, Or

x, y = Ints("x y")
for backend in ("z3", "cvc5", "eager"):
    s = get_solver(backend, logic="QF_LIA", limits=Limits(timeout=10))
    s.add(x + 1 <= y, Or(x == 0, Distinct(x, y, 3)), y <= 5)
    res = s.check()
    assert isinstance(res, Sat) and res.model_checked
    print(f"{backend}: sat, x={res.model[x]}, y={res.model[y]}")
    s.push()
    s.add(x > y)
    assert isinstance(s.check(), Unsat)
    s.pop()
    res = s.check([x >= 5])
    print(f"{backend}: with x >= 5: {res}", f"core={res.core}" if isinstance(res, Unsat) else "")
