"""Error codes of `quod agents` (range Q09xx) and the errors that carry them."""

from __future__ import annotations

from quod.core.errors import QuodError, register_codes

CODES = {
    "Q0901": "trajectory invariant violated",
    "Q0902": "invalid agents configuration",
    "Q0903": "unknown environment, engine or advantage function",
    "Q0904": "model could not be loaded",
    "Q0905": "rollout engine error",
    "Q0906": "malformed environment data",
    "Q0907": "optional dependency missing",
    "Q0908": "weight synchronisation error",
    "Q0909": "malformed trajectory file",
}
register_codes(CODES)


class TrajectoryError(QuodError):
    code = "Q0901"


class ConfigError(QuodError):
    code = "Q0902"


class UnknownComponentError(QuodError):
    code = "Q0903"


class ModelLoadError(QuodError):
    code = "Q0904"


class EngineError(QuodError):
    code = "Q0905"


class EnvDataError(QuodError):
    code = "Q0906"


class MissingDependencyError(QuodError):
    code = "Q0907"


class WeightSyncError(QuodError):
    code = "Q0908"


class TrajectoryFileError(QuodError):
    code = "Q0909"


def require(module: str, extra: str = "agents") -> object:
    """Import an optional dependency or fail with a one-line install hint."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise MissingDependencyError(
            f"`{module}` is needed here but not installed ({e}); install it with `pip install quod[{extra}]`"
        ) from None
