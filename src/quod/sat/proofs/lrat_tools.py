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
    lits: bytes  # kept as text: only copied to the output
    raw_hints: bytes  # parsed only if the lemma is needed
    hints: list[int] | None = None


def _parse(data: bytes) -> list[_Lemma]:
    """The added clauses of a text LRAT proof, in order, up to the first empty clause."""
    lemmas: list[_Lemma] = []
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        line = raw.strip()
        if not line or line[:1] == b"c" or b"d" in line:
            continue  # blank, comment or deletion (deletions are recomputed)
        head, sep, rest = (line + b" ").partition(b" 0 ")
        cid, _, lits = head.partition(b" ")
        if not sep or not rest.endswith(b"0 ") or not cid.isdigit():
            raise QuodError(f"line {lineno}: not a text LRAT step", code="Q1103")
        lemmas.append(_Lemma(int(cid), lits.strip(), rest[:-2]))
        if not lits.strip():
            break
    return lemmas


def _hints(lem: _Lemma) -> list[int]:
    if lem.hints is None:
        try:
            lem.hints = [int(t) for t in lem.raw_hints.split()]
        except ValueError:
            raise QuodError(f"lemma {lem.cid}: hints are not integers", code="Q1103") from None
    return lem.hints


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
        new_id = str(ids[lem.cid]).encode()
        hints = " ".join([str(ids[h]) if h > 0 else str(-ids[-h]) for h in _hints(lem)]).encode()
        body = lem.lits + b" 0" if lem.lits else b"0"
        out.append(new_id + b" " + body + (b" " + hints if hints else b"") + b" 0")
        if k in dying:
            out.append(new_id + b" d " + " ".join([str(ids[c]) for c in dying[k]]).encode() + b" 0")
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
        for h in _hints(lem):
            h = abs(h)
            if h not in originals:
                if h not in by_id:
                    raise QuodError(f"LRAT hint {h} names no clause", code="Q1103")
                keep.add(h)
    return [lem for lem in lemmas if lem.cid in keep]


def _last_uses(needed: list[_Lemma]) -> dict[int, list[int]]:
    """step index -> producer ids whose last use is that step (the empty clause's uses excluded)."""
    seen = {abs(h) for h in _hints(needed[-1])}
    dying: dict[int, list[int]] = {}
    for k in range(len(needed) - 2, -1, -1):
        for h in _hints(needed[k]):
            h = abs(h)
            if h not in seen:
                seen.add(h)
                dying.setdefault(k, []).append(h)
    return dying
