"""Tool-call parsing and the app environment: scripted runs, checker, constrained candidates."""

from __future__ import annotations

import json
import posixpath

import pytest

from quod.apps.agents.envs import make_env
from quod.apps.agents.envs.app import AppEnv, AppState, diff_states
from quod.apps.agents.errors import ConfigError, UnknownComponentError
from quod.apps.agents.tools import BadCall, ToolCall, parse_action


def call(tool: str, **args: object) -> str:
    return ToolCall(tool, dict(args)).render()


def test_parse_action_forms_and_errors() -> None:
    tools = AppEnv().tools()
    assert parse_action('{"tool": "list_files", "args": {"dir": "/docs"}}', tools) == ToolCall(
        "list_files", {"dir": "/docs"}
    )
    hermes = '<tool_call>{"name": "list_files", "arguments": "{\\"dir\\": \\"/docs\\"}"}</tool_call>'
    assert parse_action(hermes, tools) == ToolCall("list_files", {"dir": "/docs"})
    assert parse_action('I will call {"tool": "finish", "args": {}} now', tools) == ToolCall("finish", {})
    for text, msg in [
        ("no json here", "no tool call"),
        ('{"tool": "rm", "args": {}}', "unknown tool"),
        ('{"tool": "list_files", "args": {"dir": "/etc"}}', "is not one of"),
        ('{"tool": "list_files", "args": {}}', "required property"),
        ('{"tool": "list_files", "args": {"dir": "/docs", "x": 1}}', "Additional properties"),
        ('{"tool": "create_event", "args": {"title": "t", "date": "May 1", "attendees": ["a"]}}', "date"),
    ]:
        r = parse_action(text, tools)
        assert isinstance(r, BadCall) and msg in r.message, (text, r)


def solve(env: AppEnv) -> list[str]:
    """A scripted agent that reads the instruction and the observations (the oracle policy)."""
    assert env.task is not None
    d = env.task.data
    fam = d["family"]
    actions = []
    if fam in ("recycle_old", "date_prefix"):
        obs = env.step(call("list_files", dir="/docs")).observation
        actions.append(obs)
        for item in obs.split("; "):
            name, date = item.split(" ")
            path = f"/docs/{name}"
            if fam == "date_prefix":
                env.step(call("rename_file", path=path, new_name=f"{date}_{name}"))
                path = f"/docs/{date}_{name}"
            if not date.startswith(str(d["year"])):
                env.step(call("move_file", path=path, dest="/recycle"))
    elif fam == "rename":
        env.step(call("rename_file", path=d["mentioned"][0], new_name=d["new_name"]))
    else:
        email = env.step(call("get_contact", name=d["mentioned"][0])).observation
        env.step(call("create_event", title=d["title"], date=d["date"], attendees=[email]))
    res = env.step(call("finish"))
    assert res.done
    return actions


@pytest.mark.parametrize("family", ["recycle_old", "date_prefix", "rename", "schedule"])
def test_oracle_solves_every_task(family: str) -> None:
    env = AppEnv(families=[family])
    for task in env.tasks("train", 12) + env.tasks("test", 6):
        env.reset(task)
        solve(env)
        assert env.episode_reward() == 1.0, (
            task.instruction,
            diff_states(env.state, AppState.from_json(task.ground_truth)),
        )


def test_checker_rejects_doing_too_much_or_too_little() -> None:
    env = AppEnv(families=["recycle_old"], files=(3, 3))
    task = env.tasks("train", 1)[0]
    env.reset(task)
    env.step(call("finish"))
    assert env.episode_reward() == 0.0  # nothing done
    env.reset(task)
    solve(env)
    keep = next(p for p in env.state.files if p.startswith("/docs/"))
    env.state.files[posixpath.join("/recycle", posixpath.basename(keep))] = env.state.files.pop(keep)
    assert env.episode_reward() == 0.0  # one file too many in the bin
    assert any(
        "missing file /docs/" in x for x in diff_states(env.state, AppState.from_json(task.ground_truth))
    )


def test_bad_calls_are_observations_not_crashes() -> None:
    env = AppEnv()
    env.reset(env.tasks("train", 1)[0])
    r = env.step("move everything please")
    assert not r.done and r.observation.startswith("error:") and env.num_bad_calls == 1
    r = env.step(call("move_file", path="/docs/none.txt", dest="/recycle"))
    assert r.observation == "error: no file /docs/none.txt"


def test_candidates_offer_only_known_entities_and_contain_the_solution() -> None:
    env = AppEnv(families=["recycle_old"])
    task = env.tasks("train", 1)[0]
    env.reset(task)
    first = env.candidate_actions()
    assert first is not None and not any("move_file" in c for c in first)  # no file seen yet
    env.step(call("list_files", dir="/docs"))
    after = env.candidate_actions()
    assert after is not None
    docs = [p for p in env.state.files if p.startswith("/docs/")]
    for p in docs:
        assert call("move_file", path=p, dest="/recycle") in after
    for c in after:
        assert isinstance(parse_action(c, env.tools()), ToolCall)
    sched = AppEnv(families=["schedule"])
    sched.reset(sched.tasks("train", 1)[0])
    assert not any("create_event" in c for c in sched.candidate_actions() or [])


def test_tasks_are_deterministic_and_splits_differ() -> None:
    a, b = AppEnv(), AppEnv()
    assert [t.instruction for t in a.tasks("train", 10)] == [t.instruction for t in b.tasks("train", 10)]
    assert json.dumps([t.data for t in a.tasks("train", 10)]) != json.dumps(
        [t.data for t in a.tasks("test", 10)]
    )


def test_make_env_errors() -> None:
    with pytest.raises(UnknownComponentError, match="env.name"):
        make_env("nope")
    with pytest.raises(ConfigError, match="families"):
        make_env("app", families=["cooking"])
    with pytest.raises(ConfigError, match="bad option"):
        make_env("app", colour="red")
