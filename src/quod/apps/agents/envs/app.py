"""An AppWorld-like environment: a simulated file system, contacts and calendar.

The agent changes the state only through the app's API (list, read, move,
rename, look up contacts, create events). A task comes with the state the
world must be in afterwards; the checker compares the final state with it
field by field, so doing too much (moving a file that should stay) fails as
surely as doing too little. Tasks are generated from a seed:

- `recycle_old`: move the files in /docs not from the given year to /recycle;
- `date_prefix`: prefix every file in /docs with its creation date and move
  the files not from the given year to /recycle (AppWorld's example task);
- `rename`: rename one file;
- `schedule`: create an event with a contact, whose e-mail must be looked up.
"""

from __future__ import annotations

import copy
import posixpath
from dataclasses import dataclass, field
from typing import Any

from quod.apps.agents.envs.base import Task, ToolEnv, split_rng
from quod.apps.agents.errors import ConfigError
from quod.apps.agents.tools import STR, Tool, ToolCall, obj

DIRS = ("/docs", "/photos", "/recycle", "/archive")
RECYCLE = "/recycle"
FILE_NAMES = (
    "report.txt",
    "notes.md",
    "budget.csv",
    "draft.txt",
    "todo.txt",
    "plan.md",
    "invoice.pdf",
    "slides.pdf",
)
PEOPLE = (
    ("Ada Park", "ada@example.org"),
    ("Ben Ortiz", "ben@example.org"),
    ("Chen Li", "chen@example.org"),
    ("Dana Roy", "dana@example.org"),
    ("Eli Novak", "eli@example.org"),
)
TITLES = ("budget review", "design sync", "hiring plan", "retro")
FAMILIES = ("recycle_old", "date_prefix", "rename", "schedule")


@dataclass
class AppState:
    # path -> (creation date YYYY-MM-DD, content)
    files: dict[str, tuple[str, str]] = field(default_factory=dict)
    # name -> e-mail
    contacts: dict[str, str] = field(default_factory=dict)
    # (title, date, attendees)
    events: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "files": {p: list(v) for p, v in sorted(self.files.items())},
            "contacts": dict(sorted(self.contacts.items())),
            "events": sorted([t, d, sorted(a)] for t, d, a in self.events),
        }

    @staticmethod
    def from_json(d: dict[str, Any]) -> AppState:
        return AppState(
            files={p: (v[0], v[1]) for p, v in d["files"].items()},
            contacts=dict(d["contacts"]),
            events=[(t, dt, tuple(a)) for t, dt, a in d["events"]],
        )


def diff_states(final: AppState, expected: AppState) -> list[str]:
    """Human-readable differences; empty iff the states are equal."""
    out: list[str] = []
    for p in sorted(set(final.files) | set(expected.files)):
        if p not in final.files:
            out.append(f"missing file {p}")
        elif p not in expected.files:
            out.append(f"unexpected file {p}")
        elif final.files[p] != expected.files[p]:
            out.append(f"file {p} changed")
    if final.contacts != expected.contacts:
        out.append("contacts changed")
    fe = sorted((t, d, tuple(sorted(a))) for t, d, a in final.events)
    ee = sorted((t, d, tuple(sorted(a))) for t, d, a in expected.events)
    if fe != ee:
        out.append(f"events differ: got {fe}, expected {ee}")
    return out


class AppEnv(ToolEnv):
    name = "app"

    def __init__(
        self, families: tuple[str, ...] | list[str] = FAMILIES, files: tuple[int, int] = (2, 4)
    ) -> None:
        super().__init__()
        bad = [f for f in families if f not in FAMILIES]
        if bad or not families:
            raise ConfigError(f"env.families: unknown task family {bad} (known: {', '.join(FAMILIES)})")
        if not 1 <= files[0] <= files[1] <= len(FILE_NAMES):
            raise ConfigError(f"env.files: need 1 <= min <= max <= {len(FILE_NAMES)}, got {list(files)}")
        self.families = tuple(families)
        self.file_range = files
        self.state = AppState()
        self.known: set[str] = set()

    # --- tools --------------------------------------------------------------

    def tools(self) -> list[Tool]:
        dir_schema = {"type": "string", "enum": list(DIRS)}
        return [
            Tool(
                "list_files",
                "List the files of a directory with their creation dates.",
                obj(["dir"], dir=dir_schema),
            ),
            Tool("read_file", "Read a file.", obj(["path"], path=STR)),
            Tool(
                "move_file",
                "Move a file into another directory.",
                obj(["path", "dest"], path=STR, dest=dir_schema),
            ),
            Tool("rename_file", "Rename a file in place.", obj(["path", "new_name"], path=STR, new_name=STR)),
            Tool("list_contacts", "List contact names.", obj()),
            Tool("get_contact", "Look up a contact's e-mail address.", obj(["name"], name=STR)),
            Tool(
                "create_event",
                "Create a calendar event.",
                obj(
                    ["title", "date", "attendees"],
                    title=STR,
                    date={"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                    attendees={"type": "array", "items": STR, "minItems": 1},
                ),
            ),
            Tool("finish", "Declare the task complete.", obj()),
        ]

    def tool_list_files(self, dir: str) -> str:
        self.known.update(p for p in self.state.files if posixpath.dirname(p) == dir)
        rows = [
            f"{posixpath.basename(p)} {d}"
            for p, (d, _) in sorted(self.state.files.items())
            if posixpath.dirname(p) == dir
        ]
        return "; ".join(rows) if rows else "(empty)"

    def tool_read_file(self, path: str) -> str:
        entry = self.state.files.get(path)
        return entry[1] if entry else f"error: no file {path}"

    def tool_move_file(self, path: str, dest: str) -> str:
        if path not in self.state.files:
            return f"error: no file {path}"
        target = posixpath.join(dest, posixpath.basename(path))
        if target in self.state.files:
            return f"error: {target} exists"
        self.state.files[target] = self.state.files.pop(path)
        return f"moved to {target}"

    def tool_rename_file(self, path: str, new_name: str) -> str:
        if path not in self.state.files:
            return f"error: no file {path}"
        if "/" in new_name or not new_name:
            return "error: new_name must be a plain file name"
        target = posixpath.join(posixpath.dirname(path), new_name)
        if target in self.state.files:
            return f"error: {target} exists"
        self.state.files[target] = self.state.files.pop(path)
        return f"renamed to {target}"

    def tool_list_contacts(self) -> str:
        self.known.update(self.state.contacts)
        return "; ".join(sorted(self.state.contacts))

    def tool_get_contact(self, name: str) -> str:
        email = self.state.contacts.get(name)
        if email:
            self.known.add(email)
        return email if email else f"error: no contact {name}"

    def tool_create_event(self, title: str, date: str, attendees: list[str]) -> str:
        unknown = [a for a in attendees if a not in self.state.contacts.values()]
        if unknown:
            return f"error: unknown attendee {unknown[0]}"
        self.state.events.append((title, date, tuple(attendees)))
        return "event created"

    # --- episode ------------------------------------------------------------

    def _reset_state(self, task: Task) -> None:
        self.state = AppState.from_json(copy.deepcopy(task.data["state"]))
        # entities the agent has seen (instruction or observations): constrained
        # decoding offers calls over these only, as an agent cannot name a file it never saw
        self.known = set(task.data.get("mentioned", []))

    def final_state(self) -> AppState:
        return self.state

    def reward(self, final_state: Any, ground_truth: Any) -> float:
        expected = AppState.from_json(ground_truth)
        return 0.0 if diff_states(final_state, expected) else 1.0

    def candidate_actions(self) -> list[str] | None:
        """Well-formed calls over the entities of the state and the instruction."""
        assert self.task is not None
        fam = self.task.data["family"]
        calls = [ToolCall("list_files", {"dir": "/docs"}), ToolCall("list_files", {"dir": "/photos"})]
        docs = sorted(p for p in self.state.files if posixpath.dirname(p) == "/docs" and p in self.known)
        if fam in ("recycle_old", "date_prefix"):
            calls += [ToolCall("move_file", {"path": p, "dest": RECYCLE}) for p in docs]
        if fam == "date_prefix":
            for p in docs:
                date = self.state.files[p][0]
                base = posixpath.basename(p)
                if not base.startswith(date):
                    calls.append(ToolCall("rename_file", {"path": p, "new_name": f"{date}_{base}"}))
        if fam == "rename":
            new = self.task.data["new_name"]
            calls += [ToolCall("rename_file", {"path": p, "new_name": new}) for p in docs]
        if fam == "schedule":
            calls.append(ToolCall("list_contacts", {}))
            calls += [
                ToolCall("get_contact", {"name": n}) for n in sorted(self.state.contacts) if n in self.known
            ]
            title, date = self.task.data["title"], self.task.data["date"]
            calls += [
                ToolCall("create_event", {"title": title, "date": date, "attendees": [e]})
                for e in sorted(self.state.contacts.values())
                if e in self.known
            ]
        calls.append(ToolCall("finish", {}))
        return [c.render() for c in calls]

    # --- tasks --------------------------------------------------------------

    def tasks(self, split: str = "train", n: int | None = None, seed: int = 0) -> list[Task]:
        rng = split_rng(seed, f"app:{split}")
        count = n if n is not None else (64 if split == "train" else 32)
        return [self._make_task(rng, f"app-{split}-{i}") for i in range(count)]

    def _make_task(self, rng: Any, tid: str) -> Task:
        fam = rng.choice(self.families)
        year = rng.choice([2023, 2024, 2025])
        k = rng.randint(*self.file_range)
        names = rng.sample(FILE_NAMES, k)
        files: dict[str, tuple[str, str]] = {}
        for i, name in enumerate(names):
            # at least one file of each kind when there are two or more
            y = year if i == 0 else (year - 1 if i == 1 else rng.choice([year, year - 1, year - 2]))
            files[f"/docs/{name}"] = (
                f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                f"contents of {name}",
            )
        files["/photos/beach.jpg"] = (f"{year - 1}-07-14", "jpeg")
        people = rng.sample(PEOPLE, 3)
        state = AppState(files=files, contacts=dict(people))
        expected = copy.deepcopy(state)
        data: dict[str, Any] = {"family": fam, "year": year}
        if fam == "recycle_old":
            instr = f"Move the files in /docs that are not from {year} to the recycle bin."
            expected.files = _recycle(state.files, year, prefix=False)
        elif fam == "date_prefix":
            instr = (
                f"Add the creation date as prefix (YYYY-MM-DD_) to the names of the files in /docs and move "
                f"the files not from {year} to the recycle bin."
            )
            expected.files = _recycle(state.files, year, prefix=True)
        elif fam == "rename":
            old = f"/docs/{names[0]}"
            stem, dot, ext = names[0].partition(".")
            new = f"{stem}_final{dot}{ext}"
            instr = f"Rename {old} to {new}."
            data["new_name"] = new
            data["mentioned"] = [old]
            expected.files[f"/docs/{new}"] = expected.files.pop(old)
        else:
            who, email = people[0]
            title, date = rng.choice(TITLES), f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            instr = f"Schedule a meeting titled '{title}' on {date} with {who}."
            data.update(title=title, date=date, mentioned=[who])
            expected.events = [(title, date, (email,))]
        data["state"] = state.to_json()
        return Task(tid, instr, expected.to_json(), data)


def _recycle(files: dict[str, tuple[str, str]], year: int, prefix: bool) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for p, (date, content) in files.items():
        d, base = posixpath.split(p)
        if d != "/docs":
            out[p] = (date, content)
            continue
        name = f"{date}_{base}" if prefix else base
        where = "/docs" if date.startswith(str(year)) else RECYCLE
        out[f"{where}/{name}"] = (date, content)
    return out
