#!/usr/bin/env bash
# Set up, then run every check CI runs: lint, types, layering, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
echo "== ruff" && ruff check src tests && ruff format --check src tests
echo "== mypy (strict on src/)" && mypy src
echo "== import layers (DESIGN.md)" && lint-imports
echo "== tests" && python -m pytest -n 2 -q "$@"
