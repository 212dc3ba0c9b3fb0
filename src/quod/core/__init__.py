"""Core terms: sorts, operators, hash-consed terms, traversal, evaluation, printing."""

from quod.core.builder import *  # noqa: F403
from quod.core.builder import __all__ as _builder_all
from quod.core.errors import Diagnostic, QuodError, Severity, SortError, Span, UnsupportedError
from quod.core.evaluate import Undetermined, evaluate
from quod.core.model import ArrayValue, FuncInterp, Model
from quod.core.ops import Op
from quod.core.printer import to_smtlib
from quod.core.sorts import (
    ArraySort,
    BitVecSort,
    BoolSort,
    IntSort,
    RealSort,
    RegLanSort,
    SeqSort,
    Sort,
    SortKind,
    StringSort,
    UninterpretedSort,
)
from quod.core.terms import FALSE, TRUE, FuncDecl, Term, UninterpretedValue
from quod.core.walk import free_vars, post_order, substitute

__all__ = [
    *_builder_all,
    "FALSE",
    "TRUE",
    "ArraySort",
    "ArrayValue",
    "BitVecSort",
    "BoolSort",
    "Diagnostic",
    "FuncDecl",
    "FuncInterp",
    "IntSort",
    "Model",
    "Op",
    "QuodError",
    "RealSort",
    "RegLanSort",
    "SeqSort",
    "Severity",
    "Sort",
    "SortError",
    "SortKind",
    "Span",
    "StringSort",
    "Term",
    "Undetermined",
    "UninterpretedSort",
    "UninterpretedValue",
    "UnsupportedError",
    "evaluate",
    "free_vars",
    "post_order",
    "substitute",
    "to_smtlib",
]
