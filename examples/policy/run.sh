#!/bin/sh
# The `quod policy` commands on the example files (run from the repository root).
set -x
cd "$(dirname "$0")"
quod policy validate *.json                          # request.json is not a policy: rejected with its path
quod policy public bucket_public_read.json           # PUBLIC, with a witness request (exit 4)
quod policy public bucket_vpce_only.json             # NOT PUBLIC (exit 0)
quod policy public bucket_org_trap.json              # PUBLIC: ForAllValues is true when the key is absent
quod policy compare s3_read_only.json s3_full_no_delete.json                    # LESS PERMISSIVE, with a witness
quod policy compare s3_read_only.json s3_full_no_delete.json --engine automata  # same, containment certified by the kernel
quod policy can bucket_public_read.json --request request.json                  # DENIED (exit 4)
quod policy can bucket_public_read.json --principal anonymous --action s3:GetObject \
    --resource arn:aws:s3:::examplebucket/index.html                           # ALLOWED
quod policy public bucket_vpce_only.json --evidence /tmp/vpce.bundle.json --proof
quod policy audit-verify /tmp/vpce.bundle.json                                   # re-checks everything
exit 0
