"""Portfolio solving on Ray: race configurations, keep the first definite answer.

Each configuration (backend, options, seed) runs as a Ray task with one CPU.
The first `sat` or `unsat` wins; the other tasks are cancelled with
`force=True`, which kills their worker processes (solvers in C cannot be
interrupted politely). A winning `sat` model is re-checked by the kernel on
the driver against the driver's own assertions before it is returned, and an
`unsat` keeps the winner's certificate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from quod.backends.base import Limits, Result, Sat, Unknown, Unsat
from quod.backends.common import StackedSolver, finish_sat
from quod.backends.registry import backend_names
from quod.core.errors import QuodError
from quod.core.ops import Op
from quod.core.terms import TRUE, Term, make
from quod.scale.ray_runtime import ensure_ray


@dataclass(frozen=True)
class Config:
    backend: str
    options: tuple[tuple[str, str], ...] = ()
    seed: int | None = None

    @property
    def label(self) -> str:
        opts = ",".join(f"{k}={v}" for k, v in self.options)
        seed = f"#seed={self.seed}" if self.seed is not None else ""
        return f"{self.backend}{'[' + opts + ']' if opts else ''}{seed}"


def parse_configs(text: str) -> list[Config]:
    """`z3,cvc5,eager:encoding=order,z3#seed=7` -> configurations."""
    out = []
    for item in (s.strip() for s in text.split(",")):
        if not item:
            continue
        seed = None
        if "#seed=" in item:
            item, _, s = item.partition("#seed=")
            if not s.strip().lstrip("-").isdigit():
                raise QuodError(f"bad portfolio entry {item!r}: seed {s!r} is not an integer", code="Q0003")
            seed = int(s)
        backend, _, opts = item.partition(":")
        pairs = tuple(tuple(o.split("=", 1)) for o in opts.split(";") if o) if opts else ()
        if any(len(p) != 2 for p in pairs):
            raise QuodError(
                f"bad portfolio entry {item!r}: options are KEY=VALUE separated by ';'", code="Q0003"
            )
        out.append(Config(backend, pairs, seed))  # type: ignore[arg-type]
    if not out:
        raise QuodError("empty portfolio", code="Q0003")
    check_configs(out)
    return out


def check_configs(configs: Sequence[Config]) -> None:
    """Refuse unknown backends before any task starts: a typo must not race as a silent loser."""
    known = backend_names()
    for c in configs:
        if c.backend not in known:
            raise QuodError(
                f"unknown backend {c.backend!r} in portfolio entry {c.label!r} (known: {', '.join(known)})",
                code="Q0301",
            )


def default_configs(logic: str | None, workers: int) -> list[Config]:
    """A portfolio suited to the logic; the first `workers` entries start at once."""
    logic = (logic or "ALL").upper()
    if logic in ("QF_IDL", "QF_RDL", "QF_UFIDL", "QF_LIA", "QF_UFLIA"):
        configs = [Config("eager"), Config("z3"), Config("cvc5"), Config("z3", seed=1)]
    elif "S" in logic.replace("QF_", "") and logic != "ALL":
        configs = [Config("cvc5"), Config("z3")]
    else:
        configs = [Config("z3"), Config("cvc5"), Config("z3", seed=1)]
    return configs if workers >= len(configs) else configs[: max(workers, 2)]


@dataclass
class Run:
    label: str
    status: str
    seconds: float
    note: str = ""


@dataclass
class PortfolioOutcome:
    result: Result
    winner: str | None
    runs: list[Run] = field(default_factory=list)


def _pack(terms: Sequence[Term]) -> Term:
    # one root so that the DAG shared between assertions is pickled once
    return make(Op.AND, list(terms)) if terms else TRUE


def _unpack(root: Term, n: int) -> list[Term]:
    if n == 0:
        return []
    return list(root.args) if root.op is Op.AND and len(root.args) == n else [root]


def _solve_config(packed: Term, n: int, logic: str | None, config: Config, timeout: float | None) -> Result:
    from quod.backends.registry import get_solver

    start = time.perf_counter()
    try:
        solver = get_solver(config.backend, logic=logic, limits=Limits(timeout=timeout, seed=config.seed),
                            **dict(config.options))  # fmt: skip
        solver.add(*_unpack(packed, n))
        res = solver.check()
    except QuodError as e:
        res = Unknown(f"{config.label}: {e.message}")
    res.stats = {**res.stats, "portfolio_seconds": time.perf_counter() - start}
    return res


def solve_portfolio(
    assertions: Sequence[Term],
    *,
    logic: str | None = None,
    configs: Sequence[Config] | None = None,
    timeout: float | None = None,
    workers: int = 2,
    ray_address: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> PortfolioOutcome:
    configs = list(configs or default_configs(logic, workers))
    check_configs(configs)
    ray = ensure_ray(workers, ray_address)
    task = ray.remote(num_cpus=1, max_retries=0)(_solve_config)
    packed = ray.put(_pack(assertions))
    start = time.perf_counter()
    refs = {task.remote(packed, len(assertions), logic, c, timeout): c for c in configs}
    pending = list(refs)
    runs: list[Run] = []
    reasons: list[str] = []
    deadline = None if timeout is None else start + timeout + 10.0
    while pending:
        wait = None if deadline is None else max(0.0, deadline - time.perf_counter())
        ready, pending = ray.wait(pending, num_returns=1, timeout=wait)
        if not ready:
            break
        ref = ready[0]
        config = refs[ref]
        try:
            res: Result = ray.get(ref)
        except Exception as e:  # a crashed worker is an unknown, not a failed portfolio
            res = Unknown(f"{config.label} crashed: {type(e).__name__}: {e}")
        elapsed = time.perf_counter() - start
        runs.append(Run(config.label, str(res), elapsed, getattr(res, "reason", "")))
        if progress is not None:
            progress(f"portfolio: {config.label} -> {res} after {elapsed:.2f} s")
        if isinstance(res, (Sat, Unsat)):
            for other in pending:
                ray.cancel(other, force=True)
                runs.append(Run(refs[other].label, "cancelled", elapsed))
            return PortfolioOutcome(_gate(res, assertions, config), config.label, runs)
        reasons.append(f"{config.label}: {getattr(res, 'reason', '')}")
    for other in pending:
        ray.cancel(other, force=True)
        runs.append(Run(refs[other].label, "cancelled", time.perf_counter() - start))
    return PortfolioOutcome(
        Unknown("no configuration decided: " + "; ".join(reasons or ["time limit"])), None, runs
    )


def _gate(res: Result, assertions: Sequence[Term], config: Config) -> Result:
    if isinstance(res, Sat):
        # the worker checked its model; the driver checks again against its own terms
        out = finish_sat(config.label, assertions, [], res.model, {**res.stats, "winner": config.label})
        return out
    res.stats = {**res.stats, "winner": config.label}
    return res


class PortfolioSolver(StackedSolver):
    """The Solver protocol over a Ray portfolio, so `quod solve --workers N` runs any script."""

    name = "portfolio"

    def __init__(
        self,
        logic: str | None = None,
        limits: Limits | None = None,
        configs: Sequence[Config] | None = None,
        workers: int = 2,
        ray_address: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.logic = logic
        self.limits = limits or Limits()
        self.configs = list(configs) if configs else None
        self.workers = workers
        self.ray_address = ray_address
        self.progress = progress
        super().__init__()
        self.last: PortfolioOutcome | None = None

    def statistics(self) -> dict[str, Any]:
        if self.last is None:
            return {}
        return {"winner": self.last.winner or "none", "runs": len(self.last.runs)}

    def check(self, assumptions: Sequence[Term] = ()) -> Result:
        terms = self.stack.all() + list(assumptions)
        self.last = solve_portfolio(
            terms,
            logic=self.logic,
            configs=self.configs,
            timeout=self.limits.timeout,
            workers=self.workers,
            ray_address=self.ray_address,
            progress=self.progress,
        )
        res = self.last.result
        if isinstance(res, Unsat) and assumptions:
            res.core = None  # the winner saw the assumptions as assertions: no core over them
        return res
