"""quod: automated reasoning for Python whose every verdict can be checked."""

__version__ = "0.1.0"
