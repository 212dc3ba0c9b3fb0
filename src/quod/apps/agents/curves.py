"""Training curves: reward, success rate, KL, tool-call rate (and more) as PNG and self-contained HTML."""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("reward", ("reward", "eval_reward")),
    ("success rate", ("success", "eval_success")),
    ("KL to reference", ("kl",)),
    ("tool-call rate", ("tool_call_rate", "bad_call_rate")),
    ("entropy", ("entropy",)),
    ("policy loss", ("pg_loss",)),
)


def _figure(rows: Sequence[dict[str, Any]], title: str) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(13, 7))
    for ax, (name, keys) in zip(axes.flat, PANELS):
        for key in keys:
            pts = [(r["step"], r[key]) for r in rows if isinstance(r.get(key), (int, float))]
            if pts:
                xs, ys = zip(*pts)
                ax.plot(xs, ys, marker="o" if key.startswith("eval_") else None, ms=3, label=key)
        ax.set_title(name)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def write_curves(rows: Sequence[dict[str, Any]], out: Path, title: str = "quod agents") -> tuple[Path, Path]:
    """Write curves.png and curves.html (the PNG inlined, plus a table of the last rows)."""
    import matplotlib.pyplot as plt

    fig = _figure(rows, title)
    png = out / "curves.png"
    fig.savefig(png, dpi=90)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    cols = [
        "step",
        "reward",
        "success",
        "eval_success",
        "kl",
        "tool_call_rate",
        "entropy",
        "rollout_seconds",
        "train_phase_seconds",
    ]
    body = "".join("<tr>" + "".join(f"<td>{_fmt(r.get(c))}</td>" for c in cols) + "</tr>" for r in rows[-20:])
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}</style>
</head><body><h1>{html.escape(title)}</h1><img alt="training curves" src="data:image/png;base64,{data}">
<h2>Last steps</h2><table><tr>{"".join(f"<th>{c}</th>" for c in cols)}</tr>{body}</table>
<script type="application/json" id="metrics">{html.escape(json.dumps(list(rows)))}</script>
</body></html>"""
    page_path = out / "curves.html"
    page_path.write_text(page, encoding="utf-8")
    return png, page_path


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3f}"
    return "" if v is None else html.escape(str(v))
