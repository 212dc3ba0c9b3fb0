"""`quod` command: dispatches to one module per subcommand.

Each subcommand module defines `register(subparsers)` (adds its parser and
sets `func`) and is imported only when needed, so `quod --help` stays fast
and heavy dependencies load only for the command that uses them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from quod import __version__
from quod.core.errors import QuodError

# subcommand -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "solve": ("quod.cli.solve", "solve an SMT-LIB file (behaves like an SMT-LIB solver)"),
    "check": ("quod.cli.check", "check a certificate bundle with the trusted kernel"),
    "smtlib": ("quod.smtlib.cli", "check, summarise or re-print SMT-LIB v2.6 files"),
    "bench": ("quod.cli.bench", "run backends over benchmark files; tables and cactus plots"),
    "verify": ("quod.cli.verify", "prove contracts of Python functions"),
    "protocol": ("quod.cli.protocol", "check protocol models; prove invariants; monitor logs"),
    "policy": ("quod.cli.policy", "analyse access policies"),
    "agents": ("quod.cli.agents", "train and evaluate tool-using agents with verifiable rewards"),
    "fairness": ("quod.cli.fairness", "disaggregated evaluation and bias bounties"),
    "errors": ("quod.cli.errors", "list quod's error codes, or explain one"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"quod: error[Q0003]: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = _Parser(prog="quod", description="Automated reasoning whose every verdict can be checked.")
    parser.add_argument("--version", action="version", version=f"quod {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    wanted = next((a for a in argv if not a.startswith("-")), None)
    for name, (module, help_text) in COMMANDS.items():
        if name == wanted:
            mod = importlib.import_module(module)
            mod.register(sub)
        else:
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        code: int = args.func(args)
    except QuodError as e:
        print(e.diagnostic.render(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("quod: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # a bug in quod, not bad input: one line, and the traceback on request
        if os.environ.get("QUOD_TRACEBACK"):
            raise
        print(
            f"quod: internal error[Q0001]: {type(e).__name__}: {e} "
            "(this is a bug in quod; QUOD_TRACEBACK=1 shows the traceback)",
            file=sys.stderr,
        )
        return 70
    return code


if __name__ == "__main__":
    raise SystemExit(main())
