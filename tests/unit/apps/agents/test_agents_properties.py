"""Hypothesis properties: trajectories, token tries, group advantages."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from quod.apps.agents.advantages import AdvInput, get_advantage
from quod.apps.agents.rollout.base import TokenTrie
from quod.apps.agents.trajectory import Trajectory

turns = st.lists(
    st.tuples(st.lists(st.integers(0, 50), min_size=1, max_size=5), st.lists(st.integers(0, 50), max_size=4)),
    min_size=1,
    max_size=4,
)


def build(group: int, spec: list[tuple[list[int], list[int]]], reward: float, version: int = 0) -> Trajectory:
    t = Trajectory(f"t{group}", group)
    t.add_prompt([1, 2])
    for k, (model_ids, obs) in enumerate(spec):
        if k and obs:
            t.add_env_turn(obs)
        t.add_model_turn(t.ids, model_ids, [-0.5] * len(model_ids), version=version)
    t.reward = reward
    return t


@settings(max_examples=60, deadline=None)
@given(turns, st.floats(0, 1))
def test_built_trajectories_validate_and_roundtrip(
    spec: list[tuple[list[int], list[int]]], reward: float
) -> None:
    t = build(0, spec, reward)
    t.validate(vocab_size=51)
    assert len(t.ids) == len(t.loss_mask) == len(t.logprobs) == t.length
    assert sum(t.loss_mask) == t.num_model_tokens == sum(len(m) for m, _ in spec)
    assert Trajectory.from_dict(t.to_dict()).to_dict() == t.to_dict()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 9), min_size=1, max_size=6), min_size=1, max_size=8))
def test_trie_paths_are_exactly_the_candidates(seqs: list[list[int]]) -> None:
    stop = 99
    cands = {tuple([*s, stop]) for s in seqs}
    trie = TokenTrie([list(c) for c in cands])
    found = set()

    def walk(node: dict[int, object], path: list[int]) -> None:
        if trie.finished(node):
            found.add(tuple(path))
            assert trie.index_of(node) is not None
            return
        for tok in trie.allowed(node):
            walk(trie.step(node, tok), [*path, tok])

    walk(trie.root, [])
    assert found == cands


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from([0.0, 0.5, 1.0]), st.integers(0, 2)),
        min_size=1,
        max_size=16,
    )
)
def test_group_advantages_are_centred_and_salt_is_neutral_on_shared_steps(
    runs: list[tuple[int, float, int]],
) -> None:
    trajs = [build(g, [([5], []), ([6 + branch], [7])], r) for g, r, branch in runs]
    rewards = [[0.0, t.reward or 0.0] for t in trajs]
    inp = AdvInput(trajs, rewards)
    for name in ("grpo", "rloo"):
        adv = get_advantage(name)(inp).advantages
        for g in {t.group_id for t in trajs}:
            total = sum(a[0] for a, t in zip(adv, trajs) if t.group_id == g)
            assert abs(total) < 1e-4, (name, g)
    salt = get_advantage("salt")(inp).advantages
    # the first step ([5]) is shared by every run of a group: neutral
    assert all(abs(a[0]) < 1e-4 for a in salt)
