"""`# expect: CODE` markers, the convention of the buggy example programs.

A buggy variant marks each line where the verifier must report a failure.
`unproved` lists what the verifier did not prove, moving a failure to a
marker's line when its span covers it (formatters move trailing comments to
the last line of a multi-line expression). Used by the example tests and by
benchmarks/verify.
"""

from __future__ import annotations

import re
from pathlib import Path

from quod.verify.verifier import FileResult, ObResult

MARKER = re.compile(r"#\s*expect:\s*(Q\d{4})")


def expected_markers(path: Path) -> list[tuple[str, int]]:
    """(code, line) of every marker in the file, sorted."""
    out: list[tuple[str, int]] = []
    for i, line in enumerate(path.read_text().splitlines(), start=1):
        out.extend((m.group(1), i) for m in MARKER.finditer(line))
    return sorted(out)


def unproved(
    res: FileResult, markers: list[tuple[str, int]] | None = None
) -> list[tuple[str, int, ObResult]]:
    """(code, line, result) of every real obligation that is not proved (an undecided one as Q0632)."""
    out = []
    for f in res.functions:
        for r in f.results:
            if r.ob.probe or r.status == "proved":
                continue
            code = r.ob.code if r.status == "failed" else "Q0632"
            line = r.ob.span.line
            for mcode, mline in markers or []:
                if mcode == code and r.ob.span.line <= mline <= max(r.ob.span.end_line, r.ob.span.line):
                    line = mline
            out.append((code, line, r))
    return out
