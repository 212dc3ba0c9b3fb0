"""The `quod fairness bounty` steps (kept here so the CLI module stays thin)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..records import load_json, load_records
from .bounty import Bounty
from .engine import BountyConfig
from .models import DEFAULT_TRUSTED_SKOPS


def run(args: argparse.Namespace) -> int:
    step = args.bounty_cmd
    if step == "init":
        return _init(args)
    b = Bounty(args.dir)
    if step == "submit":
        print(json.dumps(b.submit(Path(args.submission)), sort_keys=True))
        return 0
    if step == "merge":
        return _merge(b, args.id)
    if step == "verify":
        return _verify(b, args.head)
    if step == "log":
        return _log(b, args.json, args.head)
    if step == "rollback":
        body = b.rollback(args.version, args.reason)
        print(f"rolled back from version {body['from_version']} to {body['to_version']}")
        return 0
    return _predict(b, args.records, args.out)


def _init(args: argparse.Namespace) -> int:
    cfg = BountyConfig(
        label=args.label,
        loss=args.loss,
        alpha=args.alpha,
        min_n=args.min_n,
        level=args.level,
        n_boot=args.n_boot,
        round_to=args.round_to,
        rate_limit=args.rate_limit,
        rate_window_s=args.window,
        audit_gate=not args.no_audit_gate,
        trusted_types=(*DEFAULT_TRUSTED_SKOPS, *args.trust),
    )
    base = Path(args.base)
    b = Bounty.init(
        args.dir, load_json(base), load_records(args.holdout), load_records(args.audit), cfg, base.parent
    )
    print(f"bounty created in {args.dir}; ledger head {b.ledger.head()}")
    return 0


def _merge(b: Bounty, sub_id: int | None) -> int:
    bodies = b.merge(sub_id)
    if not bodies:
        print("nothing to merge")
    for body in bodies:
        line = f"submission {body['submission']}: {body['status']}"
        if body["status"] != "stale":
            h, a = body["holdout"], body["audit"]
            line += (
                f" (version {body['from_version']} -> {body['to_version']}, {body['repairs']} repair(s); "
                f"holdout error {h['before']:.4f} -> {h['after']:.4f}; audit {a['before']:.4f} -> {a['after']:.4f})"
            )
        print(line)
    return 0


def _verify(b: Bounty, head: str | None) -> int:
    rep = b.verify(head)
    for c in rep.checks:
        print(f"ok: {c}")
    for p in rep.problems:
        print(f"problem: {p}", file=sys.stderr)
    verdict = "verified" if rep.ok else "FAILED"
    print(f"{verdict}: {rep.entries} entries, current version {rep.version}, head {rep.head}")
    return 0 if rep.ok else 1


def _log(b: Bounty, as_json: bool, head_only: bool) -> int:
    entries = b.log()
    if head_only:
        print(entries[-1].hash if entries else "")
        return 0
    for e in entries:
        if as_json:
            print(json.dumps(e.to_json(), sort_keys=True))
            continue
        print(f"{e.seq:>4} {e.time} {e.kind:<10} {_summary(e.kind, e.body)}")
    return 0


def _summary(kind: str, body: dict[str, object]) -> str:
    if kind == "submission":
        d = body["decision"]
        assert isinstance(d, dict)
        stats = ", ".join(
            f"{k}={d[k]:.4g}" for k in ("mu", "err_f", "err_h", "improvement", "lower_bound") if k in d
        )
        g = body["group"]
        assert isinstance(g, dict)
        return f"#{body['id']} by {body['submitter']} group '{g['name']}': {d['reason']} ({stats})"
    if kind == "merge":
        return f"submission {body['submission']}: {body['status']} -> version {body.get('to_version', body['from_version'])}"
    if kind == "rollback":
        return f"version {body['from_version']} -> {body['to_version']}: {body['reason']}"
    return f"base model {str(body.get('base_model', ''))[:12]}..., config {json.dumps(body.get('config'))}"


def _predict(b: Bounty, records: str, out: str) -> int:
    recs = load_records(records)
    preds = b.model().predict(recs.rows)
    with open(out, "w", encoding="utf-8") as f:
        for r, p in zip(recs.rows, preds):
            f.write(json.dumps({**r, "prediction": p}) + "\n")
    print(f"wrote {len(preds)} predictions to {out}", file=sys.stderr)
    return 0
