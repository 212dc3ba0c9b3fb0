"""The questions: `public`, `compare` and `can`.

Each solver question is asked once per reading of ARN wildcards that the
policies can tell apart (see `patterns.Reading`); the verdict is the common
answer, or unknown when the readings disagree or any question is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from quod.core import builder as B
from quod.core.evaluate import Undetermined, evaluate
from quod.core.terms import Term
from quod.policy.encode import LINKED_KEYS, Encoder, Vocabulary, ci_regex, in_network, negate
from quod.policy.errors import Inconsistency, UnsupportedFeature
from quod.policy.evaluate import Decision, Indeterminate, allowed, decide
from quod.policy.model import Family, Policy, Request
from quod.policy.patterns import Pattern, Reading, ambiguous
from quod.policy.schema import Schema
from quod.policy.solve import SAT, UNKNOWN, UNSAT, Check, SolveOptions, decide_check
from quod.policy.trust import (
    PRINCIPAL_ORG,
    RESOURCE_ACCOUNT,
    RESOURCE_ORG,
    TRUST_IP_KEYS,
    TRUST_STRING_KEYS,
    Named,
    is_outsider,
    named_values,
)
from quod.policy.witness import NotRepresentable, request_to_model

PUBLIC, NOT_PUBLIC = "public", "not-public"
EQUIVALENT, MORE, LESS, INCOMPARABLE = "equivalent", "more-permissive", "less-permissive", "incomparable"


def readings_for(policies: list[Policy]) -> list[Reading]:
    """SEGMENT always; GLOB too when some ARN pattern could tell the readings apart."""
    for pol in policies:
        for st in pol.statements:
            arns: list[Pattern] = list(st.resources or ())
            for c in st.conditions:
                if c.spec.family is Family.ARN:
                    arns += [v.payload for v in c.values if isinstance(v.payload, Pattern)]
            if any(ambiguous(p) for p in arns):
                return [Reading.SEGMENT, Reading.GLOB]
    return [Reading.SEGMENT]


@dataclass
class Outcome:
    """The result of one question under one reading."""

    reading: Reading
    checks: list[Check] = field(default_factory=list)
    verdict: str = UNKNOWN
    reason: str = ""
    approximations: list[str] = field(default_factory=list)


@dataclass
class Result:
    query: str
    verdict: str
    reason: str
    outcomes: list[Outcome]
    policies: list[Policy]
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def checks(self) -> list[Check]:
        return [c for o in self.outcomes for c in o.checks]


def combine_outcomes(outcomes: list[Outcome]) -> tuple[str, str]:
    verdicts = {o.verdict for o in outcomes}
    if len(verdicts) == 1:
        o = outcomes[0]
        return o.verdict, o.reason
    unknown = [o for o in outcomes if o.verdict == UNKNOWN]
    if unknown:
        return UNKNOWN, f"under the {unknown[0].reading} reading: {unknown[0].reason}"
    parts = ", ".join(f"{o.verdict} under the {o.reading} reading of ARN wildcards" for o in outcomes)
    return UNKNOWN, f"the answer depends on how AWS expands '*' inside ARN segments: {parts}"


def _refiner(vocab: Vocabulary) -> Callable[[], list[Term]]:
    """Extra constraints that keep every key single-valued (removes unspecified cases)."""

    def refine() -> list[Term]:
        out = []
        for kv in vocab.keys.values():
            if kv.multi and kv.info.plain_conditions:
                for i, s in enumerate(kv.slots):
                    for o in kv.slots[i + 1 :]:
                        out.append(B.Not(B.And(s.present, o.present)))
        return out

    return refine


def _mark_internal(check: Check, approximations: list[str]) -> None:
    if check.status == UNKNOWN and "not confirmed" in check.note and not approximations:
        check.note = "INTERNAL ERROR (please report): " + check.note


# -- public -------------------------------------------------------------------------


def outsider_term(vocab: Vocabulary, named: Named) -> Term:
    """The symbolic counterpart of `trust.is_outsider`."""
    v = vocab
    aws = [v.kind_is("AWS")] + [negate(B.Eq(v.p_account, B.StringVal(a))) for a in sorted(named.accounts)]
    res_acct = v.keys.get(RESOURCE_ACCOUNT)
    if res_acct is not None and "string" in res_acct.slots[0].views:
        for s in res_acct.slots:
            aws.append(B.Implies(s.present, negate(B.Eq(s.views["string"], v.p_account))))
    porg, rorg = v.keys.get(PRINCIPAL_ORG), v.keys.get(RESOURCE_ORG)
    if (
        porg is not None
        and rorg is not None
        and "string" in porg.slots[0].views
        and "string" in rorg.slots[0].views
    ):
        for a in porg.slots:
            for b in rorg.slots:
                aws.append(negate(B.And(a.present, b.present, B.Eq(a.views["string"], b.views["string"]))))
    parts = [B.Or(v.kind_is("Anonymous"), B.And(aws))]
    for key, kv in v.keys.items():
        for s in kv.slots:
            if key in TRUST_STRING_KEYS and "string" in s.views:
                for lit, ci in sorted(named.fixed_for(key)):
                    x = s.views["string"]
                    hit = B.InRe(x, ci_regex(lit)) if ci else B.Eq(x, B.StringVal(lit))
                    parts.append(B.Implies(s.present, negate(hit)))
            if key in TRUST_IP_KEYS and s.v6 is not None:
                for net in named.cidrs.get(key, []):
                    parts.append(B.Implies(s.present, negate(in_network(s.views["ip"], s.v6, net))))
    return B.And(parts)


@dataclass
class Question:
    """One satisfiability question of a query under one reading, before any solver runs."""

    name: str
    reading: Reading
    vocab: Vocabulary | None = None
    assertions: list[Term] = field(default_factory=list)
    confirm: Callable[[Request], bool] | None = None
    approximations: list[str] = field(default_factory=list)
    unsupported: str = ""  # why the encoding cannot express it (then there are no assertions)


PUBLIC_EXTRA_KEYS = [*LINKED_KEYS, (RESOURCE_ACCOUNT, "aws:ResourceAccount", "string")]


def public_questions(policy: Policy, min_prefix: dict[int, int] | None = None) -> list[Question]:
    """The `public` question per reading (deterministic: the bundle verifier rebuilds them)."""
    named = named_values([policy], min_prefix)
    out = []
    for reading in readings_for([policy]):
        vocab = Vocabulary(Schema.of([policy], PUBLIC_EXTRA_KEYS))
        enc = Encoder(vocab, reading)
        try:
            f = enc.allowed(policy)
        except UnsupportedFeature as e:
            out.append(Question("public", reading, unsupported=e.message))
            continue

        def confirm(req: Request, reading: Reading = reading) -> bool:
            return allowed(policy, req, reading) and is_outsider(req, named)

        assertions = [*vocab.domain(), outsider_term(vocab, named), f]
        out.append(
            Question("public", reading, vocab, assertions, confirm, vocab.approximations + enc.approximations)
        )
    return out


def compare_questions(a: Policy, b: Policy) -> list[list[Question]]:
    """Per reading, the two questions "A allows what B denies" and the converse."""
    out = []
    for reading in readings_for([a, b]):
        vocab = Vocabulary(Schema.of([a, b], LINKED_KEYS))
        enc = Encoder(vocab, reading)
        try:
            fa, fb = enc.allowed(a), enc.allowed(b)
        except UnsupportedFeature as e:
            out.append([Question(n, reading, unsupported=e.message) for n in ("A-not-B", "B-not-A")])
            continue
        approx = vocab.approximations + enc.approximations
        dom = vocab.domain()
        pair = []
        for name, yes, no, pos, neg in (("A-not-B", fa, fb, a, b), ("B-not-A", fb, fa, b, a)):

            def confirm(
                req: Request, pos: Policy = pos, neg: Policy = neg, reading: Reading = reading
            ) -> bool:
                return allowed(pos, req, reading) and not allowed(neg, req, reading)

            pair.append(Question(name, reading, vocab, [*dom, yes, negate(no)], confirm, approx))
        out.append(pair)
    return out


def ask(q: Question, policies: list[Policy], opts: SolveOptions) -> Check:
    """Run the portfolio on one question."""
    check = Check(f"{q.name}[{q.reading}]", list(q.assertions))
    if q.unsupported or q.vocab is None or q.confirm is None:
        check.note = f"unsupported by the encoding: {q.unsupported}"
        return check
    decide_check(check, q.vocab, q.confirm, policies, opts, _refiner(q.vocab))
    _mark_internal(check, q.approximations)
    return check


def public_verdict(status: str, note: str) -> tuple[str, str]:
    if status == SAT:
        return PUBLIC, "an outsider's request is allowed (witness below)"
    if status == UNSAT:
        return NOT_PUBLIC, "no request from an outsider is allowed"
    return UNKNOWN, note


IDENTITY_REASON = "identity-based policy (no Principal): it grants only to the identity it is attached to"


def public(
    policy: Policy, opts: SolveOptions | None = None, min_prefix: dict[int, int] | None = None
) -> Result:
    """Can an outsider (anonymous, or any account the policy does not name) be allowed?"""
    opts = opts or SolveOptions()
    if policy.is_identity_policy:
        return Result("public", NOT_PUBLIC, IDENTITY_REASON, [], [policy])
    outcomes = []
    for q in public_questions(policy, min_prefix):
        check = ask(q, [policy], opts)
        o = Outcome(q.reading, [check], approximations=q.approximations)
        o.verdict, o.reason = public_verdict(check.status, check.note)
        outcomes.append(o)
    verdict, reason = combine_outcomes(outcomes)
    return Result("public", verdict, reason, outcomes, [policy], {"min_prefix": min_prefix})


# -- compare ------------------------------------------------------------------------


def compare(a: Policy, b: Policy, opts: SolveOptions | None = None) -> Result:
    """Is A more, less, equally permissive than B, or incomparable? With a witness per direction."""
    opts = opts or SolveOptions()
    outcomes = []
    for pair in compare_questions(a, b):
        o = Outcome(pair[0].reading, approximations=pair[0].approximations)
        o.checks = [ask(q, [a, b], opts) for q in pair]
        o.verdict, o.reason = compare_verdict(o.checks[0].status, o.checks[1].status)
        outcomes.append(o)
    verdict, reason = combine_outcomes(outcomes)
    return Result("compare", verdict, reason, outcomes, [a, b], {"engine": "smt"})


def compare_verdict(ab: str, ba: str) -> tuple[str, str]:
    table = {
        (UNSAT, UNSAT): (EQUIVALENT, "A and B allow exactly the same requests"),
        (SAT, UNSAT): (MORE, "A allows everything B allows, and more"),
        (UNSAT, SAT): (LESS, "B allows everything A allows, and more"),
        (SAT, SAT): (INCOMPARABLE, "each allows a request the other denies"),
    }
    if (ab, ba) in table:
        return table[(ab, ba)]
    known = []
    if ab == SAT:
        known.append("A allows a request B denies")
    if ab == UNSAT:
        known.append("B allows everything A allows")
    if ba == SAT:
        known.append("B allows a request A denies")
    if ba == UNSAT:
        known.append("A allows everything B allows")
    return UNKNOWN, (
        "; ".join(known) + "; the other direction is unknown"
    ) if known else "both directions unknown"


# -- can ----------------------------------------------------------------------------


@dataclass
class CanResult:
    verdict: str  # "allowed" | "denied" | "unknown"
    reason: str
    decisions: dict[str, Decision]
    request: Request
    encoding_agrees: bool | None  # None: the cross-check could not run (and why is in `note`)
    note: str = ""


def can(policy: Policy, req: Request) -> CanResult:
    """Evaluate one concrete request; cross-check the evaluator against the encoding."""
    decisions: dict[str, Decision] = {}
    try:
        for reading in readings_for([policy]):
            decisions[str(reading)] = decide(policy, req, reading)
    except Indeterminate as e:
        return CanResult("unknown", str(e), decisions, req, None, "AWS does not specify this case")
    agrees, note = _cross_check(policy, req, decisions)
    results = {d.allowed for d in decisions.values()}
    first = next(iter(decisions.values()))
    if len(results) == 1:
        verdict = "allowed" if first.allowed else "denied"
        return CanResult(verdict, first.explain(), decisions, req, agrees, note)
    reason = "; ".join(f"{r}: {d.explain()}" for r, d in decisions.items())
    return CanResult(
        "unknown", f"depends on the reading of ARN wildcards ({reason})", decisions, req, agrees, note
    )


def _cross_check(policy: Policy, req: Request, decisions: dict[str, Decision]) -> tuple[bool | None, str]:
    vocab = Vocabulary(Schema.of([policy], LINKED_KEYS))
    try:
        model = request_to_model(vocab, req)
    except NotRepresentable as e:
        return None, f"encoding not cross-checked: {e}"
    for name, d in decisions.items():
        enc = Encoder(vocab, Reading(name))
        try:
            f = enc.allowed(policy)
            dom_ok = all(evaluate(t, model.copy(), complete=False) is True for t in vocab.domain())
            value = evaluate(f, model.copy(), complete=False)
        except UnsupportedFeature as e:
            return None, f"encoding not cross-checked: {e.message}"
        except Undetermined as e:
            return None, f"encoding not cross-checked: {e}"
        if not dom_ok:
            return None, "encoding not cross-checked: the request lies outside the encoded request space"
        if value is not d.allowed:
            raise Inconsistency(
                f"the evaluator says {'allowed' if d.allowed else 'denied'} but the encoding says "
                f"{'allowed' if value else 'denied'} ({name} reading); please report this policy and request"
            )
    return True, ""


__all__ = [
    "EQUIVALENT",
    "INCOMPARABLE",
    "LESS",
    "MORE",
    "NOT_PUBLIC",
    "PUBLIC",
    "CanResult",
    "Outcome",
    "Result",
    "can",
    "compare",
    "outsider_term",
    "public",
    "readings_for",
]
