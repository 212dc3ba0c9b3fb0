"""The eager engine on files under one set of options: answer, seconds, CNF size, precedence stats.

    python benchmarks/eager/options_bench.py TIMEOUT OPTIONS FILE...
    python benchmarks/eager/options_bench.py 60 "tighten=0,shave=0,transitivity=0" /tmp/jsp/tune/*.smt2

OPTIONS are `EagerOptions` fields as `key=value` separated by commas ("" for
the defaults); it reaches options that `quod solve --option` does not accept.
One file at a time in this process (parse time included, like `quod bench`),
then PAR-2 over the files (an unsolved file counts 2 x TIMEOUT). Used for the
precedence-reasoning ablation in docs/eager.md.
"""

from __future__ import annotations

import sys
import time
from dataclasses import fields
from pathlib import Path
from typing import Any

from quod.eager import EagerOptions, solve
from quod.smtlib import parse_file


def parse(spec: str) -> EagerOptions:
    types = {f.name: f.type for f in fields(EagerOptions)}
    kw: dict[str, Any] = {}
    for item in filter(None, spec.split(",")):
        key, value = item.split("=", 1)
        kind = types[key]
        kw[key] = value if kind == "str" else int(value) if kind == "int" else value == "1"
    return EagerOptions(**kw)


def main() -> int:
    timeout, spec, files = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
    opts = parse(spec)
    total = 0.0
    for f in files:
        t0 = time.perf_counter()
        r = solve(parse_file(f).assertions(), opts, timeout=timeout)
        dt = time.perf_counter() - t0
        g = r.stats.get
        total += dt if r.status in ("sat", "unsat") else 2 * timeout
        print(
            f"{Path(f).name:<22} {r.status:<8} {dt:7.2f} vars={g('vars')} cl={g('clauses')} "
            f"tt={g('tighten_time', 0):.2f} pr={g('tighten_probes', 0)} "
            f"dom={g('tighten_domain_before', 0)}->{g('tighten_domain_after', 0)} {g('refuted_by', '')}",
            flush=True,
        )
    print(f"PAR2 {total / max(1, len(files)):.2f}  opts={spec}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
