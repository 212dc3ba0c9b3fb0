"""A replicated register with quorum reads and writes (read-after-write consistency).

A write of a new version completes once W replicas store it; a read asks R
replicas and returns the newest version it saw. Strong (read-after-write)
consistency: a read that starts after a write completed returns that write's
version or a newer one. It holds when R + W > N (every read quorum meets
every write quorum); the buggy variant reads from one replica only.

Versions are unbounded integers: the explicit search is bounded by a state
constraint (MaxWrites), the proof is not.

Run:  quod protocol check examples/protocol/replicated_register.py
      quod protocol prove examples/protocol/replicated_register.py
      quod protocol check examples/protocol/replicated_register.py --model RegisterBuggy
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from quod.protocol import (
    Node,
    NodeMap,
    NodeSet,
    Params,
    Protocol,
    action,
    card,
    constraint,
    count,
    forall,
    implies,
    invariant,
    ite,
    member,
    update,
)


@dataclass(frozen=True)
class State:
    replica: NodeMap[int]  # version stored at each replica
    writing: bool
    write_ver: int  # version of the latest write started
    acks: NodeSet
    completed: int  # version of the latest completed write
    reading: bool
    read_min: int  # the completed version when the current read started
    read_from: NodeSet
    read_best: int
    stale: bool  # some read returned a version older than read_min
    fresh_at_start: NodeSet  # ghost: replicas holding >= read_min when the read started


class Register(Protocol):
    params = Params(N=3, W=2, R=2, MaxWrites=2)
    symmetric = True

    def init(self) -> State:
        none: frozenset[Node] = frozenset()
        return State((0,) * self.N, False, 0, none, 0, False, 0, none, 0, False, none)

    @constraint
    def bounded(self, s: State) -> bool:
        return s.write_ver <= self.MaxWrites

    @action
    def start_write(self, s: State) -> State | None:
        if s.writing:
            return None
        return replace(s, writing=True, write_ver=s.write_ver + 1, acks=frozenset())

    @action
    def replicate(self, s: State, i: Node) -> State | None:
        if not s.writing or i in s.acks:
            return None
        newer = ite(s.replica[i] < s.write_ver, s.write_ver, s.replica[i])
        return replace(s, replica=update(s.replica, i, newer), acks=s.acks | {i})

    @action
    def finish_write(self, s: State) -> State | None:
        if not s.writing or card(s.acks) < self.W:
            return None
        return replace(s, writing=False, completed=s.write_ver)

    @action
    def start_read(self, s: State) -> State | None:
        if s.reading:
            return None
        fresh = frozenset(i for i in self.nodes if s.replica[i] >= s.completed)
        return replace(
            s, reading=True, read_min=s.completed, read_from=frozenset(), read_best=0, fresh_at_start=fresh
        )

    @action
    def read_replica(self, s: State, i: Node) -> State | None:
        if not s.reading or i in s.read_from:
            return None
        best = ite(s.read_best < s.replica[i], s.replica[i], s.read_best)
        return replace(s, read_from=s.read_from | {i}, read_best=best)

    @action
    def finish_read(self, s: State) -> State | None:
        if not s.reading or card(s.read_from) < self.R:
            return None
        return replace(s, reading=False, stale=s.stale or s.read_best < s.read_min)

    @invariant
    def read_after_write(self, s: State) -> bool:
        """No read has returned a version older than the last write completed before it began."""
        return not s.stale

    # Helper invariants (inductive strengthening) -----------------------------------------
    @invariant
    def write_quorum(self, s: State) -> bool:
        return forall(
            [
                count(s.replica[i] >= s.completed for i in self.nodes) >= self.W,
                s.completed <= s.write_ver,
                s.read_min <= s.completed,
                *(implies(s.writing & member(i, s.acks), s.replica[i] >= s.write_ver) for i in self.nodes),
            ]
        )

    @invariant
    def read_progress(self, s: State) -> bool:
        return implies(
            s.reading,
            forall(
                [
                    card(s.fresh_at_start) >= self.W,
                    *(implies(member(i, s.fresh_at_start), s.replica[i] >= s.read_min) for i in self.nodes),
                    *(
                        implies(
                            member(i, s.fresh_at_start) & member(i, s.read_from), s.read_best >= s.read_min
                        )
                        for i in self.nodes
                    ),
                ]
            ),
        )


class RegisterBuggy(Register):
    """Bug: reads ask a single replica (R + W <= N)."""

    params = Params(N=3, W=2, R=1, MaxWrites=2)


MODEL = Register
