"""`quod.policy` from Python: public, compare, can, evidence bundles.

python examples/policy/example.py
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from quod.policy import can, compare, load_policy, load_request, public
from quod.policy.bundle import verify_bundle, write_bundle
from quod.policy.solve import SolveOptions

HERE = Path(__file__).parent


def main() -> None:
    # 1. Is the bucket public? The witness is a request the concrete evaluator allows.
    r = public(load_policy(HERE / "bucket_public_read.json"))
    print("public:", r.verdict, "-", r.reason)
    for c in r.checks:
        if c.witness is not None:
            print("  witness:", json.dumps(c.witness.to_json()))

    # 2. Restricted to a VPC endpoint: not public; keep the evidence for an auditor.
    opts = SolveOptions(proof=True)
    r = public(load_policy(HERE / "bucket_vpce_only.json"), opts)
    print("public:", r.verdict, "-", r.reason)
    with tempfile.TemporaryDirectory() as d:
        bundle = Path(d) / "bundle.json"
        write_bundle(bundle, r, opts, {})
        print("audit:", "verified" if verify_bundle(bundle).ok else "NOT verified")

    # 3. Compare two policies: verdict plus one witness per direction that differs.
    r = compare(load_policy(HERE / "s3_read_only.json"), load_policy(HERE / "s3_full_no_delete.json"))
    print("compare:", r.verdict, "-", r.reason)
    for c in r.checks:
        print(f"  {c.name}: {c.status}", json.dumps(c.witness.to_json()) if c.witness else "")

    # 4. One concrete request, evaluated without a solver (and cross-checked against the encoding).
    res = can(load_policy(HERE / "bucket_public_read.json"), load_request(HERE / "request.json"))
    print("can:", res.verdict, "-", res.reason, "| encoding agrees:", res.encoding_agrees)


if __name__ == "__main__":
    main()
