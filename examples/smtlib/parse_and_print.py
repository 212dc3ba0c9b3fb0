"""Read an SMT-LIB file, look at its commands and terms, and print it back.

python examples/smtlib/parse_and_print.py [FILE]
"""

from __future__ import annotations

import sys
from pathlib import Path

from quod.core import Model, evaluate
from quod.smtlib import (
    Assert,
    DeclareConst,
    DefineFun,
    parse_file,
    parse_script,
    print_assertions,
    print_script,
    print_term,
)

path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("scheduling.smt2")
script = parse_file(path)
print(f"{path.name}: logic {script.logic}, expected status {script.status}")

for cmd in script:
    where = f"{cmd.span.line}:{cmd.span.col}" if cmd.span else "?"
    if isinstance(cmd, Assert):
        names = f"  named {', '.join(cmd.names)}" if cmd.names else ""
        print(f"  {where} assert {print_term(cmd.term)}{names}")
    elif isinstance(cmd, DefineFun):
        print(f"  {where} define-fun {cmd.symbol}: expanded where it is used")
    elif isinstance(cmd, DeclareConst):
        print(f"  {where} declares {cmd.symbol} : {cmd.sort}")

# The terms are ordinary quod terms: evaluate them under a candidate schedule.
s1, s2 = (c.decl for c in script if isinstance(c, DeclareConst))
model = Model({s1: 0, s2: 3})
print("schedule s1=0, s2=3 satisfies all:", all(evaluate(t, model) for t in script.assertions()))

# Printing gives SMT-LIB text that parses back to the very same terms.
text = print_script(script)
assert parse_script(text) == script
print("\nre-printed (let-sharing, define-fun expanded):\n" + text)

# A fresh script from terms alone: declarations are derived from the terms.
print(print_assertions(script.assertions(), logic="QF_IDL"))
