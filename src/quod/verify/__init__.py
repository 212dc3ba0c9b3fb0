"""Dafny-style contracts on a subset of Python, proved with quod's solvers.

Entry points: `verify_file` / `verify_source` (static proof with
counterexamples at source lines) and `quod.verify.runtime.run_file`
(executes the contracts as runtime checks). See docs/verify.md.
"""

from quod.verify.verifier import FileResult, FunctionResult, ObResult, Options, verify_file, verify_source

__all__ = ["FileResult", "FunctionResult", "ObResult", "Options", "verify_file", "verify_source"]
