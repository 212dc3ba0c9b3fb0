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
    Params,
    Protocol,
    action,
    card,
    eventually,
    exists,
    forall,
    implies,
    invariant,
    member,
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
    params = Params(N=3)
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
        return replace(s, rm=update(s.rm, m.to, "committed" if m.commit else "aborted"), net=s.net.deliver(m))

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

    # Helper invariants: together with `consistent` they are inductive, so the
    # proof needs no invariant search (quod protocol prove finds one with Spacer
    # for small N if these are removed).
    @invariant
    def prepared_means_prepared(self, s: State) -> bool:
        """A Prepared message or a recorded vote means the RM prepared (and aborts only on the TM's word)."""
        return forall(
            implies(
                exists([s.net.has(Prepared(i)), member(i, s.tm_prepared)]),
                exists(
                    [
                        s.rm[i] == "prepared",
                        s.rm[i] == "committed",
                        forall([s.rm[i] == "aborted", s.tm == "aborted"]),
                    ]
                ),
            )
            for i in self.nodes
        )

    @invariant
    def decisions_match_tm(self, s: State) -> bool:
        return forall(
            forall(
                [
                    implies(s.net.has(Decision(i, True)), s.tm == "committed"),
                    implies(s.net.has(Decision(i, False)), s.tm == "aborted"),
                    implies(s.rm[i] == "committed", s.tm == "committed"),
                    implies(s.tm == "committed", member(i, s.tm_prepared)),
                ]
            )
            for i in self.nodes
        )

    @eventually
    def all_decided(self, s: State) -> bool:
        return forall(s.rm[i] == "committed" or s.rm[i] == "aborted" for i in self.nodes)


class TwoPhaseCommitBuggy(TwoPhaseCommit):
    """Bug: the manager commits once all but one resource manager have prepared."""

    def may_commit(self, s: State) -> bool:
        return card(s.tm_prepared) >= self.N - 1


__all__ = ["State", "TwoPhaseCommit", "TwoPhaseCommitBuggy", "exists"]


class TwoPhaseCommitLossy(TwoPhaseCommit):
    """Liveness bug: the network may lose messages, so a resource manager can wait forever.

    Safety still holds; `all_decided` fails with a lasso-shaped trace."""

    def init(self) -> State:
        return replace(super().init(), net=Network(lossy=True))


MODEL = TwoPhaseCommit
