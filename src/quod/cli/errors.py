"""`quod errors [CODE]`: the stable error codes quod reports, and what they mean.

Codes are registered by the module that raises them (quod.core.errors.CODES
plus `register_codes` calls), so this command imports every quod module to
see them all. `--markdown` prints the table that docs/errors.md holds.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import quod
from quod.core.errors import CODES, QuodError

# First digits of a code -> the part of quod that owns it.
AREAS: dict[str, str] = {
    "Q00": "command line and files",
    "Q01": "terms and sorts (core)",
    "Q02": "SMT-LIB reader and writer",
    "Q03": "backends",
    "Q04": "eager engine, SAT layer, job-shop generator",
    "Q05": "scale: Ray, store",
    "Q06": "program verifier",
    "Q07": "protocols",
    "Q08": "access policies",
    "Q09": "agents",
    "Q10": "fairness",
    "Q11": "trusted kernel and certificates",
}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("errors", help="list quod's error codes, or explain one")
    p.add_argument("code", nargs="?", help="an error code such as Q0201")
    p.add_argument("--markdown", action="store_true", help="print the table of docs/errors.md")
    p.set_defaults(func=run)


def all_codes() -> dict[str, str]:
    """Every registered code, after importing every quod module that imports cleanly."""
    for info in pkgutil.walk_packages(quod.__path__, "quod."):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:  # an optional extra that is not installed; its codes are listed in the docs
            continue
    return dict(sorted(CODES.items()))


def markdown(codes: dict[str, str]) -> str:
    lines = [
        "# Error codes",
        "",
        "Every error quod reports carries a stable code, a location where there is one",
        "(`file:line:col`, a JSON path, a source span) and exits non-zero. This table is",
        "generated from the registry (`quod errors --markdown > docs/errors.md`); a test",
        "keeps it in sync. `quod errors CODE` explains one code.",
        "",
    ]
    area = None
    for code, text in codes.items():
        if code[:3] != area:
            area = code[:3]
            lines += [
                "",
                f"## {code[:3]}xx: {AREAS.get(area, 'other')}",
                "",
                "| code | meaning |",
                "|---|---|",
            ]
        lines.append(f"| {code} | {text.replace('|', '/')} |")
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


def run(args: argparse.Namespace) -> int:
    codes = all_codes()
    if args.markdown:
        sys.stdout.write(markdown(codes))
        return 0
    if args.code is not None:
        code = args.code.upper()
        if code not in codes:
            raise QuodError(f"unknown error code {args.code!r} (see `quod errors`)", code="Q0003")
        print(f"{code}: {codes[code]} ({AREAS.get(code[:3], 'other')})")
        return 0
    for code, text in codes.items():
        print(f"{code}  {text}")
    return 0
