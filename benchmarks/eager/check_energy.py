"""Re-check the eager engine's energetic refutations independently, with z3 as the oracle.

    python benchmarks/eager/check_energy.py FILE_OR_DIR...

An energetic `unsat` carries no SAT proof. This script takes the engine's
claim (resource, capacity, window, per-operation bounds and durations) and
re-derives each premise from the file as z3 parses it, never from quod's
translation:

1. bounds: the file's top-level atoms alone entail lo_i <= s_i - ref <= hi_i
   (and, for machines, 0 <= m_i - lo_m < M);
2. exclusion: for every two operations i, j of the resource, the top-level
   assertions over them (plus the top-level atoms, for precedence chains)
   rule out "i runs at j's start" - on the same machine, for machine groups;
3. counting, in plain integers: the operations need more than M * (t2 - t1)
   units of work in the window.

At every time point at most M operations then run (M+1 running operations
would put two on one machine), so the window cannot hold the work: the
formula is unsat. Each z3 query is small (one pair at a time).
"""

from __future__ import annotations

import sys
from pathlib import Path

import z3

from quod.eager.analysis import (
    atom_polarity,
    components,
    derive_bounds,
    polarities,
    top_level,
    unit_atom_truths,
)
from quod.eager.problem import Translator
from quod.eager.scheduling import find_scheduling
from quod.smtlib import parse_file


def claim(path: Path) -> tuple[dict[str, object], list[str]] | None:
    """The engine's energetic refutation of the file, if it makes one."""
    tr = Translator()
    for a in parse_file(path).assertions():
        tr.assert_term(a)
    tr.flush_side()
    p = tr.p
    roots = top_level(p)
    apol = atom_polarity(p, polarities(p, roots))
    units = unit_atom_truths(p, roots)
    comps = components(p, sorted(apol))
    for c in comps:
        derive_bounds(p, c, units)
    plan = find_scheduling(p, roots, units, comps, energy=True)
    if plan.overload is None:
        return None
    res, hit = plan.overload
    comp = next(c for c in comps if res.ops[0] in c.lo)
    names = p.int_names
    ops = [names[s] for s in res.ops]
    out: dict[str, object] = {
        "kind": res.kind,
        "capacity": res.capacity,
        "ref": names[comp.ref] if comp.ref >= 0 else None,
        "lo": {names[s]: comp.lo[s] for s in res.ops},
        "hi": {names[s]: comp.hi[s] for s in res.ops},
        "dur": {names[s]: res.dur[s] for s in res.ops},
        "machine": {names[s]: names[m] for s, m in res.machine_of.items()},
        "mdom": None,
        "window": (hit.t1, hit.t2),
    }
    if res.machine_of:
        m0 = next(iter(res.machine_of.values()))
        mc = next(c for c in comps if m0 in c.lo)
        out["mdom"] = (mc.lo[m0], mc.hi[m0], names[mc.ref] if mc.ref >= 0 else None)
    return out, ops


def _conjuncts(fs: list[z3.BoolRef]) -> list[z3.BoolRef]:
    out: list[z3.BoolRef] = []
    stack = list(reversed(fs))
    while stack:
        f = stack.pop()
        if z3.is_and(f):
            stack.extend(reversed(f.children()))
        else:
            out.append(f)
    return out


def _vars(f: z3.ExprRef) -> set[str]:
    out: set[str] = set()
    stack = [f]
    while stack:
        e = stack.pop()
        if z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            out.add(e.decl().name())
        else:
            stack.extend(e.children())
    return out


def check(path: Path) -> str:
    got = claim(path)
    if got is None:
        return "no energetic refutation"
    c, ops = got
    conj = _conjuncts(list(z3.parse_smt2_file(str(path))))
    atoms = [f for f in conj if not z3.is_or(f)]  # top-level atoms (difference constraints)
    opset = set(ops)
    by_pair: dict[tuple[str, str], list[z3.BoolRef]] = {}
    for f in conj:
        if z3.is_or(f):
            vs = sorted(_vars(f) & opset)
            for i, a in enumerate(vs):
                for b in vs[i + 1 :]:
                    by_pair.setdefault((a, b), []).append(f)
    v = {n: z3.Int(n) for n in ops}
    zero = z3.IntVal(0)

    def rel(name: str, ref: object) -> z3.ArithRef:
        return z3.Int(name) - (z3.Int(str(ref)) if ref is not None else zero)

    s = z3.Solver()
    s.set("timeout", 20_000)
    s.add(*atoms)

    def entailed(*negation: z3.BoolRef) -> bool:
        s.push()
        s.add(*negation)
        r = s.check()
        s.pop()
        return r == z3.unsat

    lo, hi, dur = c["lo"], c["hi"], c["dur"]
    assert isinstance(lo, dict) and isinstance(hi, dict) and isinstance(dur, dict)
    for n in ops:  # 1. bounds
        if not entailed(z3.Or(rel(n, c["ref"]) < lo[n], rel(n, c["ref"]) > hi[n])):
            return f"FAILED: bounds of {n} not entailed"
    cap = c["capacity"]
    machine = c["machine"]
    assert isinstance(cap, int) and isinstance(machine, dict)
    if c["kind"] == "machines":
        mlo, mhi, mref = c["mdom"]  # type: ignore[misc]
        if mhi - mlo + 1 != cap:
            return "FAILED: capacity is not the machine domain size"
        for n in ops:
            m = rel(machine[n], mref)
            if not entailed(z3.Or(m < mlo, m > mhi)):
                return f"FAILED: machine bounds of {machine[n]} not entailed"
    elif cap != 1:
        return "FAILED: unary resource with capacity != 1"
    for i, a in enumerate(ops):  # 2. pairwise exclusion
        for b in ops[i + 1 :]:
            local = by_pair.get((min(a, b), max(a, b)), [])
            for x, y in ((a, b), (b, a)):
                clash = [v[x] <= v[y], v[y] < v[x] + dur[x]]
                if c["kind"] == "machines":
                    clash.append(z3.Int(machine[x]) == z3.Int(machine[y]))
                if not entailed(*local, *clash):
                    return f"FAILED: {x} and {y} may overlap"
    t1, t2 = c["window"]  # type: ignore[misc]
    need = 0  # 3. counting
    for n in ops:
        left = min(lo[n] + dur[n], t2) - max(lo[n], t1)
        right = min(hi[n] + dur[n], t2) - max(hi[n], t1)
        need += max(0, min(left, right))
    if need <= cap * (t2 - t1):
        return f"FAILED: window [{t1}, {t2}) needs {need} <= {cap * (t2 - t1)}"
    return f"confirmed: {len(ops)} operations, capacity {cap}, window [{t1}, {t2}) needs {need} > {cap * (t2 - t1)}"


def main(argv: list[str]) -> int:
    bad = 0
    for arg in argv:
        p = Path(arg)
        for f in sorted(p.glob("*.smt2")) if p.is_dir() else [p]:
            verdict = check(f)
            bad += verdict.startswith("FAILED")
            print(f"{f.name}: {verdict}", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
