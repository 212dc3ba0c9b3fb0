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


_TAG = "$dataclass"  # not a Python identifier, so never a field name


def encode(v: Any) -> Any:
    """`v` with every `DataValue` replaced by a tagged dict (a plain literal)."""
    if isinstance(v, DataValue):
        return {_TAG: v.cls, **{k: encode(x) for k, x in v.fields}}
    if isinstance(v, tuple):
        return tuple(encode(x) for x in v)
    if isinstance(v, list):
        return [encode(x) for x in v]
    return v


def decode(v: Any, module: dict[str, Any] | None = None) -> Any:
    """The inverse of `encode`: instances of the module's classes, or `DataValue`s
    without a module."""
    if isinstance(v, dict):
        fields = {k: decode(x, module) for k, x in v.items() if k != _TAG}
        if module is None:
            return DataValue(v[_TAG], tuple(fields.items()))
        return module[v[_TAG]](**fields)
    if isinstance(v, tuple):
        return tuple(decode(x, module) for x in v)
    if isinstance(v, list):
        return [decode(x, module) for x in v]
    return v


@dataclass
class Confirmation:
    confirmed: bool
    text: str


def confirm(
    file: str, function: str, args: list[Any], ob: Obligation, time_limit: float = TIME_LIMIT
) -> Confirmation:
    """Run `function(*args)` from `file` with runtime checks and compare with `ob`."""
    try:
        literal = repr(encode(tuple(args)))
        ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return Confirmation(False, "not executed: the counterexample is not a plain Python value")
    request = json.dumps({"file": os.path.abspath(file), "function": function, "args": literal})
    env = dict(os.environ)
    src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "quod.verify.execute"],
            input=request,
            capture_output=True,
            text=True,
            timeout=time_limit,
            env=env,
        )
    except subprocess.TimeoutExpired:
        if ob.code in ("Q0617", "Q0618"):
            return Confirmation(True, f"confirmed by execution: it did not finish within {time_limit:g} s")
        return Confirmation(False, f"not confirmed: execution did not finish within {time_limit:g} s")
    try:
        outcome = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return Confirmation(False, f"not confirmed: the execution crashed ({proc.stderr.strip()[-200:]})")
    return judge(outcome, ob)


def judge(outcome: dict[str, Any], ob: Obligation) -> Confirmation:
    kind = outcome.get("outcome")
    lines: list[int] = outcome.get("lines", [])
    expected_kind, details = _EXPECTED.get(ob.code, ("?", ()))
    desc = describe(outcome)
    if kind == "error":
        return Confirmation(False, f"not executed: {outcome.get('message', '')}")
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
    return str(outcome.get("message", kind))


# --- the child ------------------------------------------------------------------------


def _child() -> int:
    import io

    from quod.spec import ContractViolation
    from quod.verify.runtime import instrument_source

    req = json.loads(sys.stdin.read())
    path = req["file"]
    real_stdout = sys.stdout
    sys.stdout = io.StringIO()  # the program's own output is not ours to print
    try:
        with open(path, encoding="utf-8") as f:
            code = instrument_source(f.read(), path)
        sys.path.insert(0, os.path.dirname(path))
        import types

        # a registered module: dataclasses looks up a class's module in sys.modules
        mod = types.ModuleType("__quod_target__")
        mod.__file__ = path
        sys.modules[mod.__name__] = mod
        module: dict[str, Any] = mod.__dict__
        exec(code, module)
        fn = module[req["function"]]
        args = decode(ast.literal_eval(req["args"]), module)
    except Exception as e:  # the module itself failed to load
        sys.stdout = real_stdout
        print(
            json.dumps({"outcome": "error", "message": f"loading the module failed: {type(e).__name__}: {e}"})
        )
        return 0
    try:
        value = fn(*args)
        out: dict[str, Any] = {"outcome": "returned", "value": repr(value)[:200], "none": value is None}
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
    sys.stdout = real_stdout
    print(json.dumps(out))
    return 0


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
