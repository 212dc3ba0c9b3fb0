from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from quod.protocol import Params, Protocol, action, eventually, hot
from quod.protocol.explore import Options, check
from quod.protocol.liveness import sccs


@dataclass(frozen=True)
class P:
    done: bool
    spins: int


class Spinner(Protocol):
    """`spin` can loop forever; `finish` ends it. Whether <>done holds depends on fairness."""

    params = Params(fair_finish=True)

    def init(self) -> P:
        return P(False, 0)

    @action
    def spin(self, s: P) -> P | None:
        return None if s.done else P(False, 1 - s.spins)

    @action(fair=False)
    def unfair_finish(self, s: P) -> P | None:
        return None if s.done or self.fair_finish else P(True, s.spins)

    @action
    def finish(self, s: P) -> P | None:
        return None if s.done or not self.fair_finish else P(True, s.spins)

    @eventually
    def terminates(self, s: P) -> bool:
        return s.done

    @hot
    def busy(self, s: P) -> bool:
        return not s.done


def test_weak_fairness_rules_out_the_spinning_cycle() -> None:
    assert check(Spinner(), Options()).ok


def test_without_fairness_the_spin_cycle_is_a_lasso() -> None:
    r = check(Spinner(fair_finish=False), Options())
    kinds = sorted(v.kind for v in r.violations)
    assert kinds == ["eventually", "hot"]
    v = next(v for v in r.violations if v.kind == "eventually")
    assert v.loop_start is not None and 0 <= v.loop_start < len(v.trace)
    # the last state closes the loop: equal to the state at loop_start
    assert v.trace[-1].state == v.trace[v.loop_start].state
    assert all(not st.state["done"] for st in v.trace)


def test_lossy_two_phase_commit_violates_liveness_but_not_safety(tpc: Any) -> None:
    r = check(tpc.TwoPhaseCommitLossy(N=2), Options())
    assert [v.kind for v in r.violations] == ["eventually"]
    assert "no action is enabled" in r.violations[0].message
    assert any(st.action.startswith("drop(") for st in r.violations[0].trace)


def test_correct_two_phase_commit_terminates(tpc: Any) -> None:
    assert check(tpc.TwoPhaseCommit(N=2), Options()).ok


def test_tarjan_finds_components() -> None:
    g = {0: [1], 1: [2], 2: [0, 3], 3: [3], 4: [0]}
    comps = sorted(sorted(c) for c in sccs(list(g), lambda v: g[v]))
    assert comps == [[0, 1, 2], [3], [4]]
