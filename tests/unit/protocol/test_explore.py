from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import pytest

from quod.core.errors import QuodError
from quod.protocol import Node, NodeMap, Params, Protocol, action, invariant, update
from quod.protocol.explore import Options, check
from quod.protocol.semantics import Semantics


def naive_bfs(proto: Protocol) -> tuple[set[Any], int | None]:
    """Plain BFS without keys or symmetry: reachable states and the depth of the first violation."""
    sem = Semantics(proto)
    seen = set(sem.inits)
    queue = deque((s, 0) for s in sem.inits)
    first_bad = None
    while queue:
        s, d = queue.popleft()
        if first_bad is None and sem.violated_invariant(s) is not None:
            first_bad = d
        for t in sem.successors(s):
            if t.target not in seen:
                seen.add(t.target)
                queue.append((t.target, d + 1))
    return seen, first_bad


def test_correct_two_phase_commit_has_no_violation(tpc: Any) -> None:
    full = check(tpc.TwoPhaseCommit(N=3), Options(symmetry=False, liveness=False))
    states, bad = naive_bfs(tpc.TwoPhaseCommit(N=3))
    assert full.ok and full.stats.complete and bad is None
    assert full.stats.distinct == len(states) == 415


def test_symmetry_reduction_keeps_one_state_per_orbit(tpc: Any) -> None:
    from quod.protocol.shape import Permuter, shape_of

    states, _ = naive_bfs(tpc.TwoPhaseCommit(N=3))
    perm = Permuter(shape_of(tpc.State), 3)
    orbits = {perm.canonical(s) for s in states}
    # the brute-force orbit key: least encoding over ALL permutations
    brute = {min(repr(_c(perm.apply(s, perm.shape, p))) for p in perm.perms) for s in states}
    reduced = check(tpc.TwoPhaseCommit(N=3), Options(symmetry=True, liveness=False))
    assert reduced.ok and reduced.stats.distinct == len(orbits) == len(brute)


def _c(s: Any) -> Any:
    from quod.protocol.dsl import canon

    return canon(s)


def test_buggy_variant_gives_a_shortest_trace(tpc: Any) -> None:
    r = check(tpc.TwoPhaseCommitBuggy(N=3), Options(symmetry=False))
    _, depth = naive_bfs(tpc.TwoPhaseCommitBuggy(N=3))
    assert not r.ok
    v = r.violations[0]
    assert v.kind == "invariant" and len(v.trace) - 1 == depth
    assert v.trace[0].action == "init" and v.trace[-1].action == "tm_commit()"


def test_fingerprints_give_the_same_counts(tpc: Any) -> None:
    a = check(tpc.TwoPhaseCommit(N=3), Options(liveness=False))
    b = check(tpc.TwoPhaseCommit(N=3), Options(liveness=False, fingerprints=True))
    assert a.stats.distinct == b.stats.distinct and b.stats.collision_probability < 1e-9


def test_budget_makes_the_search_incomplete(tpc: Any) -> None:
    r = check(tpc.TwoPhaseCommit(N=3), Options(max_states=20, liveness=False))
    assert r.ok and not r.stats.complete and r.stats.distinct == 20
    assert any("not checked" in n for n in check(tpc.TwoPhaseCommit(N=3), Options(max_states=20)).notes)


def test_progress_is_reported(tpc: Any) -> None:
    seen: list[Any] = []
    check(
        tpc.TwoPhaseCommit(N=4),
        Options(symmetry=False, liveness=False, progress=seen.append, progress_interval=0.0),
    )
    assert seen and seen[-1].distinct > 0


@dataclass(frozen=True)
class Ring:
    token: NodeMap[bool]


class LeaderIsZero(Protocol):
    """Not symmetric: node 0 starts with the token."""

    params = Params(N=3)
    symmetric = True

    def init(self) -> Ring:
        return Ring((True, False, False))

    @action
    def pass_token(self, s: Ring, i: Node) -> Ring | None:
        if not s.token[i]:
            return None
        return Ring(update(update(s.token, i, False), (i + 1) % self.N, True))

    @invariant
    def one_token(self, s: Ring) -> bool:
        return sum(s.token) == 1


def test_wrong_symmetry_declaration_is_detected() -> None:
    with pytest.raises(QuodError) as e:
        check(LeaderIsZero(), Options(liveness=False))
    assert e.value.diagnostic.code == "Q0705"
    assert check(LeaderIsZero(), Options(symmetry=False, liveness=False)).ok


class Stuck(Protocol):
    def init(self) -> Ring:
        return Ring((False,))

    @action
    def never(self, s: Ring) -> None:
        return None


def test_deadlock_is_reported_only_when_asked() -> None:
    assert check(Stuck(), Options()).ok
    r = check(Stuck(), Options(deadlock=True))
    assert r.violations[0].kind == "deadlock"


class Crashes(Protocol):
    def init(self) -> Ring:
        return Ring((False,))

    @action
    def boom(self, s: Ring) -> Ring:
        raise ValueError("bad index")


def test_exceptions_in_actions_are_violations_with_a_location() -> None:
    r = check(Crashes(), Options())
    v = r.violations[0]
    assert v.kind == "error" and "ValueError" in v.message
    assert v.span is not None and v.span.file.endswith("test_explore.py")
