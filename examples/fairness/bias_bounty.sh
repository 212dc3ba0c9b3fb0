#!/usr/bin/env bash
# A bias bounty from the command line: init, three submissions, merge with a repair,
# the ledger, verification, and what tampering looks like.
#   bash examples/fairness/bias_bounty.sh [WORK_DIR]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
W="${1:-bounty-demo}"
rm -rf "$W" && mkdir -p "$W"
python "$HERE/make_bounty_data.py" "$W/data"
quod fairness bounty init "$W/state" --base "$W/data/base.json" \
  --holdout "$W/data/holdout.jsonl" --audit "$W/data/audit.jsonl" --alpha 0.005
for s in fix_region_c everyone_constant young_say_yes; do
  echo "submitting $s:"; quod fairness bounty submit "$W/state" "$HERE/submissions/$s.json"
  quod fairness bounty merge "$W/state"
done
quod fairness bounty log "$W/state"
HEAD=$(quod fairness bounty log "$W/state" --head)
quod fairness bounty verify "$W/state" --head "$HEAD"
quod fairness bounty predict "$W/state" "$W/data/customers.jsonl" --out "$W/predicted.jsonl"
quod fairness eval "$W/predicted.jsonl" --group-by region --html "$W/after-bounty.html"
echo "--- now someone edits the ledger to change who submitted the fix:"
sed -i 's/"alice"/"mallory"/' "$W/state/ledger.jsonl"
if quod fairness bounty verify "$W/state"; then echo "tampering NOT detected"; exit 1; else echo "tampering detected"; fi
