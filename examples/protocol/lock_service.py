"""A lock service with leases (Chubby-style), with a global clock.

The server grants the lock for LEASE ticks; a client may use it while its
lease is valid and must stop when it expires, even if it never released.
Mutual exclusion: no two clients hold a valid lease at the same time. The
buggy client computes its lease end from a clock that runs one tick slow, so
it keeps using the lock after the server has given it to someone else.

The clock is an unbounded integer: the search is bounded by MaxClock, the
proof is not.

Run:  quod protocol check examples/protocol/lock_service.py
      quod protocol prove examples/protocol/lock_service.py
      quod protocol check examples/protocol/lock_service.py --model LockServiceBuggy
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from quod.protocol import (
    Node,
    NodeMap,
    NodeSet,
    Params,
    Protocol,
    action,
    card,
    constraint,
    forall,
    implies,
    invariant,
    member,
    neg,
    update,
)

Client = Literal["idle", "waiting", "holding"]


@dataclass(frozen=True)
class State:
    clock: int
    holder: NodeSet  # the server's view: empty (free) or the one client it granted
    expires: int  # the server's lease end for the holder
    client: NodeMap[Client]
    lease_end: NodeMap[int]  # when each client believes its lease ends


class LockService(Protocol):
    params = Params(N=2, LEASE=2, MaxClock=5)
    symmetric = True

    def init(self) -> State:
        return State(0, frozenset(), 0, ("idle",) * self.N, (0,) * self.N)

    @constraint
    def bounded(self, s: State) -> bool:
        return s.clock <= self.MaxClock

    def valid(self, s: State, i: int) -> bool:
        return forall([s.client[i] == "holding", s.clock < s.lease_end[i]])  # type: ignore[no-any-return]

    @action
    def tick(self, s: State) -> State:
        return replace(s, clock=s.clock + 1)

    @action
    def request(self, s: State, i: Node) -> State | None:
        if s.client[i] != "idle":
            return None
        return replace(s, client=update(s.client, i, "waiting"))

    @action
    def grant(self, s: State, i: Node) -> State | None:
        if s.client[i] != "waiting" or not (card(s.holder) == 0 or s.clock >= s.expires):
            return None
        end = s.clock + self.LEASE
        return replace(
            s,
            holder=frozenset({i}),
            expires=end,
            client=update(s.client, i, "holding"),
            lease_end=update(s.lease_end, i, self.client_lease_end(end)),
        )

    def client_lease_end(self, server_end: int) -> int:
        return server_end

    @action
    def release(self, s: State, i: Node) -> State | None:
        if s.client[i] != "holding":
            return None
        return replace(s, client=update(s.client, i, "idle"), holder=s.holder - {i})

    @action
    def expire(self, s: State, i: Node) -> State | None:
        if s.client[i] != "holding" or s.clock < s.lease_end[i]:
            return None
        return replace(s, client=update(s.client, i, "idle"))

    @invariant
    def mutual_exclusion(self, s: State) -> bool:
        """No two clients hold valid leases at once."""
        return forall(
            implies(self.valid(s, i), neg(self.valid(s, j))) for i in self.nodes for j in self.nodes if i < j
        )

    @invariant
    def valid_lease_is_granted(self, s: State) -> bool:
        """Helper: a valid lease is the server's current grant and ends no later than the server's."""
        return forall(
            [
                card(s.holder) <= 1,
                *(
                    implies(self.valid(s, i), member(i, s.holder) & (s.lease_end[i] <= s.expires))
                    for i in self.nodes
                ),
            ]
        )


class LockServiceBuggy(LockService):
    """Bug: the client's clock runs one tick slow, so its lease ends one tick late."""

    def client_lease_end(self, server_end: int) -> int:
        return server_end + 1


MODEL = LockService
