"""Re-execution of counterexamples: does the real function fail on these inputs?

The verifier's counterexample gives values for the function's inputs. This
module runs the actual Python function on them in a child process (with a
time limit), with all contracts checked at run time, and compares what
happens with the failure the verifier predicted: same kind of failure at the
same line means "confirmed by execution". A counterexample that runs
cleanly is reported as not confirmed: it may pass through a state that the
verifier over-approximates (a loop invariant that is too weak, a callee's
contract that says less than its code does).

Run as `python -m quod.verify.execute` it is the child: it reads a JSON
request on stdin and prints a JSON outcome.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import traceback
from dataclasses import dataclass
from typing import Any

from quod.core.errors import Span
from quod.verify.ivl import Obligation

TIME_LIMIT = 5.0

# obligation code -> (outcome kind, detail) that confirms it
_EXPECTED: dict[str, tuple[str, tuple[str, ...]]] = {
    "Q0610": ("exception", ("AssertionError",)),
    "Q0611": ("violation", ("invariant-entry",)),
    "Q0612": ("violation", ("invariant-preserved",)),
    "Q0613": ("violation", ("postcondition",)),
    "Q0614": ("violation", ("precondition",)),
    "Q0615": ("exception", ("IndexError",)),
    "Q0616": ("exception", ("ZeroDivisionError",)),
    "Q0617": ("violation", ("decreases",)),
    "Q0618": ("violation", ("decreases",)),
    "Q0619": ("exception", ("UnboundLocalError", "NameError")),
    "Q0620": ("exception", ()),
    "Q0621": ("exception", ("IndexError",)),
    "Q0622": ("returned-none", ()),
}


@dataclass(frozen=True)
class DataValue:
    """A dataclass instance in a counterexample. The class itself lives in the
    verified program, which only the execution child loads; the child rebuilds
    a real instance (see `encode` and `decode`)."""

    cls: str
    fields: tuple[tuple[str, Any], ...]

    def __repr__(self) -> str:
        return f"{self.cls}({', '.join(f'{k}={v!r}' for k, v in self.fields)})"


DATACLASS_TAG = "$dataclass"  # not a Python identifier, so never a field name


def encode(v: Any) -> Any:
    """`v` with every `DataValue` replaced by a tagged dict (a plain literal)."""
    if isinstance(v, DataValue):
        return {DATACLASS_TAG: v.cls, **{k: encode(x) for k, x in v.fields}}
    if isinstance(v, tuple):
        return tuple(encode(x) for x in v)
    if isinstance(v, list):
        return [encode(x) for x in v]
    return v


def decode(v: Any, module: dict[str, Any] | None = None) -> Any:
    """The inverse of `encode`: instances of the module's classes, or `DataValue`s
    without a module."""
    if isinstance(v, dict):
        fields = {k: decode(x, module) for k, x in v.items() if k != DATACLASS_TAG}
        if module is None:
            return DataValue(v[DATACLASS_TAG], tuple(fields.items()))
        return module[v[DATACLASS_TAG]](**fields)
    if isinstance(v, tuple):
        return tuple(decode(x, module) for x in v)
    if isinstance(v, list):
        return [decode(x, module) for x in v]
    return v


@dataclass
class Confirmation:
    confirmed: bool
    text: str
    executed: bool = True  # False when the function could not be run at all


def confirm(
    file: str, function: str, args: list[Any], ob: Obligation, time_limit: float = TIME_LIMIT
) -> Confirmation:
    """Run `function(*args)` from `file` with runtime checks and compare with `ob`."""
    try:
        literal = repr(encode(tuple(args)))
        ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return Confirmation(False, "not executed: the counterexample is not a plain Python value", False)
    outcome = _child_run({"file": os.path.abspath(file), "function": function, "args": literal}, time_limit)
    if outcome is None:
        if ob.code in ("Q0617", "Q0618"):
            return Confirmation(True, f"confirmed by execution: it did not finish within {time_limit:g} s")
        return Confirmation(False, f"not confirmed: execution did not finish within {time_limit:g} s")
    return judge(outcome, ob)


@dataclass
class Search:
    """What the input search found: the first input that fails as predicted, if any."""

    tried: int
    valid: int  # inputs that met the precondition
    args: tuple[Any, ...] | None = None
    first_at: int = 0  # how many inputs it took to meet the failure first
    confirmation: Confirmation | None = None
    others: tuple[str, ...] = ()  # other failures seen, described
    error: str = ""


def search(
    file: str,
    function: str,
    types: list[dict[str, Any]],
    hints: list[Any],
    ob: Obligation,
    seconds: float = 2.0,
    tries: int = 5000,
    per_input: float = 0.25,
) -> Search:
    """Look for real inputs on which `function` fails as `ob` predicts.

    Used when the solver's counterexample runs cleanly: the failure may still
    be real for other inputs. Inputs that violate the function's own
    precondition do not count. Deterministic for given arguments.
    """
    try:
        literal = repr(encode(tuple(hints)))
        ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        literal = "()"
    spec = {"types": types, "hints": literal, "seconds": seconds, "tries": tries, "per_input": per_input}
    req = {"file": os.path.abspath(file), "function": function, "search": spec}
    outcome = _child_run(req, seconds + 10.0)
    if outcome is None or outcome.get("outcome") != "search":
        why = "it did not finish" if outcome is None else str(outcome.get("message", outcome))
        return Search(0, 0, error=f"the input search failed: {why}")
    others = []
    for rec in outcome["found"]:
        c = judge(rec["outcome"], ob)
        if c.confirmed:
            args = decode(ast.literal_eval(rec["args"]))
            return Search(outcome["tried"], outcome["valid"], tuple(args), rec["tried"], c)
        others.append(describe(rec["outcome"]))
    return Search(outcome["tried"], outcome["valid"], others=tuple(others))


def _child_run(request: dict[str, Any], time_limit: float) -> dict[str, Any] | None:
    """The child's JSON outcome; None when it ran out of time."""
    env = dict(os.environ)
    src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    try:
        proc = subprocess.run(
            # not `-m quod.verify.execute`: the package imports this module first and runpy warns
            [sys.executable, "-c", "import sys, quod.verify.execute as e; sys.exit(e._child())"],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=time_limit,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return None
    try:
        out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
        return out
    except (IndexError, json.JSONDecodeError):
        return {"outcome": "error", "message": f"the execution crashed ({proc.stderr.strip()[-200:]})"}


def judge(outcome: dict[str, Any], ob: Obligation) -> Confirmation:
    kind = outcome.get("outcome")
    lines: list[int] = outcome.get("lines", [])
    expected_kind, details = _EXPECTED.get(ob.code, ("?", ()))
    desc = describe(outcome)
    if kind == "error":
        return Confirmation(False, f"not executed: {outcome.get('message', '')}", False)
    if kind == "timeout":
        if ob.code in ("Q0617", "Q0618"):
            return Confirmation(True, f"confirmed by execution: {desc}")
        return Confirmation(False, f"not confirmed: {desc}")
    if kind == "returned":
        if expected_kind == "returned-none" and outcome.get("none"):
            return Confirmation(True, "confirmed by execution: the function returned None")
        return Confirmation(
            False,
            "not confirmed by execution: the function returned normally "
            "(the failing state may be unreachable from these inputs; e.g. a loop invariant is too weak)",
        )
    at_line = _at(ob, lines, callers=ob.code == "Q0614")
    if kind == "violation" and ob.code in ("Q0617", "Q0618"):
        # a recursive call's measure is checked at run time where the clause is
        at_line = at_line or any(_covers(span, lines[-1:]) for span, _ in ob.related)
    detail = outcome.get("type") if kind == "exception" else outcome.get("kind")
    if kind == expected_kind and (not details or detail in details) and at_line:
        return Confirmation(True, f"confirmed by execution: {desc}")
    if ob.code == "Q0617" and kind == "exception" and detail == "RecursionError":
        return Confirmation(True, "confirmed by execution: the recursion does not end (RecursionError)")
    return Confirmation(False, f"not confirmed: execution failed differently: {desc}")


def _covers(span: Span, lines: list[int]) -> bool:
    return any(span.line <= ln <= max(span.line, span.end_line) for ln in lines)


def _at(ob: Obligation, lines: list[int], callers: bool) -> bool:
    lo, hi = ob.span.line, max(ob.span.line, ob.span.end_line)
    candidates = lines[:-1] if callers else lines[-1:]
    return any(lo <= ln <= hi for ln in candidates)


def describe(outcome: dict[str, Any]) -> str:
    kind = outcome.get("outcome")
    lines = outcome.get("lines") or [0]
    if kind == "violation":
        from quod.verify.runtime import describe_kind

        return f"{describe_kind(str(outcome.get('kind', '')))} at line {outcome.get('line')}"
    if kind == "exception":
        msg = outcome.get("message", "")
        return f"{outcome.get('type')} at line {lines[-1]}" + (f" ({msg})" if msg else "")
    if kind == "returned":
        return f"returned {outcome.get('value')}"
    if kind == "timeout":
        return f"it did not finish within {outcome.get('seconds'):g} s"
    return str(outcome.get("message", kind))


# --- the child ------------------------------------------------------------------------


class _Timeout(BaseException):
    """Raised by the per-input timer; a BaseException so the program's own `except Exception` lets it pass."""


def _child() -> int:
    import io

    from quod.verify.runtime import instrument_source

    req = json.loads(sys.stdin.read())
    path = req["file"]
    real_stdout = sys.stdout
    sys.stdout = io.StringIO()  # the program's own output is not ours to print
    try:
        with open(path, encoding="utf-8") as f:
            source = f.read()
        code = instrument_source(source, path)
        sys.path.insert(0, os.path.dirname(path))
        import types

        # a registered module: dataclasses looks up a class's module in sys.modules
        mod = types.ModuleType("__quod_target__")
        mod.__file__ = path
        sys.modules[mod.__name__] = mod
        module: dict[str, Any] = mod.__dict__
        exec(code, module)
        fn = module[req["function"]]
        if "search" not in req:
            args = decode(ast.literal_eval(req["args"]), module)
    except Exception as e:  # the module itself failed to load
        sys.stdout = real_stdout
        print(
            json.dumps({"outcome": "error", "message": f"loading the module failed: {type(e).__name__}: {e}"})
        )
        return 0
    if "search" in req:
        out = _search(req, fn, module, path, _entry_lines(source, req["function"]))
    else:
        out = _run(fn, args, path, None)
    sys.stdout = real_stdout
    print(json.dumps(out))
    return 0


def _run(fn: Any, args: Any, path: str, time_limit: float | None) -> dict[str, Any]:
    """One call of the instrumented function, as an outcome record."""
    import signal

    from quod.spec import ContractViolation

    def alarm(signum: int, frame: Any) -> None:
        raise _Timeout

    if time_limit is not None:
        signal.signal(signal.SIGALRM, alarm)
        signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        value = fn(*args)
        out: dict[str, Any] = {"outcome": "returned", "value": repr(value)[:200], "none": value is None}
    except _Timeout:
        out = {"outcome": "timeout", "seconds": time_limit}
    except ContractViolation as e:
        out = {"outcome": "violation", "kind": e.kind, "line": e.line, "lines": _lines(e, path)}
    except RecursionError:
        out = {"outcome": "exception", "type": "RecursionError", "message": "", "lines": []}
    except Exception as e:
        out = {
            "outcome": "exception",
            "type": type(e).__name__,
            "message": str(e)[:200],
            "lines": _lines(e, path),
        }
    finally:
        if time_limit is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return out


def _entry_lines(source: str, function: str) -> set[int]:
    """The `def` line and the lines of the function's own `requires` clauses: a
    precondition failure whose frames are all here rejects the input itself."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == function:
            lines = {node.lineno}
            for st in node.body:
                call = st.value if isinstance(st, ast.Expr) else None
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id == "requires"
                ):
                    lines.update(range(st.lineno, (st.end_lineno or st.lineno) + 1))
            return lines
    return set()


def _search(
    req: dict[str, Any], fn: Any, module: dict[str, Any], path: str, entry: set[int]
) -> dict[str, Any]:
    """Random inputs until the budget is spent; the shortest input of each distinct failure is kept."""
    import random
    import time

    from quod.verify.inputs import InputGen

    spec = req["search"]
    gen = InputGen(random.Random(spec.get("seed", 0)), ast.literal_eval(spec.get("hints", "()")))
    deadline = time.monotonic() + float(spec["seconds"])
    found: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    tried = valid = draws = 0
    while time.monotonic() < deadline and tried < int(spec["tries"]) and draws < 20 * int(spec["tries"]):
        draws += 1
        raw = tuple(gen.value(t) for t in spec["types"])
        literal = repr(raw)
        if literal in seen:
            continue  # small input spaces repeat; each input runs once
        seen.add(literal)
        tried += 1
        try:
            args = decode(raw, module)
        except Exception:
            continue  # the dataclass refused these field values
        out = _run(fn, args, path, float(spec["per_input"]))
        if out["outcome"] == "violation" and out["kind"] == "precondition" and set(out["lines"]) <= entry:
            continue
        valid += 1
        if out["outcome"] == "returned" and not out["none"]:
            continue
        key = json.dumps([out.get(k) for k in ("outcome", "kind", "type", "line", "lines", "none")])
        old = found.get(key)
        if old is None:
            if len(found) < 20:
                found[key] = {"args": literal, "outcome": out, "tried": tried}
        elif (len(literal), literal) < (len(old["args"]), old["args"]):
            # the shortest failing input of each kind is the one a person can follow
            found[key] = {**old, "args": literal, "outcome": out}
    return {"outcome": "search", "tried": tried, "valid": valid, "found": list(found.values())}


def _lines(e: BaseException, path: str) -> list[int]:
    """Line numbers of the frames in the program's file, outermost first."""
    out = []
    for fs in traceback.extract_tb(e.__traceback__):
        if os.path.abspath(fs.filename) == path and fs.lineno is not None:
            out.append(fs.lineno)
    line = getattr(e, "line", 0)
    if isinstance(line, int) and line and (not out or out[-1] != line):
        out.append(line)
    return out


if __name__ == "__main__":
    raise SystemExit(_child())
