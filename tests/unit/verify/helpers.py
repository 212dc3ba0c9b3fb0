"""Helpers for the verifier tests: run the verifier on source text, read expectation markers."""

from __future__ import annotations

import textwrap
from pathlib import Path

from quod.core.errors import QuodError
from quod.verify.markers import expected_markers, unproved
from quod.verify.verifier import FileResult, Options, verify_source

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples" / "verify"


def run(source: str, **opts: object) -> FileResult:
    """Verify a program given as (indented) source text, without execution or cache."""
    options = Options(execute=False, cache_path=None, **opts)  # type: ignore[arg-type]
    return verify_source(textwrap.dedent(source), "prog.py", options)


def failures(res: FileResult, markers: list[tuple[str, int]] | None = None) -> list[tuple[str, int]]:
    """(code, line) of every obligation that is not proved (probes excluded), at marker lines."""
    return sorted((code, line) for code, line, _ in unproved(res, markers))


def warnings(res: FileResult) -> list[tuple[str, int]]:
    return sorted(
        (r.ob.code, r.ob.span.line)
        for f in res.functions
        for r in f.results
        if r.ob.probe and r.status == "vacuous"
    )


def outcome(path: Path, **opts: object) -> list[tuple[str, int]]:
    """Failures of a file, or the static error as a one-element list."""
    options = Options(execute=False, cache_path=None, **opts)  # type: ignore[arg-type]
    try:
        res = verify_source(path.read_text(), str(path), options)
    except QuodError as e:
        span = e.span
        return [(e.diagnostic.code, span.line if span else 0)]
    return failures(res, expected_markers(path))


def static_error(source: str) -> QuodError:
    try:
        run(source)
    except QuodError as e:
        return e
    raise AssertionError("expected the program to be rejected")
