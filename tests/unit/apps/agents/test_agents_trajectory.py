"""Token-in-token-out trajectories: invariants, prefix-extension check, serialisation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quod.apps.agents.errors import TrajectoryError, TrajectoryFileError
from quod.apps.agents.trajectory import Trajectory, load_jsonl, save_jsonl


def make() -> Trajectory:
    t = Trajectory("task-1", group_id=3)
    t.add_prompt([1, 2, 3])
    t.add_model_turn([1, 2, 3], [7, 8], [-0.5, -0.1], version=2, allowed=[[7, 9], [8]])
    t.add_env_turn([4, 5, 6])
    t.add_model_turn([1, 2, 3, 7, 8, 4, 5, 6], [9], [-1.0], version=3)
    t.reward = 1.0
    return t


def test_flat_views_and_mask() -> None:
    t = make()
    assert t.ids == [1, 2, 3, 7, 8, 4, 5, 6, 9]
    assert t.loss_mask == [0, 0, 0, 1, 1, 0, 0, 0, 1]
    assert t.logprobs == [0, 0, 0, -0.5, -0.1, 0, 0, 0, -1.0]
    assert t.num_model_tokens == 3
    assert t.policy_version == 2  # the oldest version that sampled a turn
    assert [x.prefix_len for x in t.turns] == [0, 3, 5, 8]
    t.validate(vocab_size=10)


def test_prefix_extension_check_rejects_a_retokenized_context() -> None:
    t = make()
    with pytest.raises(TrajectoryError, match="prefix-extension"):
        # what re-tokenizing the text might give: one merged token
        t.add_model_turn([1, 2, 3, 78, 4, 5, 6, 9], [1], [-0.1], version=3)
    with pytest.raises(TrajectoryError, match="prefix-extension"):
        t.add_model_turn(t.ids[:-1], [1], [-0.1], version=3)


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda t: t.turns[1].logprobs.append(-1.0), "logprobs"),
        (lambda t: t.turns[1].logprobs.__setitem__(0, 0.3), "positive"),
        (lambda t: t.turns[1].logprobs.__setitem__(0, float("nan")), "finite"),
        (lambda t: t.turns[1].allowed.__setitem__(0, [9]), "not among the allowed"),
        (lambda t: setattr(t.turns[2], "prefix_len", 4), "starts at"),
        (lambda t: setattr(t.turns[3], "version", -1), "version"),
        (lambda t: setattr(t.turns[2], "logprobs", [0.0, 0.0, 0.0]), "sampler data"),
        (lambda t: setattr(t, "reward", float("inf")), "not finite"),
        (lambda t: t.turns[0].ids.append(99), "vocabulary"),
    ],
)
def test_validate_catches_corruption(corrupt: object, message: str) -> None:
    t = make()
    corrupt(t)  # type: ignore[operator]
    with pytest.raises(TrajectoryError, match=message):
        t.validate(vocab_size=50)


def test_model_turn_needs_prompt_and_nonempty_ids() -> None:
    t = Trajectory("x", 0)
    with pytest.raises(TrajectoryError):
        t.add_model_turn([], [1], [-0.1], version=0)
    t.add_prompt([1])
    with pytest.raises(TrajectoryError, match="empty"):
        t.add_model_turn([1], [], [], version=0)


def test_jsonl_roundtrip_and_errors(tmp_path: Path) -> None:
    p = tmp_path / "t.jsonl"
    save_jsonl([make(), make()], p)
    back = load_jsonl(p)
    assert [b.to_dict() for b in back] == [make().to_dict(), make().to_dict()]
    bad = tmp_path / "bad.jsonl"
    lines = p.read_text().splitlines()
    d = json.loads(lines[1])
    d["turns"][1]["logprobs"][0] = 2.0
    bad.write_text(lines[0] + "\n" + json.dumps(d) + "\n")
    with pytest.raises(TrajectoryFileError, match=r"bad.jsonl:2: .*positive"):
        load_jsonl(bad)
    bad.write_text("{not json\n")
    with pytest.raises(TrajectoryFileError, match=r"bad.jsonl:1:2: invalid JSON"):
        load_jsonl(bad)
