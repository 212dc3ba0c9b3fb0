"""Raft-style leader election: terms, RequestVote / Vote messages, majority quorums.

Safety property (Raft's "election safety"): at most one leader per term.
Terms are bounded by MAX_TERM so the explicit search terminates; the proof
covers all runs (unbounded in time) for the given N.

Run:  quod protocol check examples/protocol/leader_election.py
      quod protocol prove examples/protocol/leader_election.py
      quod protocol check examples/protocol/leader_election.py --model LeaderElectionBuggy
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Literal

from quod.protocol import (
    Network,
    Node,
    NodeMap,
    NodeSet,
    Params,
    Protocol,
    Range,
    action,
    card,
    forall,
    implies,
    invariant,
    member,
    update,
)

MAX_TERM = 2
TermNo = Annotated[int, Range(0, MAX_TERM)]
Role = Literal["follower", "candidate", "leader"]


@dataclass(frozen=True)
class RequestVote:
    frm: Node
    to: Node
    term: TermNo


@dataclass(frozen=True)
class Vote:
    frm: Node
    to: Node
    term: TermNo
    granted: bool


@dataclass(frozen=True)
class Ballot:
    """Ghost record of a vote cast (never read by the protocol; used by the proof)."""

    voter: Node
    term: TermNo
    cand: Node


@dataclass(frozen=True)
class State:
    term: NodeMap[TermNo]
    role: NodeMap[Role]
    voted_for: NodeMap[NodeSet]  # empty: no vote in the current term; else {candidate}
    votes: NodeMap[NodeSet]  # votes a candidate has collected in its current term
    ballots: frozenset[Ballot]
    net: Network[RequestVote | Vote]


class LeaderElection(Protocol):
    params = Params(N=3, MaxTerm=MAX_TERM)  # MaxTerm <= MAX_TERM bounds the search
    symmetric = True

    def init(self) -> State:
        n = self.N
        empty: frozenset[Node] = frozenset()
        return State((0,) * n, ("follower",) * n, (empty,) * n, (empty,) * n, frozenset(), Network())

    def quorum(self, votes: NodeSet) -> bool:
        return card(votes) * 2 > self.N

    @action
    def timeout(self, s: State, i: Node) -> State | None:
        """Start an election in the next term, voting for oneself."""
        if s.role[i] == "leader" or s.term[i] >= self.MaxTerm:
            return None
        t = s.term[i] + 1
        me = frozenset({i})
        return replace(
            s,
            term=update(s.term, i, t),
            role=update(s.role, i, "candidate"),
            voted_for=update(s.voted_for, i, me),
            votes=update(s.votes, i, me),
            ballots=s.ballots | {Ballot(i, t, i)},
            net=s.net.send(*(RequestVote(i, j, t) for j in self.nodes if j != i)),
        )

    @action
    def handle_request(self, s: State, m: RequestVote) -> State:
        j = m.to
        term, role, voted = s.term, s.role, s.voted_for
        if m.term > term[j]:  # a newer term: step down and forget the old vote
            term = update(term, j, m.term)
            role = update(role, j, "follower")
            voted = update(voted, j, frozenset())
        grant = m.term == term[j] and self.may_vote(voted[j], m.frm)
        ballots = s.ballots
        if grant:
            voted = update(voted, j, frozenset({m.frm}))
            ballots = ballots | {Ballot(j, m.term, m.frm)}
        net = s.net.deliver(m)
        if grant:
            net = net.send(Vote(j, m.frm, term[j], True))
        return replace(s, term=term, role=role, voted_for=voted, ballots=ballots, net=net)

    def may_vote(self, voted: NodeSet, cand: Node) -> bool:
        return card(voted) == 0 or member(cand, voted)

    @action
    def handle_vote(self, s: State, m: Vote) -> State:
        i = m.to
        net = s.net.deliver(m)
        if m.term > s.term[i]:
            return replace(
                s,
                term=update(s.term, i, m.term),
                role=update(s.role, i, "follower"),
                voted_for=update(s.voted_for, i, frozenset()),
                net=net,
            )
        if m.term == s.term[i] and s.role[i] == "candidate" and m.granted:
            return replace(s, votes=update(s.votes, i, s.votes[i] | {m.frm}), net=net)
        return replace(s, net=net)

    @action
    def become_leader(self, s: State, i: Node) -> State | None:
        if s.role[i] != "candidate" or not self.quorum(s.votes[i]):
            return None
        return replace(s, role=update(s.role, i, "leader"))

    # --- properties -------------------------------------------------------------------
    @invariant
    def election_safety(self, s: State) -> bool:
        """At most one leader per term."""
        return forall(
            implies(s.role[i] == "leader", implies(s.role[j] == "leader", s.term[i] != s.term[j]))
            for i in self.nodes
            for j in self.nodes
            if i < j
        )

    # Helper invariants (inductive strengthening of election_safety) ------------------------
    @invariant
    def one_ballot_per_term(self, s: State) -> bool:
        return forall(
            implies(member(Ballot(k, t, a), s.ballots), neg_member(Ballot(k, t, b), s.ballots))
            for k in self.nodes
            for t in range(MAX_TERM + 1)
            for a in self.nodes
            for b in self.nodes
            if a != b
        )

    @invariant
    def ballots_are_recorded(self, s: State) -> bool:
        """A voter's ballots are in past terms or match its voted_for; votes in flight have ballots."""
        return forall(
            forall(
                [
                    implies(member(Ballot(k, t, c), s.ballots), s.term[k] >= t),
                    implies(
                        member(Ballot(k, t, c), s.ballots),
                        implies(s.term[k] == t, member(c, s.voted_for[k])),
                    ),
                    implies(member(c, s.voted_for[k]), member(Ballot(k, s.term[k], c), s.ballots)),
                    implies(s.net.has(Vote(k, c, t, True)), member(Ballot(k, t, c), s.ballots)),
                    implies(s.net.has(RequestVote(c, k, t)), member(Ballot(c, t, c), s.ballots)),
                ]
            )
            for k in self.nodes
            for c in self.nodes
            for t in range(MAX_TERM + 1)
        )

    @invariant
    def votes_are_ballots(self, s: State) -> bool:
        """Votes counted by a candidate or leader are ballots for it in its term; leaders have a quorum."""
        return forall(
            forall(
                [
                    implies(
                        s.role[i] != "follower",
                        implies(member(k, s.votes[i]), member(Ballot(k, s.term[i], i), s.ballots)),
                    ),
                    implies(s.role[i] == "leader", self.quorum(s.votes[i])),
                    implies(s.role[i] != "follower", member(i, s.voted_for[i])),
                ]
            )
            for i in self.nodes
            for k in self.nodes
        )


def neg_member(x: Ballot, s: frozenset[Ballot]) -> bool:
    from quod.protocol import neg

    return neg(member(x, s))  # type: ignore[no-any-return]


class LeaderElectionBuggy(LeaderElection):
    """Bug: a node forgets whom it voted for, so it can vote twice in one term."""

    def may_vote(self, voted: NodeSet, cand: Node) -> bool:
        return True


MODEL = LeaderElection
