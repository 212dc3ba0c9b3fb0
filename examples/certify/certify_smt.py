"""Certify eager answers, check the bundles with the kernel, then show that tampering is caught.

    python examples/certify/certify_smt.py

Same as the command line:
    quod solve examples/certify/pigeons.smt2 --certify /tmp/pigeons.cert
    quod check /tmp/pigeons.cert
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from quod.backends.certify import check_bundle, sha256_bytes, write_bundle

HERE = Path(__file__).parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("pigeons.smt2", "schedule.smt2"):
            bundle = Path(tmp) / name.replace(".smt2", ".cert")
            summary = write_bundle(HERE / name, bundle)
            print(f"{name}: eager says {summary.status}; bundle in {bundle.name}/")
            print(f"  quod check -> {check_bundle(bundle)}")

        # Tamper with the unsat proof: drop one lemma, store it under its new hash, fix the manifest.
        bundle = Path(tmp) / "pigeons.cert"
        manifest = json.loads((bundle / "manifest.json").read_text())
        lines = (bundle / manifest["proof"]["file"]).read_bytes().splitlines()
        lemmas = [k for k, line in enumerate(lines) if b" d " not in line]
        del lines[lemmas[len(lemmas) // 2]]
        data = b"\n".join(lines) + b"\n"
        digest = sha256_bytes(data)
        (bundle / "objects" / f"{digest}.lrat").write_bytes(data)
        manifest["proof"].update(sha256=digest, file=f"objects/{digest}.lrat")
        (bundle / "manifest.json").write_text(json.dumps(manifest))
        print(f"after dropping a lemma: {check_bundle(bundle)}")


if __name__ == "__main__":
    main()
