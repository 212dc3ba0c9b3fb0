"""`quod fairness`: disaggregated evaluation, last-mile checks, bias bounties, speech demo.

quod fairness eval RECORDS --metric wer --group-by accent --cluster-by speaker --html r.html
quod fairness eval RECORDS --metric error_rate --groups groups.json --json r.json
quod fairness eval RESULTS.csv --preset bench          (solver results by family)
quod fairness eval EPISODES.jsonl --preset agents      (agent success by task family)
quod fairness lastmile REFERENCE.json CUSTOMER.jsonl --condition noise
quod fairness bounty init DIR --base base.json --holdout h.jsonl --audit a.jsonl
quod fairness bounty submit DIR submission.json
quod fairness bounty merge|verify|log|rollback|predict DIR ...
quod fairness speech-demo --html speech.html
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from quod.core.errors import QuodError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("fairness", help="disaggregated evaluation and bias bounties")
    fs = p.add_subparsers(dest="fairness_cmd", metavar="ACTION", parser_class=type(p))
    fs.required = True
    _eval_parser(fs)
    _lastmile_parser(fs)
    _bounty_parser(fs)
    d = fs.add_parser("speech-demo", help="WER by accent: espeak-ng + pocketsphinx + jiwer")
    d.add_argument("--sentences", type=int, default=20, help="number of sentences (max 20)")
    d.add_argument("--accents", default="en-us,en-gb,en-gb-scotland,en-029", help="espeak-ng accent voices")
    d.add_argument("--speakers", type=int, default=5, help="voice variants per accent (max 5)")
    d.add_argument("--records", help="also write the transcripts as JSONL")
    _outputs(d)
    d.set_defaults(func=run_speech)


def _stat_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--level", type=float, default=0.95, help="confidence level")
    p.add_argument("--min-n", type=int, default=30, help="smaller groups are flagged insufficient")
    p.add_argument(
        "--min-clusters", type=int, default=10, help="with --cluster-by: minimum clusters per group"
    )
    p.add_argument("--adjust", choices=("holm", "bh", "none"), default="holm", help="multiplicity adjustment")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level of the group tests")
    p.add_argument("--n-boot", type=int, default=2000, help="bootstrap replicates")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    p.add_argument(
        "--ci", choices=("auto", "wilson", "bootstrap"), default="auto", help="per-group interval method"
    )


def _outputs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--html", help="write a self-contained HTML report")
    p.add_argument("--json", dest="json_out", help="write the report as JSON")
    p.add_argument("--md", help="write the report as Markdown")
    p.add_argument("--title", default="", help="report title")


def _eval_parser(fs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = fs.add_parser("eval", help="evaluate a metric by group with intervals, gaps and tests")
    p.add_argument("records", help="records: .jsonl, .json or .csv")
    p.add_argument(
        "--metric", default="error_rate", help="error_rate, accuracy, success, failure, wer, cer, ratio, mean"
    )
    p.add_argument(
        "--field", action="append", default=[], metavar="ROLE=NAME", help="record field for a metric role"
    )
    g = p.add_mutually_exclusive_group()
    g.add_argument("--group-by", help="one group per value of this field")
    g.add_argument("--groups", help="JSON file of declarative group specs")
    p.add_argument("--provenance", default="annotated", help="provenance of --group-by values")
    p.add_argument("--cluster-by", help="cluster field (speaker, task): cluster bootstrap and robust tests")
    p.add_argument(
        "--preset",
        choices=("bench", "agents"),
        help="solver results by family / agent success by task family",
    )
    p.add_argument(
        "--solver-metric", choices=("solved", "time", "wrong"), default="solved", help="with --preset bench"
    )
    p.add_argument(
        "--fail-if-gap-above", type=float, help="exit 3 if the gap's lower CI bound exceeds this value"
    )
    _stat_args(p)
    _outputs(p)
    p.set_defaults(func=run_eval)


def _lastmile_parser(fs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = fs.add_parser("lastmile", help="re-run a reference evaluation on customer data and flag departures")
    p.add_argument("reference", help="reference report (.json from `quod fairness eval --json`)")
    p.add_argument("records", help="customer records")
    p.add_argument("--condition", action="append", default=[], help="also split by this field (e.g. noise)")
    p.add_argument("--conditions", help="JSON file of condition group specs")
    p.add_argument("--fail-on-flag", action="store_true", help="exit 3 if a row is significantly worse")
    _outputs(p)
    p.set_defaults(func=run_lastmile)


def _bounty_parser(fs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = fs.add_parser("bounty", help="bias bounty: init, submit, merge, verify, log, rollback, predict")
    bs = p.add_subparsers(dest="bounty_cmd", metavar="STEP", parser_class=type(p))
    bs.required = True
    i = bs.add_parser("init", help="create a bounty directory with frozen holdouts and a base model")
    i.add_argument("dir")
    i.add_argument("--base", required=True, help="base model: JSON config (or a skops config)")
    i.add_argument("--holdout", required=True, help="decision holdout records")
    i.add_argument("--audit", required=True, help="second, audit-only holdout records")
    i.add_argument("--label", default="label")
    i.add_argument("--loss", choices=("zero_one", "squared", "absolute"), default="zero_one")
    i.add_argument("--alpha", type=float, default=0.01, help="minimum mu(g) * error improvement")
    i.add_argument("--min-n", type=int, default=30, help="minimum holdout rows in a submitted group")
    i.add_argument("--level", type=float, default=0.95, help="one-sided level of the paired bootstrap bound")
    i.add_argument("--n-boot", type=int, default=2000)
    i.add_argument("--round-to", type=float, default=0.01, help="grid of the statistics shown to submitters")
    i.add_argument("--rate-limit", type=int, default=5, help="submissions per submitter per window")
    i.add_argument("--window", type=int, default=86400, help="rate-limit window in seconds")
    i.add_argument("--no-audit-gate", action="store_true", help="merge even if the audit holdout gets worse")
    i.add_argument("--trust", action="append", default=[], help="extra skops type to trust")
    s = bs.add_parser("submit", help="test a submission; answer accept/reject with rounded statistics")
    s.add_argument("dir")
    s.add_argument("submission", help="JSON: {submitter, group, model}")
    m = bs.add_parser("merge", help="apply pending accepted submissions (with repairs)")
    m.add_argument("dir")
    m.add_argument("--id", type=int, help="only this submission")
    v = bs.add_parser("verify", help="check the ledger's hash chain and recompute every decision")
    v.add_argument("dir")
    v.add_argument("--head", help="published head hash that must be in the ledger")
    lg = bs.add_parser("log", help="show the ledger (maintainers: exact statistics)")
    lg.add_argument("dir")
    lg.add_argument("--json", action="store_true", help="full entries as JSON lines")
    lg.add_argument("--head", action="store_true", help="print only the head hash (to publish)")
    r = bs.add_parser("rollback", help="return to an earlier version (recorded in the ledger)")
    r.add_argument("dir")
    r.add_argument("--to", type=int, required=True, dest="version")
    r.add_argument("--reason", required=True)
    pr = bs.add_parser("predict", help="apply the current bounty model to records")
    pr.add_argument("dir")
    pr.add_argument("records")
    pr.add_argument("--out", required=True, help="output JSONL (records with a 'prediction' field)")
    for sp in (i, s, m, v, lg, r, pr):
        sp.set_defaults(func=run_bounty)


def _params(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "level": args.level,
        "min_n": args.min_n,
        "min_clusters": args.min_clusters,
        "adjust": args.adjust,
        "alpha": args.alpha,
        "n_boot": args.n_boot,
        "seed": args.seed,
        "ci_method": args.ci,
    }


def _fields(items: list[str]) -> dict[str, str]:
    out = {}
    for it in items:
        role, sep, name = it.partition("=")
        if not sep or not role or not name:
            raise QuodError(f"--field {it!r}: expected ROLE=NAME", code="Q0003")
        out[role] = name
    return out


def _write(report: Any, args: argparse.Namespace) -> None:
    from quod.apps.fairness.render import write_report

    if args.title:
        report.title = args.title
    for path in (args.html, args.json_out, args.md):
        if path:
            write_report(report, path)
            print(f"wrote {path}", file=sys.stderr)


def run_eval(args: argparse.Namespace) -> int:
    from quod.apps.fairness import evaluate, groups_by_field, groups_from_json, load_records
    from quod.apps.fairness.records import load_json
    from quod.apps.fairness.render import to_text

    recs = load_records(args.records)
    params = _params(args)
    if args.preset:
        return _preset(args, recs, params)
    if args.groups:
        groups: Any = groups_from_json(load_json(args.groups), f"{args.groups}: $")
    elif args.group_by:
        groups = groups_by_field(recs, args.group_by, provenance=args.provenance)
    else:
        raise QuodError("give --group-by FIELD or --groups FILE", code="Q0003")
    metric = {"name": args.metric, "fields": _fields(args.field)}
    report = evaluate(recs, metric, groups, cluster_by=args.cluster_by, **params)
    print(to_text(report), end="")
    _write(report, args)
    return _gap_exit(report, args.fail_if_gap_above)


def _gap_exit(report: Any, limit: float | None) -> int:
    d = report.disparity
    if limit is not None and d is not None and d.gap_ci[0] > limit:
        print(f"quod fairness: gap lower bound {d.gap_ci[0]:.3f} exceeds {limit}", file=sys.stderr)
        return 3
    return 0


def _preset(args: argparse.Namespace, recs: Any, params: dict[str, Any]) -> int:
    from quod.apps.fairness.hooks import agent_success_by_task_family, solver_results_by_family
    from quod.apps.fairness.render import to_text, write_report

    if args.preset == "agents":
        rep = agent_success_by_task_family(recs, family_field=args.group_by or "task_family", **params)
        print(to_text(rep), end="")
        _write(rep, args)
        return _gap_exit(rep, args.fail_if_gap_above)
    reports = solver_results_by_family(
        recs, family_field=args.group_by or "family", metric=args.solver_metric, **params
    )
    for backend, rep in reports.items():
        print(f"== {rep.title}")
        print(to_text(rep), end="")
        for path in (args.html, args.json_out, args.md):
            if path:
                p = Path(path)
                write_report(rep, p.with_name(f"{p.stem}-{backend}{p.suffix}"))
    return 0


def run_lastmile(args: argparse.Namespace) -> int:
    from quod.apps.fairness import groups_from_json, load_records
    from quod.apps.fairness.lastmile import compare, to_html, to_markdown, to_text
    from quod.apps.fairness.records import load_json
    from quod.apps.fairness.report_model import Report

    ref = Report.from_json(load_json(args.reference), args.reference)
    conditions: list[Any] = list(args.condition)
    if args.conditions:
        conditions += [
            g.to_json() for g in groups_from_json(load_json(args.conditions), f"{args.conditions}: $")
        ]
    res = compare(ref, load_records(args.records), conditions)
    print(to_text(res), end="")
    for path, render in ((args.html, to_html), (args.md, to_markdown)):
        if path:
            Path(path).write_text(render(res), encoding="utf-8")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(res.to_json(), indent=2) + "\n", encoding="utf-8")
    return 3 if args.fail_on_flag and res.flagged else 0


def run_bounty(args: argparse.Namespace) -> int:
    from quod.apps.fairness.bounty import cli_steps

    return cli_steps.run(args)


def run_speech(args: argparse.Namespace) -> int:
    from quod.apps.fairness import evaluate, speech
    from quod.apps.fairness.render import to_text

    reason = speech.available()
    if reason:
        print(f"quod fairness speech-demo: skipped: {reason}", file=sys.stderr)
        return 0
    accents = [a for a in args.accents.split(",") if a]
    recs = speech.run_demo(
        speech.SENTENCES[: max(1, args.sentences)], accents, speech.VARIANTS[: max(1, min(5, args.speakers))]
    )
    if args.records:
        with open(args.records, "w", encoding="utf-8") as f:
            for r in recs:
                f.write(json.dumps(r) + "\n")
    from quod.apps.fairness import groups_by_field

    # Accents are known by construction (the voice that spoke), not inferred from audio.
    groups = groups_by_field(recs, "accent", provenance="measured", kind="condition")
    report = evaluate(recs, "wer", groups, cluster_by="speaker", min_n=10, min_clusters=3)
    report.title = report.title or "Speech demo: word error rate by accent (synthetic speech)"
    print(to_text(report), end="")
    _write(report, args)
    return 0
