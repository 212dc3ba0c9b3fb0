"""Untrusted LRAT post-processing: renumbering to the kernel's ids, trimming, early deletions.

CaDiCaL numbers clauses in the order it creates them, and it creates lemmas
while the input is still being added (a clause with a literal already fixed
at the root is strengthened at once), so the input clauses do not get ids
1..n. The input clauses are exactly the ids CaDiCaL never uses for a lemma,
in increasing order; `normalize_lrat` maps them back to 1..n, keeps only the
lemmas the empty clause depends on (renumbered n+1, n+2, ...), and deletes
every clause right after its last use so the checker's database stays small.

Nothing here is trusted: if an assumption about the producer is wrong the
kernel rejects the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from quod.core.errors import QuodError


@dataclass
class _Lemma:
    cid: int
    lits: list[bytes]
    hints: list[int]


def _parse(data: bytes) -> list[_Lemma]:
    """The added clauses of a text LRAT proof, in order, up to the first empty clause."""
    lemmas: list[_Lemma] = []
    for lineno, line in enumerate(data.split(b"\n"), 1):
        tokens = line.split()
        if not tokens or tokens[0] == b"c" or (len(tokens) > 1 and tokens[1] == b"d"):
            continue
        try:
            zero = tokens.index(b"0", 1)
            lemma = _Lemma(int(tokens[0]), tokens[1:zero], [int(t) for t in tokens[zero + 1 : -1]])
        except ValueError:
            raise QuodError(f"line {lineno}: not a text LRAT step", code="Q1103") from None
        lemmas.append(lemma)
        if zero == 1:
            break
    return lemmas


def normalize_lrat(num_original: int, data: bytes) -> bytes:
    """Renumber a producer's text LRAT so the input clauses are 1..n, trim it, add deletions."""
    lemmas = _parse(data)
    if not lemmas or lemmas[-1].lits:
        raise QuodError("the LRAT proof does not derive the empty clause", code="Q1103")
    ids = _original_ids(num_original, {lem.cid for lem in lemmas})
    needed = _needed(lemmas, set(ids))
    for k, lem in enumerate(needed, num_original + 1):
        ids[lem.cid] = k
    out: list[bytes] = []
    dying = _last_uses(needed)
    for k, lem in enumerate(needed):
        new_id = ids[lem.cid]
        hints = b" ".join(str(ids[h] if h > 0 else -ids[-h]).encode() for h in lem.hints)
        out.append(b" ".join([str(new_id).encode(), *lem.lits, b"0", hints, b"0"]) if hints else
                   b" ".join([str(new_id).encode(), *lem.lits, b"0 0"]))  # fmt: skip
        if dying.get(k):
            gone = b" ".join(str(ids[c]).encode() for c in dying[k])
            out.append(str(new_id).encode() + b" d " + gone + b" 0")
    return b"\n".join(out) + b"\n"


def _original_ids(num_original: int, lemma_ids: set[int]) -> dict[int, int]:
    """producer id -> kernel id (1..n) for the input clauses: the ids that are not lemmas, in order."""
    ids: dict[int, int] = {}
    cid = 0
    while len(ids) < num_original:
        cid += 1
        if cid not in lemma_ids:
            ids[cid] = len(ids) + 1
    return ids


def _needed(lemmas: list[_Lemma], originals: set[int]) -> list[_Lemma]:
    """The lemmas the last one (the empty clause) depends on, in their original order."""
    by_id = {lem.cid: lem for lem in lemmas}
    keep = {lemmas[-1].cid}
    for lem in reversed(lemmas):
        if lem.cid not in keep:
            continue
        for h in lem.hints:
            h = abs(h)
            if h not in originals:
                if h not in by_id:
                    raise QuodError(f"LRAT hint {h} names no clause", code="Q1103")
                keep.add(h)
    return [lem for lem in lemmas if lem.cid in keep]


def _last_uses(needed: list[_Lemma]) -> dict[int, list[int]]:
    """step index -> producer ids whose last use is that step (the empty clause's uses excluded)."""
    seen = {abs(h) for h in needed[-1].hints}
    dying: dict[int, list[int]] = {}
    for k in range(len(needed) - 2, -1, -1):
        for h in needed[k].hints:
            h = abs(h)
            if h not in seen:
                seen.add(h)
                dying.setdefault(k, []).append(h)
    return dying
