"""Property tests: canonical forms are permutation-invariant, and simulation
only visits states the exhaustive search reaches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from quod.protocol.explore import Options, check
from quod.protocol.loader import load_module
from quod.protocol.semantics import Semantics
from quod.protocol.shape import Permuter, shape_of
from quod.protocol.simulate import SimOptions, simulate

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "protocol"
TPC = load_module(EXAMPLES / "two_phase_commit.py")
LE = load_module(EXAMPLES / "leader_election.py")


def _reachable(proto: Any, limit: int = 3000) -> list[Any]:
    sem = Semantics(proto)
    states = list(sem.inits)
    seen = set(states)
    i = 0
    while i < len(states) and len(states) < limit:
        for t in sem.successors(states[i]):
            if t.target not in seen:
                seen.add(t.target)
                states.append(t.target)
        i += 1
    return states


STATES = {
    "tpc": (_reachable(TPC.TwoPhaseCommit(N=3)), TPC.State),
    "le": (_reachable(LE.LeaderElection(MaxTerm=1)), LE.State),
}


@settings(max_examples=150, deadline=None)
@given(which=st.sampled_from(sorted(STATES)), index=st.integers(0, 10**6), perm=st.permutations([0, 1, 2]))
def test_canonical_form_is_invariant_under_node_permutations(which: str, index: int, perm: list[int]) -> None:
    states, cls = STATES[which]
    s = states[index % len(states)]
    p = Permuter(shape_of(cls), 3)
    assert p.canonical(p.apply(s, p.shape, tuple(perm))) == p.canonical(s)


REACH = set(STATES["tpc"][0])


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_random_walks_stay_reachable_and_replay_exactly(seed: int) -> None:
    """A random walk visits only states the exhaustive search found, and its
    schedule replays to the same states."""
    import random

    from quod.protocol.semantics import show_state
    from quod.protocol.simulate import replay, schedule_doc

    proto = TPC.TwoPhaseCommit(N=3)
    sem = Semantics(proto)
    rng = random.Random(seed)
    s = sem.inits[0]
    labels: list[str] = []
    states = [show_state(s)]
    for _ in range(30):
        ts = sem.successors(s)
        if not ts:
            break
        t = rng.choice(ts)
        labels.append(sem.label(t))
        s = t.target
        states.append(show_state(s))
        assert s in REACH
    again = replay(proto, schedule_doc(proto, SimOptions(), 0, 0, labels))
    assert again.ok and [step.state for step in again.trace] == states


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6), scheduler=st.sampled_from(["random", "pct"]))
def test_simulation_of_the_correct_model_finds_nothing(seed: int, scheduler: str) -> None:
    res = simulate(TPC.TwoPhaseCommit(N=3), SimOptions(runs=3, max_steps=30, seed=seed, scheduler=scheduler))
    assert res.ok and res.distinct_states <= len(REACH)


def test_reduced_and_full_searches_agree_on_the_verdict() -> None:
    for model in (TPC.TwoPhaseCommit(N=3), TPC.TwoPhaseCommitBuggy(N=3)):
        a = check(model, Options(symmetry=True, liveness=False))
        b = check(model, Options(symmetry=False, liveness=False))
        assert a.ok == b.ok
        if not a.ok:
            assert len(a.violations[0].trace) == len(b.violations[0].trace)
