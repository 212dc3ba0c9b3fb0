"""Model checking of `sat` answers against the ORIGINAL assertions.

A backend's model is evaluated on the terms the user asserted (not on any
preprocessed or encoded form). Constants the model leaves open get quod's
default values, and the completed model is what gets reported, so the check
is of a total assignment.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from quod.core.evaluate import Undetermined, evaluate
from quod.core.model import Model
from quod.core.terms import Term


class Verdict(enum.Enum):
    OK = "ok"
    FAILED = "failed"
    UNDETERMINED = "undetermined"


@dataclass(frozen=True)
class ModelCheck:
    verdict: Verdict
    # index into the assertions of the first one that is false or undetermined
    index: int = -1
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.OK


def check_model(assertions: Sequence[Term], model: Model) -> ModelCheck:
    """Evaluate every assertion under `model` (completing it with defaults).

    FAILED if one evaluates to false; UNDETERMINED if one cannot be evaluated
    (and none is false); OK otherwise.
    """
    undetermined: ModelCheck | None = None
    for i, a in enumerate(assertions):
        if not a.sort.is_bool:
            return ModelCheck(Verdict.FAILED, i, f"assertion {i} is not Boolean")
        try:
            v = evaluate(a, model, complete=True)
        except Undetermined as e:
            if undetermined is None:
                undetermined = ModelCheck(Verdict.UNDETERMINED, i, str(e))
            continue
        if v is not True:
            return ModelCheck(Verdict.FAILED, i, f"assertion {i} evaluates to false")
    return undetermined or ModelCheck(Verdict.OK)
