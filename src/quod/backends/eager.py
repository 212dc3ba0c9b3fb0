"""The eager backend: quod's own SMT engine (formula -> one CNF -> SAT).

Options (strings from `quod solve --option KEY=VALUE` or Python values):
  encoding   auto | order | bits          (default auto: chosen per component)
  sat        a SAT solver name: cadical195 (default), kissat404, glucose4,
             cadical-bin, kissat-bin, ...  (see quod.sat.sat_solver_names())
  symmetry   1/0: value-symmetry breaking for equality-only variables (default 1)
  capacity   1/0: implied machine-capacity constraints for scheduling (default 1)
  ordering   1/0: elimination + weight abstraction for pure ordering problems (default 1)
  lemmas     1/0: difference-logic chain/triangle lemmas (default 0)
  energy     1/0: energetic reasoning on scheduling resources before search (default 1;
             refutations carry no SAT proof, so never with proof=1)
  machines   1/0: identical machines by capacity constraints + colouring (default 1)
  lazy       1/0: pure ordering components by the lazy cycle-lemma loop (default 1;
             never with proof=1, whose unsat answers need the one-shot CNF)
  proof      1/0: keep a DRAT proof and the CNF of unsat answers (default 0)
  order_limit  clause budget under which auto picks the order encoding

The engine is not incremental: every `check` re-encodes the assertions of the
open scopes. Sat models are checked by the kernel on the ORIGINAL assertions
(`finish_sat`); constructs outside QF_(UF)IDL/QF_(UF)LIA give `Unknown`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from quod.backends.base import Limits, Result, Unknown, Unsat
from quod.backends.common import StackedSolver, finish_sat
from quod.core.errors import QuodError, UnsupportedError
from quod.core.terms import Term
from quod.eager.engine import ENCODER_VERSION, EagerOptions, EagerResult, solve
from quod.sat.cnf import Cnf
from quod.sat.solvers import Proof


@dataclass
class EagerCertificate:
    """What an unsat answer rests on: the encoder run and (optionally) a DRAT proof of its CNF."""

    encoder_version: str
    options: str
    cnf_sha256: str
    proof: Proof | None = None
    cnf: Cnf | None = None
    # "one-shot CNF", "lazy cycle lemmas" or "energetic reasoning": only the first has a SAT
    # proof of the CNF (proof is None otherwise; proof=1 forces the one-shot encoding)
    method: str = "one-shot CNF"


def _flag(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    s = str(value).lower()
    if s in ("1", "true", "yes", "on"):
        return True
    if s in ("0", "false", "no", "off"):
        return False
    raise QuodError(f"eager option {key} expects 0/1 or true/false, got {value!r}", code="Q0411")


def parse_options(options: dict[str, Any]) -> EagerOptions:
    opts = EagerOptions()
    for key, value in options.items():
        k = key.replace("-", "_")
        if k == "encoding":
            opts.encoding = str(value)
        elif k in ("sat", "sat_solver"):
            opts.sat_solver = str(value)
        elif k == "symmetry":
            opts.symmetry = _flag(key, value)
        elif k == "capacity":
            opts.capacity = _flag(key, value)
        elif k == "ordering":
            opts.ordering = _flag(key, value)
        elif k == "lemmas":
            opts.lemmas = _flag(key, value)
        elif k == "proof":
            opts.proof = _flag(key, value)
        elif k == "lazy":
            opts.lazy = _flag(key, value)
        elif k == "energy":
            opts.energy = _flag(key, value)
        elif k == "machines":
            opts.machines = _flag(key, value)
        elif k == "tighten":
            opts.tighten = _flag(key, value)
        elif k == "transitivity":
            opts.transitivity = _flag(key, value)
        elif k in ("order_limit", "shave"):
            setattr(opts, k, _count(key, value))
        else:
            raise QuodError(
                f"unknown eager option '{key}' (known: encoding, sat, symmetry, capacity, ordering, lemmas, "
                "lazy, energy, machines, tighten, shave, transitivity, proof, order_limit)",
                code="Q0411",
            )
    opts.validate()
    from quod.sat.solvers import get_sat_solver

    get_sat_solver(opts.sat_solver)  # fail early on an unknown or missing SAT solver
    return opts


def _count(key: str, value: Any) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = -1
    if n < 0:
        raise QuodError(f"eager option {key} expects a non-negative integer, got {value!r}", code="Q0411")
    return n


def _method(stats: dict[str, Any]) -> str:
    """What an unsat answer rests on (only the one-shot CNF comes with a SAT proof)."""
    if "refuted_by" in stats:
        return str(stats["refuted_by"])
    if str(stats.get("sat_solver", "")).endswith("+lazy"):
        return "lazy cycle lemmas"
    return "one-shot CNF"


class EagerSolver(StackedSolver):
    name = "eager"

    def __init__(self, logic: str | None = None, limits: Limits | None = None, **options: Any) -> None:
        super().__init__()
        self.logic = logic
        self.limits = limits or Limits()
        self.options = parse_options(options)
        self._stats: dict[str, Any] = {}

    def statistics(self) -> dict[str, Any]:
        return dict(self._stats)

    def check(self, assumptions: Sequence[Term] = ()) -> Result:
        asserted = self.stack.all()
        try:
            res = solve(asserted, self.options, timeout=self.limits.timeout, assumptions=assumptions)
        except UnsupportedError as e:
            self._stats = {}
            return Unknown(f"eager: unsupported: {e.message}")
        self._stats = dict(res.stats)
        return self._result(res, asserted, assumptions)

    def _result(self, res: EagerResult, asserted: list[Term], assumptions: Sequence[Term]) -> Result:
        stats = dict(res.stats)
        if res.status == "sat":
            assert res.model is not None
            return finish_sat("eager", asserted, assumptions, res.model, stats)
        if res.status == "unsat":
            method = _method(stats)
            cert = EagerCertificate(
                ENCODER_VERSION, self.options.describe(), res.cnf_sha256, res.proof, res.cnf, method
            )
            return Unsat(certificate=cert, core=res.core, stats=stats)
        return Unknown(res.reason or "unknown", stats=stats)
