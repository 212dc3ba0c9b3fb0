"""SMT-LIB v2.6 reader and writer.

    from quod.smtlib import parse_file, print_script
    script = parse_file("examples/smtlib/scheduling.smt2")
    script.logic, script.status, script.assertions()
    text = print_script(script)          # parses back to the same commands

Terms are core terms (`quod.core`), hash-consed, so `let` becomes sharing
and `parse(print(parse(f))) == parse(f)` compares terms by identity.
"""

from quod.smtlib.commands import (
    Assert,
    CheckSat,
    CheckSatAssuming,
    Command,
    DeclareConst,
    DeclareFun,
    DeclareSort,
    DefineFun,
    DefineSort,
    Echo,
    Exit,
    GetAssertions,
    GetAssignment,
    GetInfo,
    GetModel,
    GetOption,
    GetProof,
    GetUnsatAssumptions,
    GetUnsatCore,
    GetValue,
    Pop,
    Push,
    Reset,
    ResetAssertions,
    Script,
    SetInfo,
    SetLogic,
    SetOption,
    SExpr,
)
from quod.smtlib.errors import SmtlibError
from quod.smtlib.parser import parse_file, parse_script, parse_term
from quod.smtlib.writer import print_assertions, print_command, print_script, print_sort, print_term

__all__ = [
    "Assert",
    "CheckSat",
    "CheckSatAssuming",
    "Command",
    "DeclareConst",
    "DeclareFun",
    "DeclareSort",
    "DefineFun",
    "DefineSort",
    "Echo",
    "Exit",
    "GetAssertions",
    "GetAssignment",
    "GetInfo",
    "GetModel",
    "GetOption",
    "GetProof",
    "GetUnsatAssumptions",
    "GetUnsatCore",
    "GetValue",
    "Pop",
    "Push",
    "Reset",
    "ResetAssertions",
    "SExpr",
    "Script",
    "SetInfo",
    "SetLogic",
    "SetOption",
    "SmtlibError",
    "parse_file",
    "parse_script",
    "parse_term",
    "print_assertions",
    "print_command",
    "print_script",
    "print_sort",
    "print_term",
]
