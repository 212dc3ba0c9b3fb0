"""Two-phase commit (after Gray and Lamport): one transaction manager, N resource managers.

Run:  quod protocol check examples/protocol/two_phase_commit.py
      quod protocol prove examples/protocol/two_phase_commit.py
      quod protocol check examples/protocol/two_phase_commit.py --model TwoPhaseCommitBuggy
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from quod.protocol import (
    Network,
    Node,
    NodeMap,
    NodeSet,
    Protocol,
    action,
    eventually,
    exists,
    forall,
    implies,
    invariant,
    update,
)

RMState = Literal["working", "prepared", "committed", "aborted"]
TMState = Literal["init", "committed", "aborted"]


@dataclass(frozen=True)
class Prepared:
    frm: Node


@dataclass(frozen=True)
class Decision:
    to: Node
    commit: bool


@dataclass(frozen=True)
class State:
    rm: NodeMap[RMState]
    tm: TMState
    tm_prepared: NodeSet
    net: Network[Prepared | Decision]


class TwoPhaseCommit(Protocol):
    params = {"N": 3}
    symmetric = True

    def init(self) -> State:
        return State(rm=("working",) * self.N, tm="init", tm_prepared=frozenset(), net=Network())

    # resource managers ---------------------------------------------------------
    @action
    def rm_prepare(self, s: State, i: Node) -> State | None:
        if s.rm[i] != "working":
            return None
        return replace(s, rm=update(s.rm, i, "prepared"), net=s.net.send(Prepared(i)))

    @action
    def rm_choose_abort(self, s: State, i: Node) -> State | None:
        if s.rm[i] != "working":
            return None
        return replace(s, rm=update(s.rm, i, "aborted"))

    @action
    def rm_receive(self, s: State, m: Decision) -> State:
        return replace(
            s, rm=update(s.rm, m.to, "committed" if m.commit else "aborted"), net=s.net.deliver(m)
        )

    # transaction manager -----------------------------------------------------------
    @action
    def tm_receive_prepared(self, s: State, m: Prepared) -> State | None:
        if s.tm != "init":
            return None
        return replace(s, tm_prepared=s.tm_prepared | {m.frm}, net=s.net.deliver(m))

    @action
    def tm_commit(self, s: State) -> State | None:
        if s.tm != "init" or not self.may_commit(s):
            return None
        return replace(s, tm="committed", net=s.net.send(*(Decision(i, True) for i in self.nodes)))

    @action
    def tm_abort(self, s: State) -> State | None:
        if s.tm != "init":
            return None
        return replace(s, tm="aborted", net=s.net.send(*(Decision(i, False) for i in self.nodes)))

    def may_commit(self, s: State) -> bool:
        return forall(i in s.tm_prepared for i in self.nodes)

    # properties -------------------------------------------------------------------------
    @invariant
    def consistent(self, s: State) -> bool:
        """No resource manager commits while another aborts."""
        return forall(
            implies(s.rm[i] == "committed", s.rm[j] != "aborted") for i in self.nodes for j in self.nodes
        )

    @invariant
    def commit_needs_all_prepared(self, s: State) -> bool:
        """Helper (makes `consistent` inductive): a commit decision implies every RM prepared."""
        return forall(
            implies(s.tm == "committed", s.rm[i] != "working" and s.rm[i] != "aborted" or s.rm[i] == "committed")
            for i in self.nodes
        )

    @eventually
    def all_decided(self, s: State) -> bool:
        return forall(s.rm[i] == "committed" or s.rm[i] == "aborted" for i in self.nodes)


class TwoPhaseCommitBuggy(TwoPhaseCommit):
    """Bug: the manager commits once all but one resource manager have prepared."""

    def may_commit(self, s: State) -> bool:
        return len(s.tm_prepared) >= self.N - 1


__all__ = ["State", "TwoPhaseCommit", "TwoPhaseCommitBuggy", "exists"]
