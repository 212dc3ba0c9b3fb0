"""Error codes: unique per meaning, every raised code registered, docs/errors.md in sync."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _quod(*argv: str) -> subprocess.CompletedProcess[str]:
    # a fresh process: listing the codes imports every quod module
    return subprocess.run([sys.executable, "-m", "quod", *argv], capture_output=True, text=True, timeout=300)


def test_every_code_raised_in_the_sources_is_registered() -> None:
    proc = _quod("errors")
    assert proc.returncode == 0, proc.stderr
    registered = {line.split()[0] for line in proc.stdout.splitlines()}
    used: dict[str, Path] = {}
    for path in (ROOT / "src" / "quod").rglob("*.py"):
        for code in re.findall(r"code\s*=\s*\"(Q\d{4})\"", path.read_text()):
            used.setdefault(code, path)
    assert len(used) > 50
    missing = {c: str(p.relative_to(ROOT)) for c, p in used.items() if c not in registered}
    assert not missing, f"codes raised but never registered: {missing}"


def test_docs_errors_md_is_the_generated_table() -> None:
    proc = _quod("errors", "--markdown")
    assert proc.returncode == 0, proc.stderr
    assert (ROOT / "docs" / "errors.md").read_text() == proc.stdout, (
        "docs/errors.md is stale: quod errors --markdown > docs/errors.md"
    )


def test_explain_one_code_and_reject_unknown() -> None:
    proc = _quod("errors", "q0201")
    assert proc.returncode == 0 and proc.stdout.startswith("Q0201: SMT-LIB syntax error")
    proc = _quod("errors", "Q9999")
    assert proc.returncode == 1 and "unknown error code" in proc.stderr and "Traceback" not in proc.stderr


def test_registering_one_code_with_two_meanings_is_refused() -> None:
    from quod.core.errors import register_codes

    register_codes({"Q0201": "SMT-LIB syntax error"})  # same meaning again: fine
    try:
        register_codes({"Q0201": "something else"})
    except ValueError as e:
        assert "Q0201" in str(e)
    else:
        raise AssertionError("a second meaning for Q0201 was accepted")


def test_a_bug_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import quod.cli.errors as errors_cmd
    from quod.cli.main import main

    def boom(_: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(errors_cmd, "run", boom)
    monkeypatch.delenv("QUOD_TRACEBACK", raising=False)
    assert main(["errors"]) == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error[Q0001]: RuntimeError: boom" in err
