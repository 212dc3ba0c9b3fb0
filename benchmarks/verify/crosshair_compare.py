"""The buggy variants of examples/verify checked by quod and by CrossHair.

CrossHair (crosshair-tool, `pip install 'quod[verify-bench]'`) looks for
counterexamples by symbolic execution; it reads contracts from docstrings
(PEP 316: `pre:` / `post:`). Each buggy variant is translated mechanically:

    requires(c)   -> docstring `pre: c`
    ensures(c)    -> docstring `post: c` (`result` -> `__return__`)
    invariant(c)  -> `assert c` at the top of the loop body
    decreases(m)  -> dropped (CrossHair does not check termination)
    @pure         -> dropped (the function stays, as plain Python code)
    assert c      -> kept

A file is skipped (and listed as such) when it uses what has no direct
CrossHair counterpart here: forall/exists over unbounded ints, old(),
modifies(), lemmas, ghost code, assume.
A buggy variant counts as found by CrossHair when it reports any failure
(a postcondition, an assertion, an exception) in the function that quod
flags; quod's side is `quod verify` (execution re-check included), run in
this process. CrossHair runs once per file with its default search effort
and, when that finds nothing, once more with `--per_condition_timeout`
(CPU seconds per condition), each under a CPU-time limit. Times are CPU
seconds (the machine may be shared): quod's include the execution re-check.

    python benchmarks/verify/crosshair_compare.py [--cpu 30] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import ast
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from quod.core.errors import QuodError
from quod.verify.verifier import Options, verify_file

ROOT = Path(__file__).resolve().parents[2]
BUGGY = ROOT / "examples" / "verify" / "buggy"
UNSUPPORTED = {"forall", "exists", "old", "modifies", "ghost", "assume", "lemma"}


class Skip(Exception):
    pass


def _src(node: ast.expr) -> str:
    return ast.unparse(node)


def _is_call(stmt: ast.stmt, name: str) -> ast.Call | None:
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        f = stmt.value.func
        if isinstance(f, ast.Name) and f.id == name:
            return stmt.value
    return None


class _Result(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.expr:
        return ast.copy_location(ast.Name("__return__", node.ctx), node) if node.id == "result" else node


class _Loops(ast.NodeTransformer):
    def _loop(self, node: ast.While | ast.For) -> ast.AST:
        self.generic_visit(node)
        body: list[ast.stmt] = []
        for stmt in node.body:
            inv = _is_call(stmt, "invariant")
            if inv is not None:
                body.extend(ast.Assert(a) for a in inv.args)
            elif _is_call(stmt, "decreases") is None:
                body.append(stmt)
        node.body = body or [ast.Pass()]
        return node

    def visit_While(self, node: ast.While) -> ast.AST:
        return self._loop(node)

    def visit_For(self, node: ast.For) -> ast.AST:
        return self._loop(node)


def translate(source: str) -> str:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            node.decorator_list = [
                d for d in node.decorator_list if not (isinstance(d, ast.Name) and d.id == "pure")
            ]
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in UNSUPPORTED:
            raise Skip(f"uses {node.id}")
    body: list[ast.stmt] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "quod.spec":
            continue
        if isinstance(stmt, ast.FunctionDef):
            stmt = _function(stmt)
        body.append(stmt)
    tree.body = body
    return ast.unparse(ast.fix_missing_locations(_Loops().visit(tree))) + "\n"


def _function(fn: ast.FunctionDef) -> ast.FunctionDef:
    lines: list[str] = []
    rest: list[ast.stmt] = []
    for stmt in fn.body:
        req, ens = _is_call(stmt, "requires"), _is_call(stmt, "ensures")
        if req is not None:
            lines.extend(f"pre: {_src(a)}" for a in req.args)
        elif ens is not None:
            lines.extend(f"post: {_src(_Result().visit(a))}" for a in ens.args)
        elif _is_call(stmt, "decreases") is not None:
            continue
        elif (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        ):
            continue  # the old docstring
        else:
            rest.append(stmt)
    doc = ast.Expr(ast.Constant("\n" + "".join(f"    {ln}\n" for ln in lines) + "    "))
    fn.body = [doc, *(rest or [ast.Pass()])]
    return fn


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def crosshair(path: Path, cpu_limit: int, extra: list[str]) -> tuple[str, float, list[str]]:
    """(status, CPU seconds, error lines) of one CrossHair run, stopped after `cpu_limit`
    CPU seconds (a CPU limit, not wall time: the machine may be shared)."""
    exe = shutil.which("crosshair")
    cmd = [exe or "crosshair", "check", "--analysis_kind=PEP316", *extra, path.name]

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, cpu_limit + 5))

    c0 = _children_cpu()
    try:
        p = subprocess.run(
            cmd, cwd=path.parent, capture_output=True, text=True, timeout=20 * cpu_limit, preexec_fn=limit
        )
    except subprocess.TimeoutExpired:
        return f"nothing within {20 * cpu_limit} s wall", _children_cpu() - c0, []
    elapsed = _children_cpu() - c0
    errs = [ln for ln in p.stdout.splitlines() if re.search(r":\d+: error:", ln)]
    if p.returncode < 0 or elapsed >= cpu_limit - 0.5:
        return f"nothing within {cpu_limit} CPU s", elapsed, errs
    if p.returncode not in (0, 1) or (p.returncode == 1 and not errs):
        return f"crashed ({p.returncode}): {(p.stderr or p.stdout).strip()[-160:]}", elapsed, []
    return ("found" if errs else "nothing found"), elapsed, errs


def quod(path: Path) -> tuple[str, float, list[str]]:
    """(status, CPU seconds incl. the execution re-check, failures) of `quod verify`."""
    c0 = time.process_time() + _children_cpu()
    try:
        res = verify_file(path, Options(cache_path=None))
    except QuodError as e:
        return f"rejected {e.diagnostic.code}", time.process_time() + _children_cpu() - c0, []
    elapsed = time.process_time() + _children_cpu() - c0
    fails = [
        f"{r.ob.span.line}:{r.ob.code} ({'confirmed' if r.confirmation.startswith('confirmed') else 'unconfirmed'})"
        for f in res.functions
        for r in f.results
        if not r.ob.probe and r.status != "proved"
    ]
    return ("found" if fails else "verified"), elapsed, fails


def _cell(status: str, found: list[str]) -> str:
    if not found:
        return status
    what = "; ".join(re.sub(r"^.*?:\d+: error: ", "", f)[:60] for f in found[:2])
    return f"{status}: {what}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--cpu", type=int, default=30, help="CPU-second limit of a default CrossHair run; 3x for the second"
    )
    ap.add_argument("--condition-timeout", type=float, default=20.0, help="CrossHair --per_condition_timeout")
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    if shutil.which("crosshair") is None:
        print("crosshair not installed (pip install 'quod[verify-bench]')", file=sys.stderr)
        return 2
    version = subprocess.run(
        [sys.executable, "-c", "import importlib.metadata as m; print(m.version('crosshair-tool'))"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"CrossHair {version}; CPU seconds; limits {args.cpu} and {3 * args.cpu} CPU s per CrossHair run\n")
    print("| buggy variant | quod | quod CPU s | CrossHair default | CPU s | CrossHair more effort | CPU s |")
    print("|---|---|---|---|---|---|---|")
    skipped = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(BUGGY.glob("*.py")):
            if args.only and path.stem not in args.only:
                continue
            try:
                text = translate(path.read_text())
            except Skip as e:
                skipped.append(f"{path.stem} ({e})")
                continue
            target = Path(tmp) / path.stem / f"{path.stem}.py"
            target.parent.mkdir()
            target.write_text(text)
            qs, qt, qf = quod(path)
            d_s, d_t, d_f = crosshair(target, args.cpu, [])
            more = "not run"
            if not d_f:
                flag = f"--per_condition_timeout={args.condition_timeout:g}"
                c_s, c_t, c_f = crosshair(target, 3 * args.cpu, [flag])
                more = f"{_cell(c_s, c_f)} | {c_t:.1f}"
            else:
                more += " | "
            q = f"{qs}: {', '.join(qf)}" if qf else qs
            print(f"| {path.stem} | {q} | {qt:.1f} | {_cell(d_s, d_f)} | {d_t:.1f} | {more} |", flush=True)
    if skipped:
        print(f"\nNot translated: {', '.join(skipped)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
