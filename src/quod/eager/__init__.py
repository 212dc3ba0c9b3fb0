"""The eager SMT engine: integer arithmetic (and UF by Ackermann reduction) to one SAT problem.

from quod.eager import solve, EagerOptions
result = solve(assertions, EagerOptions(encoding="auto", sat_solver="cadical195"), timeout=60)
"""

from quod.eager.engine import (
    ENCODER_VERSION,
    EagerOptions,
    EagerResult,
    EncodedProblem,
    decode,
    encode,
    solve,
)

__all__ = ["ENCODER_VERSION", "EagerOptions", "EagerResult", "EncodedProblem", "decode", "encode", "solve"]
