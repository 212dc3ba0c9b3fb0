"""The kernel's glob-containment certificate checker: accepts valid certificates, rejects every corruption."""

from __future__ import annotations

import copy
import itertools
import re
from typing import Any

import pytest

from quod.kernel.automata import FORMAT, CertificateError, Field, check_containment
from quod.policy.automata import explore


def box(
    actions: list[str], resources: list[str] | None = None, neg_a: bool = False, neg_r: bool = False
) -> dict[str, Any]:
    b: dict[str, Any] = {"action": [neg_a, actions]}
    if resources is not None:
        b["resource"] = [neg_r, resources]
    return b


def problem(lhs: dict[str, Any], rhs: dict[str, Any], reading: str = "segment") -> dict[str, Any]:
    return {"format": FORMAT, "reading": reading, "lhs": lhs, "rhs": rhs}


def certificate(prob: dict[str, Any]) -> dict[str, Any]:
    pats: dict[str, list[str]] = {"action": [], "resource": []}
    for side in ("lhs", "rhs"):
        for kind in ("allow", "deny"):
            for b in prob[side][kind]:
                for f in pats:
                    if f in b:
                        pats[f] += b[f][1]
    seg = prob["reading"] == "segment"
    return {"fields": {f: explore(Field(f, pats[f], seg)).certificate() for f in pats}}


READ = {"allow": [box(["s3:get*", "s3:list*"], ["arn:aws:s3:::b/*"])], "deny": []}
FULL = {"allow": [box(["s3:*"], ["arn:aws:s3:::b/*"])], "deny": [box(["s3:delete*"], ["*"])]}


def test_valid_certificate_is_accepted() -> None:
    prob = problem(READ, FULL)
    res = check_containment(prob, certificate(prob))
    assert res.ok and res.states > 0


def test_false_claim_is_rejected_even_with_a_well_formed_certificate() -> None:
    prob = problem(FULL, READ)  # FULL allows s3:putobject, READ does not
    res = check_containment(prob, certificate(prob))
    assert not res.ok and "left side" in res.reason


def test_not_action_and_deny_semantics() -> None:
    lhs = {"allow": [box(["iam:*"], ["*"], neg_a=True)], "deny": []}
    rhs = {"allow": [box(["*"], ["*"])], "deny": [box(["iam:*"], ["*"])]}
    for a, b in ((lhs, rhs), (rhs, lhs)):
        prob = problem(a, b)
        assert check_containment(prob, certificate(prob)).ok


def test_segment_reading_matters() -> None:
    lhs = {"allow": [box(["*"], ["arn:aws:s3:::a*b"])], "deny": []}
    rhs = {"allow": [box(["*"], ["arn:aws:s3:::a*b"])], "deny": [box(["*"], ["arn:aws:s3:::a*:*b"])]}
    seg = problem(lhs, rhs, "segment")
    assert check_containment(seg, certificate(seg)).ok
    glob = problem(lhs, rhs, "glob")
    assert not check_containment(glob, certificate(glob)).ok


def _mutations(cert: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for f in ("action", "resource"):
        c = cert["fields"][f]
        n = len(c["states"])
        m = copy.deepcopy(cert)
        m["fields"][f]["states"][0] = m["fields"][f]["states"][min(1, n - 1)] + [0, 0] if n > 1 else [0, 0, 0]
        out.append((f"{f}: wrong initial state", m))
        for k in range(n):
            if cert["fields"][f]["edges"][k]:
                m = copy.deepcopy(cert)
                ch = next(iter(m["fields"][f]["edges"][k]))
                m["fields"][f]["edges"][k][ch] = (m["fields"][f]["edges"][k][ch] + 1) % n
                out.append((f"{f}: wrong edge of state {k}", m))
                m = copy.deepcopy(cert)
                del m["fields"][f]["edges"][k][ch]
                out.append((f"{f}: missing edge of state {k}", m))
                break
        if n > 2:
            m = copy.deepcopy(cert)
            m["fields"][f]["default"][0] = (m["fields"][f]["default"][0] + 1) % n
            out.append((f"{f}: wrong default", m))
            m = copy.deepcopy(cert)
            victim = n - 1
            m["fields"][f]["states"].pop(victim)
            m["fields"][f]["default"].pop(victim)
            m["fields"][f]["edges"].pop(victim)
            for e in m["fields"][f]["edges"]:
                for ch, t in list(e.items()):
                    if t >= victim:
                        e[ch] = 0
            m["fields"][f]["default"] = [0 if t >= victim else t for t in m["fields"][f]["default"]]
            out.append((f"{f}: dropped a state", m))
    return out


def test_every_corruption_is_rejected() -> None:
    prob = problem(READ, FULL)
    cert = certificate(prob)
    muts = _mutations(cert)
    assert len(muts) >= 6
    for what, m in muts:
        res = check_containment(prob, m)
        assert not res.ok, what


@pytest.mark.parametrize(
    "bad",
    [
        None,
        {},
        {"fields": {"action": {"states": "x"}}},
        {"fields": {"action": {"states": [[0, 99, 0]], "default": [0], "edges": [{}]}}},
    ],
)
def test_malformed_certificates_raise(bad: Any) -> None:
    prob = problem(READ, FULL)
    with pytest.raises(CertificateError):
        check_containment(prob, bad)


def test_malformed_problem_raises() -> None:
    with pytest.raises(CertificateError):
        check_containment({"format": "nope"}, {})
    with pytest.raises(CertificateError):
        check_containment({"format": FORMAT, "lhs": {"allow": []}, "rhs": READ}, {})


# brute force over a tiny alphabet: the certified answer matches word enumeration
ALPHA = "ab:"


def _rx(p: str, segment: bool) -> re.Pattern[str]:
    parts = []
    ps = re.sub(r"\*+", "*", p)
    for i, c in enumerate(ps):
        if c == "*":
            parts.append(".*" if (not segment or i == len(ps) - 1) else "[^:]*")
        elif c == "?":
            parts.append("[^:]" if segment else ".")
        else:
            parts.append(re.escape(c))
    return re.compile("".join(parts), re.DOTALL)


def _lang(lang: dict[str, Any], r: str, segment: bool) -> bool:
    def hit(b: dict[str, Any]) -> bool:
        neg, pats = b["resource"]
        return any(_rx(p, segment).fullmatch(r) for p in pats) != neg

    return any(hit(b) for b in lang["allow"]) and not any(hit(b) for b in lang["deny"])


@pytest.mark.parametrize("segment", [True, False])
def test_resource_containment_matches_enumeration(segment: bool) -> None:
    pats = ["*", "a*", "*b", "a?b", "a*:*", "?", "a:*", "*a*"]
    words = ["".join(w) for n in range(5) for w in itertools.product(ALPHA, repeat=n)]
    reading = "segment" if segment else "glob"
    for p1, p2, d in itertools.product(pats, pats, [None, "*:*", "a?"]):
        lhs = {"allow": [box(["*"], [p1])], "deny": []}
        rhs = {"allow": [box(["*"], [p2])], "deny": [box(["*"], [d])] if d else []}
        prob = problem(lhs, rhs, reading)
        certified = check_containment(prob, certificate(prob)).ok
        counter = any(_lang(lhs, w, segment) and not _lang(rhs, w, segment) for w in words)
        # a short counterexample refutes containment; without one, every pair here is contained
        assert certified == (not counter), (p1, p2, d, reading)


def test_consecutive_stars_and_boxes_without_resource() -> None:
    lhs = {"allow": [box(["s3:get**"])], "deny": []}
    rhs = {"allow": [box(["s3:*"])], "deny": []}
    prob = problem(lhs, rhs)
    assert check_containment(prob, certificate(prob)).ok
    assert not check_containment(problem(rhs, lhs), certificate(problem(rhs, lhs))).ok


def test_other_class_even_when_patterns_use_every_character() -> None:
    chars = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in ":*?" and not ("A" <= chr(c) <= "Z"))
    prob = problem({"allow": [box(["x:" + chars])], "deny": []}, {"allow": [box(["x:*"])], "deny": []})
    assert check_containment(prob, certificate(prob)).ok
    assert not check_containment(
        problem(prob["rhs"], prob["lhs"]), certificate(problem(prob["rhs"], prob["lhs"]))
    ).ok


def test_structural_corruptions() -> None:
    prob = problem(READ, FULL)
    good = certificate(prob)
    act = good["fields"]["action"]

    def with_action(**changes: Any) -> dict[str, Any]:
        c = copy.deepcopy(good)
        c["fields"]["action"].update(changes)
        return c

    assert "same non-zero length" in check_containment(prob, with_action(default=act["default"][:-1])).reason
    bad_edges = copy.deepcopy(act["edges"])
    bad_edges[0] = {"s": "zero"}
    assert "malformed successors" in check_containment(prob, with_action(edges=bad_edges)).reason
    long_label = copy.deepcopy(act["edges"])
    long_label[0] = {**long_label[0], "ab": 0}
    assert "not one character" in check_containment(prob, with_action(edges=long_label)).reason
    upper = copy.deepcopy(act["edges"])
    upper[0] = {**upper[0], "S": 0}  # not an action character: never a transition, so harmless
    assert check_containment(prob, with_action(edges=upper)).ok
    with pytest.raises(CertificateError):
        check_containment(prob, with_action(states=[[0, 1]]))
    with pytest.raises(CertificateError):
        check_containment({**prob, "lhs": {"allow": [{"color": 1}], "deny": []}}, good)
    with pytest.raises(CertificateError):
        check_containment({**prob, "lhs": {"allow": [{"action": "s3:*"}], "deny": []}}, good)
