"""A bias bounty kept in a directory: ledger, frozen holdouts, content-addressed models.

    state/ledger.jsonl            hash-chained record of every submission and decision
    state/data/holdout.jsonl      decision holdout (copied at init; sha256 in the ledger)
    state/data/audit.jsonl        second holdout, only for audits, never for decisions
    state/models/<id>.json        model configs by content hash (skops files beside them)

The current model is derived by replaying the ledger; `verify` replays it
again from scratch, recomputing every decision, and compares.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FairnessError, at
from ..groups import GroupSpec, group_from_json
from ..records import Record, Records, as_records, load_json, load_records
from . import engine
from .engine import Accepted, BountyConfig, State
from .ledger import Entry, Ledger, canonical, sha256_hex, utc_now
from .models import Model, load_model, refuse_pickle, validate_config
from .pdl import DecisionList, Evaluator, Node

_SUBMITTER = re.compile(r"^[A-Za-z0-9_.@+-]{1,64}$")


@dataclass
class VerifyReport:
    ok: bool
    entries: int
    head: str
    version: int
    problems: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


class Bounty:
    def __init__(self, directory: str | Path, clock: Callable[[], str] = utc_now) -> None:
        self.dir = Path(directory)
        self.ledger = Ledger(self.dir / "ledger.jsonl", clock)
        self.clock = clock

    # ---- setup -------------------------------------------------------------------------
    @staticmethod
    def init(
        directory: str | Path,
        base_model: Mapping[str, Any],
        holdout: Sequence[Record] | Records,
        audit: Sequence[Record] | Records,
        config: BountyConfig | None = None,
        model_dir: str | Path = ".",
        clock: Callable[[], str] = utc_now,
    ) -> Bounty:
        """Create a bounty: freeze both holdouts and the base model, write the first ledger entry."""
        cfg = config or BountyConfig()
        cfg.check()
        b = Bounty(directory, clock)
        if b.ledger.path.exists():
            raise FairnessError("Q1010", f"{b.ledger.path}: a bounty already exists here")
        (b.dir / "data").mkdir(parents=True, exist_ok=True)
        data = {
            name: b._freeze(name, as_records(recs), cfg.label)
            for name, recs in (("holdout", holdout), ("audit", audit))
        }
        base_id = b._store_model(base_model, Path(model_dir), "$.base_model", cfg)
        b.ledger.append(
            "init", {"format": "quod-bounty/1", "config": cfg.to_json(), "base_model": base_id, **data}
        )
        b.state()  # fail now, not at the first submission, if the base model cannot predict
        return b

    def _freeze(self, name: str, recs: Records, label: str) -> dict[str, Any]:
        for i, r in enumerate(recs):
            if r.get(label) is None:
                raise FairnessError(
                    "Q1003", f"{recs.where[i]}: {name} record lacks the label field '{label}'"
                )
        path = self.dir / "data" / f"{name}.jsonl"
        lines = []
        for i, r in enumerate(recs):
            try:
                lines.append(canonical(r).decode() + "\n")
            except (TypeError, ValueError) as e:  # NaN, infinities or non-JSON values
                raise FairnessError(
                    "Q1003", f"{recs.where[i]}: {name} record cannot be frozen as JSON: {e}"
                ) from None
        text = "".join(lines)
        path.write_text(text, encoding="utf-8")
        return {"path": f"data/{name}.jsonl", "sha256": sha256_hex(text.encode()), "n": len(recs)}

    def _store_model(self, cfg: Any, src_dir: Path, where: str, config: BountyConfig) -> str:
        c = validate_config(cfg, where)
        if c["type"] == "skops":
            src = src_dir / c["path"]
            refuse_pickle(src)
            try:
                data = src.read_bytes()
            except OSError as e:
                raise FairnessError("Q0002", f"{src}: cannot read model file: {e.strerror or e}") from None
            sha = sha256_hex(data)
            (self.dir / "models").mkdir(parents=True, exist_ok=True)
            (self.dir / "models" / f"{sha}.skops").write_bytes(data)
            c = {**c, "path": f"models/{sha}.skops", "sha256": sha}
        model_id = sha256_hex(canonical(c))
        (self.dir / "models").mkdir(parents=True, exist_ok=True)
        (self.dir / "models" / f"{model_id}.json").write_bytes(canonical(c))
        load_model(c, self.dir, config.trusted_types)  # refuse untrusted skops types at the door
        return model_id

    # ---- state -------------------------------------------------------------------------
    def state(self) -> State:
        return self._replay(self.ledger.entries(), recompute=False)[0]

    def _init_state(self, e: Entry) -> State:
        body = e.body
        cfg = BountyConfig.from_json(body["config"])
        cache: dict[str, Model] = {}

        def model(mid: str) -> Model:
            if mid not in cache:
                cache[mid] = self._load_model(mid, cfg)
            return cache[mid]

        evs = [
            self._evaluator(body[name], cfg, model(body["base_model"]), model)
            for name in ("holdout", "audit")
        ]
        return State(cfg, evs[0], evs[1])

    def _evaluator(
        self, info: Mapping[str, Any], cfg: BountyConfig, base: Model, models: Callable[[str], Model]
    ) -> Evaluator:
        path = self.dir / info["path"]
        try:
            raw = path.read_bytes()
        except OSError:
            raise FairnessError("Q1010", f"{path}: frozen data file is missing") from None
        if sha256_hex(raw) != info["sha256"]:
            raise FairnessError("Q1009", f"{path}: frozen data does not match its sha256 in the ledger")
        recs = load_records(path)
        labels = np.empty(len(recs), dtype=object)
        labels[:] = [r[cfg.label] for r in recs]
        return Evaluator(recs.rows, labels, base, models, cfg.loss)

    def _load_model(self, model_id: str, cfg: BountyConfig) -> Model:
        path = self.dir / "models" / f"{model_id}.json"
        try:
            raw = path.read_bytes()
        except OSError:
            raise FairnessError("Q1010", f"{path}: model file is missing") from None
        if sha256_hex(raw) != model_id:
            raise FairnessError("Q1009", f"{path}: model config does not match its content hash")
        return load_model(json.loads(raw), self.dir, cfg.trusted_types)

    def _replay(self, entries: list[Entry], recompute: bool) -> tuple[State, list[str]]:
        """Rebuild the state; with recompute, re-derive every decision and report disagreements."""
        if not entries or entries[0].kind != "init":
            raise FairnessError(
                "Q1010", f"{self.ledger.path}: no bounty here (run `quod fairness bounty init`)"
            )
        state = self._init_state(entries[0])
        problems: list[str] = []
        for e in entries[1:]:
            if e.kind == "submission":
                if recompute:
                    dec = engine.decide(state, group_from_json(e.body["group"]), e.body["model"], _seed(e))
                    problems += _diff(dec, e.body["decision"], f"entry {e.seq} (submission {e.body['id']})")
                _apply_submission(state, e)
            elif e.kind == "merge":
                if recompute:
                    got = engine.merge(state, int(e.body["submission"]), _seed(e))
                    problems += _diff(got, e.body, f"entry {e.seq} (merge of {e.body['submission']})")
                    _set_status(state, e)
                else:
                    _apply_merge(state, e)
            elif e.kind == "rollback":
                _apply_rollback(state, e)
            else:
                problems.append(f"entry {e.seq}: unknown kind '{e.kind}'")
        return state, problems

    # ---- operations --------------------------------------------------------------------
    def submit(self, submission: Mapping[str, Any] | str | Path) -> dict[str, Any]:
        """Test a submission; record it; answer with accept/reject and rounded statistics only."""
        src_dir = Path(".")
        if isinstance(submission, (str, Path)):
            src_dir = Path(submission).parent
            submission = load_json(submission)
        submitter, group, model_cfg = _parse_submission(submission)
        with self.ledger.locked():
            entries = self.ledger.entries()
            state = self._replay(entries, recompute=False)[0]
            self._rate_limit(entries, submitter, state.config)
            model_id = self._store_model(model_cfg, src_dir, "$.model", state.config)
            sub_id = len(state.submissions)
            body: dict[str, Any] = {
                "id": sub_id,
                "submitter": submitter,
                "group": group.to_json(),
                "model": model_id,
            }
            seed = engine.seed_from(entries[-1].hash, sha256_hex(canonical(body)))
            decision = engine.decide(state, group, model_id, seed)
            self.ledger.append_unlocked("submission", {**body, "decision": decision})
        return engine.reply(sub_id, decision, state.config.round_to)

    def merge(self, submission: int | None = None) -> list[dict[str, Any]]:
        """Apply pending accepted submissions (all, or one) with repairs; returns the merge records."""
        out = []
        with self.ledger.locked():
            entries = self.ledger.entries()
            state = self._replay(entries, recompute=False)[0]
            pending = [i for i, s in sorted(state.submissions.items()) if s["status"] == "pending"]
            if submission is not None:
                if submission not in pending:
                    status = state.submissions.get(submission, {}).get("status", "unknown")
                    raise FairnessError("Q1010", f"submission {submission} is not pending (status: {status})")
                pending = [submission]
            for sid in pending:
                prev = self.ledger.head()
                body = engine.merge(state, sid, engine.seed_from(prev, "merge", str(sid)))
                e = self.ledger.append_unlocked("merge", body)
                _set_status(state, e)
                out.append(body)
        return out

    def rollback(self, version: int, reason: str) -> dict[str, Any]:
        """Return to an earlier merged version (recorded; nothing is deleted)."""
        with self.ledger.locked():
            state = self.state()
            if version not in state.stable or version >= state.dl.version:
                ok = sorted(v for v in state.stable if v < state.dl.version)
                raise FairnessError("Q1010", f"cannot roll back to version {version}; choose one of {ok}")
            body = {"from_version": state.dl.version, "to_version": version, "reason": reason}
            self.ledger.append_unlocked("rollback", body)
        return body

    def verify(self, expected_head: str | None = None) -> VerifyReport:
        """Check the hash chain, the frozen files, and re-derive every decision from scratch."""
        try:
            entries = self.ledger.entries()
            state, problems = self._replay(entries, recompute=True)
        except FairnessError as e:
            return VerifyReport(False, 0, "", 0, [str(e)])
        head = entries[-1].hash
        checks = [
            f"hash chain intact ({len(entries)} entries)",
            "frozen holdout, audit and model files match their hashes",
            "every decision and merge recomputed from the ledger's inputs",
        ]
        if expected_head is not None:
            hashes = [e.hash for e in entries]
            if expected_head not in hashes:
                problems.append(
                    f"published head {expected_head[:16]}... is not in the ledger (rewritten or truncated)"
                )
            else:
                checks.append(f"published head found at entry {hashes.index(expected_head)}")
        problems += _invariants(state)
        recorded = entries[0].body.get("software", {}).get("numpy")
        if recorded and recorded != np.__version__:
            checks.append(f"note: bounty recorded with numpy {recorded}, verified with {np.__version__}")
        return VerifyReport(not problems, len(entries), head, state.dl.version, problems, checks)

    def log(self) -> list[Entry]:
        return self.ledger.entries()

    def model(self) -> PDLModel:
        """The current model, for predictions on new data."""
        st = self.state()
        return PDLModel(st.dl.copy(), st.holdout)

    def _rate_limit(self, entries: list[Entry], submitter: str, cfg: BountyConfig) -> None:
        now = _parse_time(self.clock())
        recent = [
            e
            for e in entries
            if e.kind == "submission"
            and e.body.get("submitter") == submitter
            and (now - _parse_time(e.time)).total_seconds() < cfg.rate_window_s
        ]
        if len(recent) >= cfg.rate_limit:
            raise FairnessError(
                "Q1008",
                f"submitter '{submitter}' has made {len(recent)} submissions in the last {cfg.rate_window_s} s "
                f"(limit {cfg.rate_limit})",
            )


@dataclass
class PDLModel:
    """The bounty's decision list applied to arbitrary records (no labels needed)."""

    dl: DecisionList
    template: Evaluator

    def predict(self, records: Sequence[Mapping[str, Any]]) -> list[Any]:
        t = self.template
        ev = Evaluator(records, np.zeros(len(records)), t.base, t.models, t.loss_name)
        return list(ev.predict(self.dl))


def _quod_version() -> str:
    from quod import __version__

    return __version__


def _parse_submission(obj: Any) -> tuple[str, GroupSpec, Mapping[str, Any]]:
    if not isinstance(obj, Mapping):
        raise FairnessError("Q1007", "a submission is a JSON object {submitter, group, model}")
    unknown = set(obj) - {"submitter", "group", "model", "note"}
    if unknown:
        raise FairnessError("Q1007", f"$: unknown key(s) {sorted(unknown)} in submission")
    submitter = obj.get("submitter")
    if not isinstance(submitter, str) or not _SUBMITTER.match(submitter):
        raise FairnessError("Q1007", at("$.submitter", "must be 1-64 characters of [A-Za-z0-9_.@+-]"))
    if "group" not in obj or "model" not in obj:
        raise FairnessError("Q1007", "$: a submission needs 'group' and 'model'")
    return submitter, group_from_json(obj["group"], "$.group"), validate_config(obj["model"], "$.model")


def _seed(e: Entry) -> int:
    if e.kind == "submission":
        body = {k: e.body[k] for k in ("id", "submitter", "group", "model")}
        return engine.seed_from(e.prev, sha256_hex(canonical(body)))
    return engine.seed_from(e.prev, "merge", str(e.body["submission"]))


def _apply_submission(state: State, e: Entry) -> None:
    b = e.body
    state.submissions[int(b["id"])] = {
        "submitter": b["submitter"],
        "group": group_from_json(b["group"]),
        "model": b["model"],
        "status": "pending" if b["decision"]["accepted"] else "rejected",
        "time": e.time,
    }


def _apply_merge(state: State, e: Entry) -> None:
    b = e.body
    if b["status"] == "merged":
        dl = state.dl.copy()
        for n in b["nodes"]:
            dl.push(Node(group_from_json(n["group"]), n["model"], n["pointer"], int(n["submission"])))
        engine.commit(state, dl, [Accepted.from_json(a) for a in b["accepted"]])
    _set_status(state, e)


def _set_status(state: State, e: Entry) -> None:
    state.submissions[int(e.body["submission"])]["status"] = e.body["status"]


def _apply_rollback(state: State, e: Entry) -> None:
    v = int(e.body["to_version"])
    if v not in state.stable:
        raise FairnessError("Q1009", f"entry {e.seq}: rollback to unknown version {v}")
    merged_after = {n.submission for n in state.dl.nodes[state.dl.lengths[v] :]}
    state.dl.truncate(v)
    state.accepted = [Accepted(a.submission, a.group, a.best_err, a.best_version) for a in state.stable[v]]
    state.stable = {k: s for k, s in state.stable.items() if k <= v}
    for sid in merged_after:
        state.submissions[sid]["status"] = "rolled-back"


def _invariants(state: State) -> list[str]:
    """The guarantees, checked on the final state: no accepted group above its best."""
    losses = state.losses(state.holdout)
    out = []
    for a in state.accepted:
        m = state.holdout.member(a.group)
        e = float(losses[m].mean()) if m.any() else 0.0
        if e > a.best_err + engine.EPS:
            out.append(
                f"accepted group '{a.group.name}' has holdout error {e} above its recorded best {a.best_err}"
            )
    return out


def _diff(got: Any, want: Any, where: str, tol: float = 1e-9) -> list[str]:
    """Differences between a recomputed and a recorded JSON value (floats within tol)."""
    got = json.loads(json.dumps(got))
    if isinstance(want, dict) and isinstance(got, dict):
        out = []
        for k in sorted(set(want) | set(got)):
            if k not in got or k not in want:
                out.append(f"{where}: field '{k}' only in {'recorded' if k in want else 'recomputed'} value")
            else:
                out += _diff(got[k], want[k], f"{where}.{k}", tol)
        return out
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            return [f"{where}: recorded {len(want)} items, recomputed {len(got)}"]
        return [p for i, (g, w) in enumerate(zip(got, want)) for p in _diff(g, w, f"{where}[{i}]", tol)]
    if isinstance(want, float) or isinstance(got, float):
        if (
            isinstance(want, (int, float))
            and isinstance(got, (int, float))
            and abs(want - got) <= tol * max(1.0, abs(want))
        ):
            return []
    elif want == got:
        return []
    return [f"{where}: recorded {want!r}, recomputed {got!r}"]


def _parse_time(s: str) -> _dt.datetime:
    try:
        t = _dt.datetime.fromisoformat(s)
    except ValueError:
        raise FairnessError("Q1009", f"bad timestamp {s!r} in ledger") from None
    return t if t.tzinfo else t.replace(tzinfo=_dt.UTC)
