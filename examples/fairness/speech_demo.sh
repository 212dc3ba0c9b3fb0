#!/usr/bin/env bash
# WER by accent on synthetic speech: espeak-ng voices -> pocketsphinx -> jiwer,
# with a cluster bootstrap over speakers (voice variants).
#   bash examples/fairness/speech_demo.sh [OUT_DIR] [SENTENCES]
# 20 sentences x 4 accents x 5 speakers = 400 utterances take a few minutes on one core.
set -euo pipefail
OUT="${1:-speech-out}"; N="${2:-20}"
mkdir -p "$OUT"
quod fairness speech-demo --sentences "$N" --html "$OUT/speech.html" --json "$OUT/speech.json" \
  --md "$OUT/speech.md" --records "$OUT/transcripts.jsonl"
