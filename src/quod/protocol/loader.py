"""Loading a model file: `quod protocol check MODEL.py [--model NAME] [-p N=4]`."""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import sys
import traceback
from pathlib import Path
from typing import Any

from quod.core.errors import Span
from quod.protocol.dsl import Protocol
from quod.protocol.errors import ProtocolError


def load_module(path: str | Path) -> Any:
    p = Path(path).resolve()
    if not p.is_file():
        raise ProtocolError(f"model file not found: {path}", Span(str(path), 1, 1), code="Q0002")
    name = "quod_model_" + hashlib.sha1(str(p).encode()).hexdigest()[:12]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, p)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has a loader
        raise ProtocolError(f"cannot load {path}", Span(str(path), 1, 1), code="Q0701")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses and typing.get_type_hints look the module up
    sys.path.insert(0, str(p.parent))
    try:
        spec.loader.exec_module(mod)
    except SyntaxError as e:
        del sys.modules[name]
        raise ProtocolError(
            f"syntax error: {e.msg}", Span(str(path), e.lineno or 1, e.offset or 1), code="Q0701"
        ) from e
    except Exception as e:
        del sys.modules[name]
        line = 1
        for fr in traceback.extract_tb(e.__traceback__):
            if Path(fr.filename).resolve() == p:
                line = fr.lineno or 1
        raise ProtocolError(
            f"loading the model raised {type(e).__name__}: {e}", Span(str(path), line, 1), code="Q0701"
        ) from e
    finally:
        sys.path.remove(str(p.parent))
    return mod


def model_classes(mod: Any) -> list[type[Protocol]]:
    out = [
        v
        for v in vars(mod).values()
        if isinstance(v, type)
        and issubclass(v, Protocol)
        and v is not Protocol
        and v.__module__ == mod.__name__
    ]
    return out


def pick_model(mod: Any, name: str | None, path: str) -> type[Protocol]:
    classes = model_classes(mod)
    where = Span(path, 1, 1)
    if name is not None:
        for c in classes:
            if c.__name__ == name:
                return c
        have = ", ".join(c.__name__ for c in classes) or "none"
        raise ProtocolError(f"no model named '{name}' in the file (models: {have})", where, code="Q0701")
    default = getattr(mod, "MODEL", None)
    if isinstance(default, type) and issubclass(default, Protocol):
        return default
    if len(classes) == 1:
        return classes[0]
    if not classes:
        raise ProtocolError("the file defines no Protocol subclass", where, code="Q0701")
    have = ", ".join(c.__name__ for c in classes)
    raise ProtocolError(
        f"the file defines several models ({have}): choose one with --model or set MODEL", where, code="Q0701"
    )


def parse_params(items: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        k, eq, v = item.partition("=")
        if not eq or not k.strip():
            raise ProtocolError(f"parameter must be NAME=VALUE, got '{item}'", code="Q0710")
        try:
            out[k.strip()] = ast.literal_eval(v.strip())
        except (ValueError, SyntaxError):
            out[k.strip()] = v.strip()
    return out


def load(path: str, name: str | None = None, params: dict[str, Any] | None = None) -> Protocol:
    """An instance of the model in `path` (class `name`, or the file's default) with `params`."""
    mod = load_module(path)
    cls = pick_model(mod, name, path)
    try:
        return cls(**(params or {}))
    except ProtocolError:
        raise
    except Exception as e:
        raise ProtocolError(
            f"creating {cls.__name__} raised {type(e).__name__}: {e}", Span(path, 1, 1), code="Q0701"
        ) from e


__all__ = ["load", "load_module", "model_classes", "parse_params", "pick_model"]
