"""Configuration errors with locations, and the `quod agents` command line end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quod.apps.agents.config import load_config, parse_config
from quod.apps.agents.errors import ConfigError
from quod.cli.main import main

TINY = """\
seed: 1
steps: 2
tasks_per_step: 1
eval_every: 1
eval_tasks: 2
save_trajectories: true
env:
  name: app
  families: [rename]
model:
  tiny: {layers: 1, hidden: 32, heads: 2, vocab: 300}
rollout:
  group_size: 2
  max_turns: 2
  prompt_style: none
trainer:
  algo: rloo
"""


def test_defaults_and_env_options() -> None:
    cfg = parse_config(TINY)
    assert cfg.top["steps"] == 2 and cfg.trainer["lr"] == 1e-3 and cfg.sync["max_staleness"] == 0
    assert cfg.env_options() == {"families": ["rename"]}
    assert cfg.model["tiny"] == {"layers": 1, "hidden": 32, "heads": 2, "vocab": 300}


@pytest.mark.parametrize(
    "text, where, message",
    [
        ("steps: 10\nstepz: 3\n", ":2:1:", "stepz: unknown key"),
        ("trainer:\n  lr: fast\n", ":2:3:", "trainer.lr: expected an integer or a number"),
        ("rollout:\n  group_size: 0\n", ":2:3:", "must be positive"),
        ("rollout:\n  constrained: 1\n", ":2:3:", "expected true/false"),
        ("model:\n  tiny: {layers: two}\n", ":2:", "model.tiny.layers"),
        ("steps: [1\n", ":2:1:", "invalid YAML"),
        ("- 1\n- 2\n", ":1:1:", "must be a mapping"),
    ],
)
def test_config_errors_point_at_the_line(tmp_path: Path, text: str, where: str, message: str) -> None:
    p = tmp_path / "c.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_config(p)
    rendered = str(e.value)
    assert f"c.yaml{where}" in rendered and message in rendered and "Q0902" in rendered


def test_cli_train_eval_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(TINY)
    out = tmp_path / "run"
    assert (
        main(["agents", "train", str(cfg), "--out", str(out), "--no-progress", "--set", "trainer.lr=0.01"])
        == 0
    )
    printed = capsys.readouterr().out
    assert "trained 2 steps" in printed
    rows = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [0, 1] and all("eval_success" in r for r in rows)
    assert json.loads((out / "config.json").read_text())["trainer"]["lr"] == 0.01
    for name in (
        "curves.png",
        "curves.html",
        "summary.json",
        "final/config.json",
        "trajectories/step00001.jsonl",
    ):
        assert (out / name).is_file(), name
    assert "data:image/png;base64," in (out / "curves.html").read_text()

    assert main(["agents", "check", str(out / "trajectories" / "step00000.jsonl")]) == 0
    assert "2 trajectories" in capsys.readouterr().out

    assert (
        main(
            [
                "agents",
                "eval",
                str(cfg),
                "--model",
                str(out / "final"),
                "--episodes",
                "3",
                "--json",
                "--no-progress",
            ]
        )
        == 0
    )
    res = json.loads(capsys.readouterr().out)
    assert res["episodes"] == 3 and res["greedy"] is True and len(res["per_task"]) == 3

    traj_file = out / "trajectories" / "step00000.jsonl"
    lines = traj_file.read_text().splitlines()
    d = json.loads(lines[0])
    d["turns"][1]["ids"].append(5)  # more ids than logprobs
    traj_file.write_text(json.dumps(d) + "\n")
    assert main(["agents", "check", str(traj_file)]) == 1
    err = capsys.readouterr().err
    assert "step00000.jsonl:1" in err and "Q0909" in err and "Traceback" not in err


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("trainer:\n  algo: dpo\n")
    assert main(["agents", "train", str(bad), "--no-progress", "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip()
    assert "trainer.algo" in err and len(err.splitlines()) == 1
    assert main(["agents", "train", str(tmp_path / "missing.yaml")]) == 1
    assert "cannot read configuration" in capsys.readouterr().err
    assert main(["agents", "eval", str(bad), "--model", str(tmp_path / "nomodel"), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "Q0904" in err and "nomodel: no such model directory" in err


def test_cli_envs_lists_tools_with_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agents", "envs", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert set(listing) == {"app", "verify", "rag"}
    tools = {t["function"]["name"]: t["function"]["parameters"] for t in listing["rag"]["tools"]}
    assert tools["search"]["required"] == ["query"]


def test_example_configs_parse() -> None:
    examples = sorted((Path(__file__).parents[4] / "examples" / "agents").glob("*.yaml"))
    assert len(examples) >= 5
    for p in examples:
        cfg = load_config(p)
        assert cfg.env["name"] in ("app", "verify", "rag"), p


def test_pkg_model_path_errors() -> None:
    from quod.apps.agents.errors import ModelLoadError
    from quod.apps.agents.models import load_policy

    with pytest.raises(ModelLoadError, match="no installed package"):
        load_policy("pkg:surely_not_a_package_here")


def test_throughput_measure_and_table() -> None:
    from quod.apps.agents.throughput import measure_config, table

    cfg = parse_config(TINY)
    cfg.top["eval_every"] = 0
    r = measure_config(cfg, steps=2)
    assert r["steps"] == 2 and r["episodes_per_step"] == 2
    for key in (
        "rollout_tokens_per_s",
        "rollout_tokens_per_cpu_s",
        "trainer_tokens_per_s",
        "sync_ms",
        "env_steps_per_s",
    ):
        assert r[key] > 0, key
    text = table([{"model": "t", **r}])
    assert text.count("\n") == 2 and "| t |" in text


def test_loop_with_lagging_engine_respects_staleness(tmp_path: Path) -> None:
    from quod.apps.agents.loop import train

    cfg = parse_config(TINY)
    cfg.top.update(steps=4, eval_every=0, save_trajectories=False)
    cfg.sync.update(interval=2, max_staleness=1)
    res = train(cfg, tmp_path, progress=False, plots=False)
    # the engine is refreshed every second version: it samples with versions 0, 0, 2, 2
    assert [r["engine_version"] for r in res.rows] == [0, 0, 2, 2]
    assert [r["version"] for r in res.rows] == [1, 2, 3, 4]
    assert all(r["dropped_stale"] == 0 for r in res.rows)
    # on-policy steps report the sampler/trainer mismatch; one-version-old batches are importance-weighted
    assert [("logprob_mismatch" in r) for r in res.rows] == [True, False, True, False]
    assert all(t.policy_version == 2 for t in res.last_trajectories)
