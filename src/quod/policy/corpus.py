"""Policy collections: .json files and .jsonl files (one document per line).

A .jsonl line is either a policy document or an object whose `document`
member is one (the AWS managed-policy dumps look like that; `name` names it).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

from quod.core.errors import QuodError
from quod.policy.model import Policy
from quod.policy.parse import parse_policy


def iter_documents(path: str | Path) -> Iterator[tuple[str, str]]:
    """(name, JSON text) of each policy document in `path`."""
    p = Path(path)
    if p.suffix != ".jsonl":
        yield str(p), p.read_text(encoding="utf-8")
        return
    with p.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            name = f"{p}:{n}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                yield name, line  # the policy parser reports the error with its position
                continue
            if isinstance(obj, dict) and "document" in obj:
                doc = obj["document"]
                name = f"{p}:{n} ({obj.get('name', '?')})"
                yield name, doc if isinstance(doc, str) else json.dumps(doc)
            else:
                yield name, line


def load_all(path: str | Path) -> Iterator[tuple[str, Policy | QuodError]]:
    for name, text in iter_documents(path):
        try:
            yield name, parse_policy(text, name)
        except QuodError as e:
            yield name, e


def validate_files(files: list[str], quiet: bool = False) -> tuple[int, int]:
    ok = bad = 0
    for f in files:
        try:
            docs = list(load_all(f))
        except OSError as e:
            print(f"{f}: error[Q0002]: cannot read: {e}", file=sys.stderr)
            bad += 1
            continue
        for name, res in docs:
            if isinstance(res, QuodError):
                bad += 1
                print(res.diagnostic.render() if res.span else f"{name}: {res.diagnostic.render()}")
            else:
                ok += 1
                if not quiet:
                    print(f"{name}: ok ({len(res.statements)} statement(s))")
    return ok, bad


__all__ = ["iter_documents", "load_all", "validate_files"]
