"""`quod smtlib`: check, summarise or re-print SMT-LIB files.

    quod smtlib FILE_OR_DIR...        parse; one summary line per file
    quod smtlib --print FILE          the normalised script (parses back identically)
    quod smtlib --roundtrip DIR       also check parse(print(parse(f))) == parse(f)

Also runnable as `python -m quod.smtlib`. Errors are printed as
`file:line:col: error[Q02xx]: message`; the exit status is 1 if any file failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from quod.core.errors import QuodError, Span


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("smtlib", help="check, summarise or re-print SMT-LIB v2.6 files")
    add_arguments(p)
    p.set_defaults(func=run)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="FILE", help="SMT-LIB files or directories ('-' reads stdin)")
    p.add_argument("--print", dest="print_script", action="store_true", help="print the normalised script(s)")
    p.add_argument(
        "--roundtrip", action="store_true", help="check that printing and re-parsing gives the same script"
    )
    p.add_argument("--quiet", "-q", action="store_true", help="only report errors")


def _files(paths: Sequence[str]) -> Iterator[str]:
    for p in paths:
        path = Path(p)
        if p != "-" and path.is_dir():
            yield from (str(f) for f in sorted(path.rglob("*.smt2")))
        else:
            yield p


def run(args: argparse.Namespace) -> int:
    from quod.smtlib import parse_file, parse_script
    from quod.smtlib.writer import print_script

    files = list(_files(args.paths))
    failed = 0
    total_bytes = 0
    total_time = 0.0
    show_progress = len(files) > 1 and sys.stderr.isatty()
    for i, name in enumerate(files, 1):
        if show_progress:
            print(f"\r[{i}/{len(files)}] {name[-60:]:60}", end="", file=sys.stderr, flush=True)
        try:
            start = time.perf_counter()
            if name == "-":
                text = sys.stdin.read()
                script = parse_script(text, "<stdin>")
                size = len(text.encode())
            else:
                script = parse_file(name)
                size = Path(name).stat().st_size
            elapsed = time.perf_counter() - start
            if args.roundtrip and parse_script(print_script(script), name) != script:
                raise QuodError("printing and re-parsing changed the script", Span(name, 1, 1), "Q0001")
        except QuodError as e:
            failed += 1
            if show_progress:
                print(file=sys.stderr)
            print(e.diagnostic.render(), file=sys.stderr)
            continue
        total_bytes += size
        total_time += elapsed
        if args.print_script:
            sys.stdout.write(print_script(script))
        elif not args.quiet:
            n_assert = sum(1 for c in script if c.name == "assert")
            print(
                f"{name}: {len(script)} commands, {n_assert} assertions, logic {script.logic or '-'}, "
                f"status {script.status or '-'}, {size / 1e6:.2f} MB in {elapsed:.2f} s"
            )
    if show_progress:
        print(file=sys.stderr)
    if not args.quiet and not args.print_script and len(files) > 1 and total_time > 0:
        print(
            f"{len(files) - failed} of {len(files)} files parsed, "
            f"{total_bytes / 1e6:.1f} MB at {total_bytes / 1e6 / total_time:.2f} MB/s"
        )
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quod.smtlib", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except BrokenPipeError:
        return 0


__all__ = ["add_arguments", "main", "register", "run"]
