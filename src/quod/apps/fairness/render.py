"""Reports for people: one self-contained HTML page, Markdown, JSON.

The HTML embeds its forest plot as inline SVG (no external files, scripts or
fonts), so it can be mailed or archived as one file.
"""

from __future__ import annotations

import html
import io
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .report_model import GroupResult, Report

_STATUS_NOTE = {"ok": "", "insufficient": "insufficient", "empty": "empty"}


def fmt(x: float | None, digits: int = 3) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:.{digits}f}"


def fmt_ci(ci: Sequence[float]) -> str:
    return f"[{fmt(ci[0])}, {fmt(ci[1])}]"


def fmt_p(p: float | None) -> str:
    if p is None or not math.isfinite(p):
        return ""
    return f"{p:.2g}" if p >= 1e-4 else "<1e-4"


def to_json_text(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, sort_keys=False) + "\n"


def forest_plot_svg(report: Report) -> str:
    """Forest plot: one row per group, point estimate and interval, n on the right."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [report.overall, *report.groups]
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(rows) + 1.2))
    for i, g in enumerate(reversed(rows)):
        _forest_row(ax, i, g)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([_row_label(g) for g in reversed(rows)], fontsize=9)
    if math.isfinite(report.overall.value):
        ax.axvline(report.overall.value, color="#888888", lw=0.8, ls="--")
    level = float(report.params.get("level", 0.95))
    ax.set_xlabel(f"{report.metric.name} ({level:.0%} interval); hollow = insufficient data")
    ax.grid(axis="x", color="#eeeeee")
    ax.set_ylim(-0.7, len(rows) - 0.3)
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]


def _row_label(g: GroupResult) -> str:
    return f"{g.name}  (n={g.n}" + (f", {g.clusters} cl." if g.clusters != g.n else "") + ")"


def _forest_row(ax: Any, y: int, g: GroupResult) -> None:
    if not math.isfinite(g.value):
        return
    colour = "#1f4e79" if g.status == "ok" else "#b0b0b0"
    if g.name == "overall":
        colour = "#000000"
    lo, hi = g.ci
    if math.isfinite(lo) and math.isfinite(hi):
        ax.plot([lo, hi], [y, y], color=colour, lw=2)
    face = colour if g.status == "ok" else "white"
    ax.plot([g.value], [y], marker="D" if g.name == "overall" else "o", color=colour, mfc=face, ms=7)


def to_markdown(report: Report) -> str:
    lvl = f"{float(report.params.get('level', 0.95)):.0%}"
    out = [f"# {report.title or 'Disaggregated evaluation'}: {report.metric.name}", ""]
    out += [f"Records: {report.data.get('records', '?')}; cluster by: {report.cluster_by or 'none'}.", ""]
    out += [f"| group | n | clusters | value | {lvl} CI | p (adj.) | provenance | status |"]
    out += ["|---|---:|---:|---:|---|---:|---|---|"]
    for g in [report.overall, *report.groups]:
        out.append(
            f"| {g.name} | {g.n} | {g.clusters} | {fmt(g.value)} | {fmt_ci(g.ci)} | {fmt_p(g.p_adjusted)} "
            f"| {g.provenance} | {g.status} |"
        )
    out += ["", "## Disparity", ""]
    out += _disparity_lines(report, markdown=True)
    if report.warnings:
        out += ["", "## Warnings", ""] + [f"- {w}" for w in report.warnings]
    out += ["", "## Methods", ""] + [f"- {m}" for m in report.methods]
    return "\n".join(out) + "\n"


def _disparity_lines(report: Report, markdown: bool) -> list[str]:
    d = report.disparity
    if d is None:
        return ["Fewer than two groups have enough data to compare."]
    lvl = f"{float(report.params.get('level', 0.95)):.0%}"
    rows = [
        ("worst group", f"{d.worst_group}", f"{fmt(d.worst_value)} {fmt_ci(d.worst_ci)}"),
        ("best group", f"{d.best_group}", fmt(d.best_value)),
        ("max gap (max - min)", "", f"{fmt(d.gap)} {fmt_ci(d.gap_ci)}"),
        ("ratio (min / max)", "", f"{fmt(d.ratio)} {fmt_ci(d.ratio_ci)}"),
        ("same worst group in bootstrap", "", f"{fmt(100 * d.worst_stability, 1)}% of replicates"),
    ]
    if not markdown:
        return [f"{a}\t{b}\t{c}" for a, b, c in rows]
    lines = [f"| statistic | group | estimate [{lvl} CI] |", "|---|---|---|"]
    return lines + [f"| {a} | {b} | {c} |" for a, b, c in rows]


def to_text(report: Report) -> str:
    """Compact plain-text summary for the terminal."""
    out = [f"{report.metric.name} by group (cluster by: {report.cluster_by or 'none'})"]
    width = max(len(g.name) for g in [report.overall, *report.groups])
    for g in [report.overall, *report.groups]:
        flag = "" if g.status == "ok" else f"  [{g.status}]"
        sig = "  *" if g.significant else ""
        out.append(f"  {g.name:<{width}}  n={g.n:<6} {fmt(g.value)} {fmt_ci(g.ci)}{sig}{flag}")
    out += ["  " + line.replace("\t", "  ") for line in _disparity_lines(report, markdown=False)]
    out += [f"warning: {w}" for w in report.warnings]
    return "\n".join(out) + "\n"


_CSS = """
body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}tr.insufficient td{color:#888}
.warn{background:#fff4e5;border-left:4px solid #f0a000;padding:.4em .8em;margin:.3em 0}
.methods li{margin:.3em 0}svg{max-width:100%;height:auto}table.defs td{text-align:left}
"""


def to_html(report: Report) -> str:
    e = html.escape
    title = report.title or f"Disaggregated evaluation: {report.metric.name}"
    lvl = f"{float(report.params.get('level', 0.95)):.0%}"
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p>{report.data.get('records', '?')} records; cluster by: {e(report.cluster_by or 'none')}; "
        f"data sha256 <code>{e(str(report.data.get('sha256', ''))[:16])}</code></p>",
        "<h2>Forest plot</h2>",
        forest_plot_svg(report),
        "<h2>Groups</h2>",
        _group_table(report, lvl),
        "<h2>Disparity</h2>",
        _disparity_table(report, lvl),
    ]
    if report.warnings:
        parts.append("<h2>Warnings</h2>")
        parts += [f"<div class='warn'>{e(w)}</div>" for w in report.warnings]
    parts.append("<h2>Methods</h2><ul class='methods'>")
    parts += [f"<li>{e(m)}</li>" for m in report.methods]
    parts.append("</ul>")
    parts.append(
        "<h2>Group definitions</h2><table><tr><th>group</th><th>definition</th><th>provenance</th></tr>"
    )
    for s in report.group_specs:
        parts.append(
            f"<tr><td>{e(s.name)}</td><td><code>{e(json.dumps(s.where.to_json()))}</code></td>"
            f"<td>{e(s.provenance)} ({e(s.kind)})</td></tr>"
        )
    parts.append("</table></body></html>")
    return "\n".join(parts) + "\n"


def _group_table(report: Report, lvl: str) -> str:
    e = html.escape
    head = (
        f"<table><tr><th>group</th><th>n</th><th>clusters</th><th>value</th><th>{lvl} CI</th>"
        "<th>p (adjusted)</th><th>provenance</th><th>status</th></tr>"
    )
    rows = []
    for g in [report.overall, *report.groups]:
        cls = "" if g.status == "ok" else " class='insufficient'"
        rows.append(
            f"<tr{cls}><td>{e(g.name)}</td><td>{g.n}</td><td>{g.clusters}</td><td>{fmt(g.value)}</td>"
            f"<td>{fmt_ci(g.ci)}</td><td>{fmt_p(g.p_adjusted)}{' *' if g.significant else ''}</td>"
            f"<td>{e(g.provenance)}</td><td>{e(g.status)}</td></tr>"
        )
    return head + "".join(rows) + "</table>"


def _disparity_table(report: Report, lvl: str) -> str:
    lines = _disparity_lines(report, markdown=False)
    if report.disparity is None:
        return f"<p>{html.escape(lines[0])}</p>"
    cells = [line.split("\t") for line in lines]
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in cells)
    return f"<table><tr><th>statistic</th><th>group</th><th>estimate [{lvl} CI]</th></tr>{body}</table>"


def write_report(report: Report, path: str | Path) -> Path:
    """Write by extension: .html, .md, .json (anything else is an error)."""
    p = Path(path)
    text = {".html": to_html, ".htm": to_html, ".md": to_markdown, ".json": to_json_text}.get(
        p.suffix.lower()
    )
    if text is None:
        from .errors import FairnessError

        raise FairnessError("Q1005", f"{p}: report format must be .html, .md or .json")
    p.write_text(text(report), encoding="utf-8")
    return p
