from __future__ import annotations

from dataclasses import dataclass

import pytest

from quod.core.errors import QuodError
from quod.protocol import (
    Network,
    Params,
    Protocol,
    action,
    card,
    count,
    exists,
    forall,
    implies,
    member,
    neg,
    update,
)
from quod.protocol.dsl import canon
from quod.protocol.semantics import Semantics, all_runs


@dataclass(frozen=True)
class Msg:
    n: int


def test_network_is_a_value_multiset() -> None:
    a = Network[Msg]().send(Msg(1), Msg(1), Msg(2))
    assert a.count(Msg(1)) == 2 and len(a) == 3
    b = a.remove(Msg(1))
    assert b.count(Msg(1)) == 1 and a.count(Msg(1)) == 2  # immutable
    assert b == Network([Msg(2), Msg(1)]) and hash(b) == hash(Network([Msg(1), Msg(2)]))
    assert a.messages() == [Msg(1), Msg(2)]
    assert a.has(Msg(2)) and not a.has(Msg(3))


def test_deliver_on_a_duplicating_network_may_keep_the_message() -> None:
    net = Network([Msg(1)], duplicate=True)
    results = [r for r, _, _ in all_runs(lambda: net.deliver(Msg(1)))]
    assert sorted(r.count(Msg(1)) for r in results) == [0, 1]
    plain = Network([Msg(1)])
    assert [r.count(Msg(1)) for r, _, _ in all_runs(lambda: plain.deliver(Msg(1)))] == [0]


def test_logic_helpers_on_concrete_values() -> None:
    assert forall([True, True]) is True and forall([True, False]) is False
    assert exists([False, True]) is True and exists([]) is False
    assert implies(False, False) and not implies(True, False)
    assert neg(False) is True
    assert card(frozenset({1, 2})) == 2 and count([True, False, True]) == 2
    assert member(1, frozenset({1})) and update((1, 2, 3), 1, 9) == (1, 9, 3)


def test_canon_orders_sets_and_networks_deterministically() -> None:
    assert canon(frozenset({3, 1, 2})) == ("{}", 1, 2, 3)
    assert canon(Network([Msg(2), Msg(1)])) == ("net", (("Msg", 1), 1), (("Msg", 2), 1))


@dataclass(frozen=True)
class S:
    x: int


class Counter(Protocol):
    params = Params(K=2)

    def init(self) -> S:
        return S(0)

    @action
    def inc(self, s: S) -> S | None:
        return S(s.x + 1) if s.x < self.K else None


def test_params_are_validated() -> None:
    assert Counter(K=5).K == 5
    with pytest.raises(QuodError) as e:
        Counter(M=1)
    assert e.value.diagnostic.code == "Q0710"
    with pytest.raises(QuodError):
        Counter(K="many")
    with pytest.raises(TypeError):
        Counter.params["K"] = 3


def test_choose_enumerates_every_option() -> None:
    from quod.protocol import choose

    class Pick(Protocol):
        def init(self) -> S:
            return S(0)

        @action
        def pick(self, s: S) -> S:
            return S(choose(range(3)) + 10 * choose([0, 1]))

    sem = Semantics(Pick())
    assert sorted(t.target.x for t in sem.successors(S(0))) == [0, 1, 2, 10, 11, 12]


def test_non_frozen_states_are_rejected() -> None:
    @dataclass
    class Mutable:
        x: int

    class Bad(Protocol):
        def init(self) -> Mutable:
            return Mutable(0)

        @action
        def a(self, s: Mutable) -> None:
            return None

    with pytest.raises(QuodError):
        Semantics(Bad())


def test_bitwise_not_on_bools_is_refused() -> None:
    # ~True == -2 is truthy: silently wrong in properties, so the helpers refuse non-bools
    with pytest.raises(QuodError):
        implies(True, ~True)
    with pytest.raises(QuodError):
        forall([~False])
