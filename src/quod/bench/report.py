"""Cactus plots and a small self-contained HTML report for benchmark runs."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path

from quod.bench.runner import Record, summary


def cactus_png(records: Sequence[Record], path: Path, title: str = "") -> Path:
    """Solved instances (x) against the time needed to solve them (y), one line per backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    for backend in sorted({r.backend for r in records}):
        times = sorted(r.time for r in records if r.backend == backend and r.solved)
        xs = list(range(1, len(times) + 1))
        ax.step(xs, times, where="post", marker="o", markersize=3, label=f"{backend} ({len(times)})")
    ax.set_xlabel("instances solved")
    ax.set_ylabel("time per instance (s)")
    ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(title or "cactus plot")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def html_report(
    records: Sequence[Record], png: Path, path: Path, timeout: float, problems: Sequence[str]
) -> Path:
    rows = summary(records, timeout)
    img = base64.b64encode(png.read_bytes()).decode()
    out = io.StringIO()
    out.write("<!doctype html><meta charset='utf-8'><title>quod bench</title>")
    out.write("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
              "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}.bad{color:#b00;font-weight:bold}</style>")  # fmt: skip
    out.write(f"<h1>quod bench</h1><p>timeout {timeout:g} s; PAR-2 counts unsolved files as 2 x timeout.</p>")
    if problems:
        out.write("<h2 class='bad'>Problems</h2><ul>")
        for p in problems:
            out.write(f"<li class='bad'>{html.escape(p)}</li>")
        out.write("</ul>")
    out.write("<h2>Summary</h2><table><tr>")
    cols = ["family", "backend", "files", "solved", "sat", "unsat", "timeout", "error", "wrong", "par2"]
    out.write("".join(f"<th>{c}</th>" for c in cols) + "</tr>")
    for row in rows:
        out.write("<tr>" + "".join(f"<td>{html.escape(str(row[c]))}</td>" for c in cols) + "</tr>")
    out.write(f"</table><h2>Cactus plot</h2><img src='data:image/png;base64,{img}'>")
    out.write("<h2>All runs</h2><table><tr><th>file</th><th>backend</th><th>status</th><th>time</th>"
              "<th>expected</th><th>flags</th><th>note</th></tr>")  # fmt: skip
    for r in records:
        cls = " class='bad'" if r.flags else ""
        out.write(
            f"<tr{cls}><td>{html.escape(Path(r.file).name)}</td><td>{r.backend}</td><td>{r.status}</td>"
            f"<td>{r.time:.2f}</td><td>{r.expected}</td><td>{' '.join(r.flags)}</td>"
            f"<td>{html.escape(r.note)}</td></tr>"
        )
    out.write("</table>")
    path.write_text(out.getvalue())
    return path


def text_table(records: Sequence[Record], timeout: float) -> str:
    rows = summary(records, timeout)
    cols = ["family", "backend", "files", "solved", "sat", "unsat", "timeout", "error", "wrong", "par2"]
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) if rows else len(c) for c in cols}
    lines = ["  ".join(c.ljust(widths[c]) for c in cols)]
    for r in rows:
        lines.append("  ".join(str(r[c]).ljust(widths[c]) for c in cols))
    return "\n".join(lines)
