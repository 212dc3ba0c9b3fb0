"""Run backends over benchmark files, each job in its own process.

Every (file, backend) job runs `quod solve` (or a native solver binary) in a
subprocess with a hard timeout, so a stuck solver is killed cleanly and one
crash cannot take the run down. Answers are validated against the file's
`:status` and against each other: any disagreement is flagged loudly.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from quod.core.errors import QuodError

_STATUS = re.compile(rb"\(\s*set-info\s+:status\s+(sat|unsat|unknown)\s*\)")
_ANSWER = re.compile(r"^(sat|unsat|unknown)\s*$", re.MULTILINE)

# Backends run through `quod solve --backend NAME`; names ending in "-bin" run the
# solver's own executable on the file (the reference point without quod's front end).
NATIVE: dict[str, Callable[[str, float], list[str]]] = {
    "z3-bin": lambda path, t: ["z3", f"-T:{max(1, int(t + 0.999))}", path],
}


@dataclass
class Record:
    file: str
    family: str
    backend: str
    status: str  # sat | unsat | unknown | timeout | error
    time: float
    expected: str = "unknown"
    note: str = ""
    flags: list[str] = field(default_factory=list)

    @property
    def solved(self) -> bool:
        return self.status in ("sat", "unsat")


def expected_status(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    m = _STATUS.search(head)
    if m is None and path.stat().st_size > (1 << 16):
        m = _STATUS.search(path.read_bytes())
    return m.group(1).decode() if m else "unknown"


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(q for q in p.rglob("*.smt2") if q.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            raise QuodError(f"{p}: no such file or directory", code="Q0002")
    return files


def family_of(path: Path) -> str:
    return path.parent.name or "."


def _command(path: Path, backend: str, timeout: float, extra: Sequence[str]) -> list[str]:
    native = NATIVE.get(backend)
    if native is not None:
        return native(str(path), timeout)
    return [sys.executable, "-m", "quod.cli.main", "solve", str(path), "--backend", backend,
            "--timeout", str(timeout), "--no-model", *extra]  # fmt: skip


def run_one(path: Path, backend: str, timeout: float, extra: Sequence[str] = ()) -> Record:
    expected = expected_status(path)
    cmd = _command(path, backend, timeout, extra)
    if backend in NATIVE and shutil.which(cmd[0]) is None:
        return Record(str(path), family_of(path), backend, "error", 0.0, expected, f"{cmd[0]} not on PATH")
    start = time.perf_counter()
    # grace period: the solver's own timeout should fire first; the hard kill is a backstop
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=timeout + 5.0)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return Record(str(path), family_of(path), backend, "timeout", time.perf_counter() - start, expected)
    elapsed = time.perf_counter() - start
    m = _ANSWER.search(out)
    if m is None:
        note = (err.strip().splitlines() or [f"exit code {proc.returncode}"])[-1][:300]
        return Record(str(path), family_of(path), backend, "error", elapsed, expected, note)
    status = m.group(1)
    if elapsed > timeout:
        # the wall-clock limit is the limit: an answer after it does not count as solved
        note = f"answered {status} after the limit" if status != "unknown" else ""
        return Record(str(path), family_of(path), backend, "timeout", elapsed, expected, note)
    note = err.strip().splitlines()[-1][:300] if err.strip() and status not in ("sat", "unsat") else ""
    return Record(str(path), family_of(path), backend, status, elapsed, expected, note)


def validate(records: list[Record]) -> list[str]:
    """Flag answers that contradict :status or another backend. Returns messages."""
    problems: list[str] = []
    by_file: dict[str, list[Record]] = {}
    for r in records:
        by_file.setdefault(r.file, []).append(r)
        if r.solved and r.expected in ("sat", "unsat") and r.status != r.expected:
            r.flags.append("WRONG")
            problems.append(f"WRONG: {r.backend} says {r.status} on {r.file}, :status is {r.expected}")
    for file, rs in by_file.items():
        answers = {r.status for r in rs if r.solved}
        if len(answers) > 1:
            for r in rs:
                if r.solved:
                    r.flags.append("DISAGREE")
            who = ", ".join(f"{r.backend}={r.status}" for r in rs if r.solved)
            problems.append(f"DISAGREEMENT on {file}: {who}")
    return problems


def run_bench(
    files: Sequence[Path],
    backends: Sequence[str],
    timeout: float,
    jobs: int = 1,
    extra: Sequence[str] = (),
    progress: Callable[[int, int, Record], None] | None = None,
    backend_extra: Mapping[str, Sequence[str]] | None = None,
) -> list[Record]:
    """Run every backend on every file; `backend_extra` adds arguments for one backend only."""
    tasks = [(f, b) for f in files for b in backends]
    records: list[Record] = []
    more = backend_extra or {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(run_one, f, b, timeout, [*extra, *more.get(b, ())]) for f, b in tasks]
        for i, fut in enumerate(as_completed(futures), 1):
            rec = fut.result()
            records.append(rec)
            if progress is not None:
                progress(i, len(tasks), rec)
    records.sort(key=lambda r: (r.file, r.backend))
    return records


def par2(records: Sequence[Record], timeout: float) -> float:
    """Penalized average runtime: unsolved instances count twice the timeout."""
    if not records:
        return 0.0
    return sum(r.time if r.solved else 2 * timeout for r in records) / len(records)


def summary(records: Sequence[Record], timeout: float) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    keys = sorted({(r.family, r.backend) for r in records})
    families = sorted({k[0] for k in keys})
    backends = sorted({k[1] for k in keys})
    for fam in [*families, "ALL"]:
        for b in backends:
            rs = [r for r in records if r.backend == b and (fam == "ALL" or r.family == fam)]
            if not rs:
                continue
            rows.append(
                {
                    "family": fam,
                    "backend": b,
                    "files": len(rs),
                    "solved": sum(r.solved for r in rs),
                    "sat": sum(r.status == "sat" for r in rs),
                    "unsat": sum(r.status == "unsat" for r in rs),
                    "timeout": sum(r.status in ("timeout", "unknown") for r in rs),
                    "error": sum(r.status == "error" for r in rs),
                    "wrong": sum("WRONG" in r.flags for r in rs),
                    "par2": round(par2(rs, timeout), 2),
                }
            )
    return rows


def write_results(records: Sequence[Record], out_dir: Path, timeout: float) -> dict[str, Path]:
    import csv

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"csv": out_dir / "results.csv", "json": out_dir / "results.json"}
    with paths["csv"].open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "family", "backend", "status", "time", "expected", "flags", "note"])
        for r in records:
            w.writerow(
                [
                    r.file,
                    r.family,
                    r.backend,
                    r.status,
                    f"{r.time:.3f}",
                    r.expected,
                    ";".join(r.flags),
                    r.note,
                ]
            )
    doc = {"timeout": timeout, "summary": summary(records, timeout), "records": [asdict(r) for r in records]}
    paths["json"].write_text(json.dumps(doc, indent=1))
    return paths
