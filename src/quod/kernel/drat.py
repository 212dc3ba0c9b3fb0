"""The trusted DRAT checker: backward checking with core-first propagation and RAT.

Forward pass: add the formula and the proof's lemmas (applying deletions)
with full unit propagation at the top level until a conflict appears; the
lemmas are not checked yet. Backward pass: from that conflict, undo the
steps one by one; a lemma is checked only if a later check used it
("marked"), by unit propagation over the clauses active at the time it was
added (RUP), or else as RAT on its first literal. Propagation prefers marked
clauses (core-first), which keeps the set of lemmas that need checking small.
Every check records the clauses it used, in an order that makes each one
unit, which is exactly an LRAT hint chain: the checker can emit LRAT.

Deleting a clause that is the reason of a top-level literal is ignored (as
drat-trim does): solvers delete such clauses while keeping the literal.
Ignoring a deletion keeps more clauses, which is sound for refutations.
Deletions of clauses that are not present are ignored for the same reason.

Soundness rests on two facts checked here, not assumed: a lemma is only
justified by clauses active when it was added (later clauses are inactive
during its check), and every clause a justification uses is itself
justified (it is marked, and marked lemmas are checked before they are
undone).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from quod.kernel.formats import DratStep, check_clauses, location, read_drat
from quod.kernel.verdict import ProofVerdict

_ASSUMED = -1  # reason of literals assumed for a check


class _Reject(Exception):
    def __init__(self, message: str, step: int = 0) -> None:
        super().__init__(message)
        self.step = step


class DratChecker:
    def __init__(
        self,
        clauses: Sequence[Sequence[int]],
        steps: list[DratStep],
        name: str = "<drat>",
        binary: bool = False,
    ) -> None:
        self.name, self.binary = name, binary
        check_clauses(clauses)
        nv = max((abs(x) for c in clauses for x in c), default=0)
        # arrays are indexed by literal: variables above base_vars are renumbered densely (all of
        # them if the formula's numbering is sparse), so a variable named 10^9 costs nothing
        self.base_vars = nv if nv <= 4 * sum(map(len, clauses)) + 1024 else 0
        self.ext: dict[int, int] = {}
        self.inverse: dict[int, int] = {}
        if not self.base_vars:
            clauses = [self._remap(tuple(c)) for c in clauses]
        self.proof = [(d, self._remap(lits), loc) for d, lits, loc in steps]
        n = self.base_vars + len(self.ext)
        self.lits: list[list[int]] = []
        self.pivot: list[int] = []
        self.origin: list[int] = []  # proof step index of each lemma (-1 for formula clauses)
        self.active = bytearray()
        self.marked = bytearray()
        self.taut = bytearray()
        self.true = bytearray(2 * n + 1)
        self.reason = [0] * (2 * n + 1)
        self.pos = [0] * (2 * n + 1)
        # watch lists, one for marked ("core") clauses and one for the others
        self.watches: list[list[int]] = [[] for _ in range(2 * n + 1)]
        self.core_watches: list[list[int]] = [[] for _ in range(2 * n + 1)]
        self.trail: list[int] = []
        self.head_core = self.head_all = 0
        self.units: set[int] = set()
        self.num_original = len(clauses)
        self.hints: dict[int, list[int]] = {}  # checked clause -> LRAT chain (-(i+1) opens RAT group i)
        self.stats = {"lemmas": 0, "checked": 0, "rat": 0, "ignored_deletions": 0}
        for clause in clauses:
            self._new(clause, -1)

    def _remap(self, lits: tuple[int, ...]) -> tuple[int, ...]:
        if not lits or (max(lits) <= self.base_vars and -min(lits) <= self.base_vars):
            return lits
        out = []
        for x in lits:
            v = abs(x)
            if v > self.base_vars:
                v = self.ext.setdefault(v, self.base_vars + len(self.ext) + 1)
            out.append(v if x > 0 else -v)
        return tuple(out)

    def _new(self, lits: Iterable[int], origin: int) -> int:
        clause = list(dict.fromkeys(lits))
        idx = len(self.lits)
        self.lits.append(clause)
        self.pivot.append(clause[0] if clause else 0)
        self.origin.append(origin)
        self.active.append(0)
        self.marked.append(0)
        self.taut.append(any(-x in clause for x in clause))
        return idx

    # ------------------------------------------------------------ assignment

    def _assign(self, lit: int, reason: int) -> None:
        self.true[lit] = 1
        self.reason[lit] = reason
        self.pos[lit] = len(self.trail)
        self.trail.append(lit)

    def _undo(self, length: int) -> None:
        true = self.true
        for lit in self.trail[length:]:
            true[lit] = 0
        del self.trail[length:]
        self.head_core = min(self.head_core, length)
        self.head_all = min(self.head_all, length)

    def _attach(self, idx: int) -> int:
        """Activate a clause under the top-level assignment; returns a conflict clause or -1."""
        self.active[idx] = 1
        clause, true = self.lits[idx], self.true
        if self.taut[idx]:
            return -1
        if len(clause) >= 2:
            # watch two literals that are not false (if there are two)
            clause.sort(key=lambda x: true[-x])
            watches = self.core_watches if self.marked[idx] else self.watches
            watches[clause[0]].append(idx)
            watches[clause[1]].append(idx)
        elif clause:
            self.units.add(idx)
        first = clause[0] if clause else 0
        if not clause or true[-first]:
            return idx
        if not true[first] and (len(clause) == 1 or true[-clause[1]]):
            self._assign(first, idx)
        return -1

    def _propagate(self) -> int:
        """Unit propagation, marked clauses first; returns a conflict clause or -1."""
        trail = self.trail
        while True:
            if self.head_core < len(trail):
                self.head_core += 1
                conflict = self._visit(-trail[self.head_core - 1], 1)
            elif self.head_all < len(trail):
                self.head_all += 1
                conflict = self._visit(-trail[self.head_all - 1], 0)
            else:
                return -1
            if conflict >= 0:
                return conflict

    def _visit(self, false_lit: int, core: int) -> int:
        """Clauses watching `false_lit` in one partition (core or not) look for a new watch or propagate.

        A clause marked since it was watched is moved to the core lists as it is met.
        """
        ws = (self.core_watches if core else self.watches)[false_lit]
        lits, true, active, marked = self.lits, self.true, self.active, self.marked
        i = j = 0
        n = len(ws)
        conflict = -1
        while i < n:
            c = ws[i]
            i += 1
            cl = lits[c]
            if not active[c] or (cl[0] != false_lit and cl[1] != false_lit):
                continue  # stale entry: the clause was removed or re-watched
            if cl[0] == false_lit:
                cl[0], cl[1] = cl[1], false_lit
            other = cl[0]
            if not true[other]:
                for k in range(2, len(cl)):
                    x = cl[k]
                    if not true[-x]:
                        cl[1], cl[k] = x, false_lit
                        (self.core_watches if marked[c] else self.watches)[x].append(c)
                        break
                else:
                    if true[-other]:
                        conflict = c
                    else:
                        self._assign(other, c)
                if cl[1] != false_lit:
                    continue
            if marked[c] == core:
                ws[j] = c
                j += 1
            else:
                self.core_watches[false_lit].append(c)
            if conflict >= 0:
                break
        ws[j:i] = []
        return conflict

    # ------------------------------------------------------------ analysis

    def _explain(self, lits: Iterable[int], conflict: int, assumed: set[int]) -> list[int]:
        """The clauses that make `lits` true (in trail order), then `conflict`; all get marked."""
        reason, pos, clauses = self.reason, self.pos, self.lits
        seen: set[int] = set()
        stack = list(lits)
        used: list[tuple[int, int]] = []
        while stack:
            x = stack.pop()
            if x in seen or x in assumed:
                continue
            seen.add(x)
            r = reason[x]
            if r == _ASSUMED:
                raise _Reject("internal: an assumption is missing from the analysis")
            used.append((pos[x], r))
            stack.extend(-y for y in clauses[r] if y != x)
        chain = [r for _, r in sorted(used)]
        if conflict >= 0:
            chain.append(conflict)
        for r in chain:
            self.marked[r] = 1
        return chain

    def _refute(self, lits: Iterable[int], assumed: set[int]) -> list[int] | None:
        """Assume the negation of `lits` and propagate; the LRAT chain of the conflict, or None."""
        true = self.true
        for lit in lits:
            if true[lit]:
                if self.reason[lit] == _ASSUMED:
                    raise _Reject("internal: a refuted clause contains complementary literals")
                return self._explain([lit], -1, assumed)
            assumed.add(-lit)
            if not true[-lit]:
                self._assign(-lit, _ASSUMED)
        conflict = self._propagate()
        if conflict < 0:
            return None
        return self._explain([-y for y in self.lits[conflict]], conflict, assumed)

    # ------------------------------------------------------------ the two passes

    def _top_level(self) -> None:
        """Propagate the top level to its fixpoint; it never conflicts before the final conflict."""
        if self._propagate() >= 0:
            raise _Reject("internal: the top level conflicts before the final conflict")

    def _reset(self, start: int = 0) -> None:
        """Unassign the top level from trail position `start` on, then restore its fixpoint.

        Sound for any `start`: what stays assigned keeps its reasons. Complete because of the
        watch invariant "a false watch has a true partner": the only clauses that can have
        become unit are watched by an unassigned literal next to a false partner.
        """
        removed = self.trail[start:]
        self._undo(start)
        true, lits, active = self.true, self.lits, self.active
        for u in sorted(self.units):
            lit = lits[u][0]
            if true[-lit]:
                raise _Reject("internal: conflicting unit clauses before the final conflict")
            if not true[lit]:
                self._assign(lit, u)
        for t in removed:
            for ws in (self.watches[t], self.core_watches[t]):
                for c in ws:
                    cl = lits[c]
                    if not active[c] or (cl[0] != t and cl[1] != t):
                        continue
                    side = 1 if cl[0] == t else 0
                    if true[-cl[side]] and not true[t]:
                        self._rewatch(c, side, t)
        self._top_level()

    def _rewatch(self, c: int, side: int, t: int) -> None:
        """Clause c watches t (open) and a false literal at `side`: move that watch, or propagate t."""
        cl, true = self.lits[c], self.true
        for k in range(2, len(cl)):
            x = cl[k]
            if not true[-x]:
                cl[side], cl[k] = x, cl[side]
                (self.core_watches if self.marked[c] else self.watches)[x].append(c)
                return
        if true[-t]:
            raise _Reject("internal: the top level conflicts while it is restored")
        self._assign(t, c)

    def _forward(self) -> tuple[list[tuple[bool, int]], list[int]] | str:
        """Replay the proof; the applied events and the final conflict's chain, or why it has none."""
        keys: dict[tuple[int, ...], list[int]] = {}
        for idx in range(self.num_original):
            keys.setdefault(tuple(sorted(self.lits[idx])), []).append(idx)
            conflict = self._attach(idx)
            if conflict < 0:
                conflict = self._propagate()
            if conflict >= 0:
                return [], self._explain([-y for y in self.lits[conflict]], conflict, set())
        events: list[tuple[bool, int]] = []
        for n, (is_del, lits, _loc) in enumerate(self.proof):
            if is_del:
                self._forward_delete(keys, lits, events)
                continue
            idx = self._new(lits, n)
            self.stats["lemmas"] += 1
            keys.setdefault(tuple(sorted(self.lits[idx])), []).append(idx)
            events.append((False, idx))
            if not lits:
                where = location(self.name, self.binary, self.proof[n][2])
                return f"{where}: step {n + 1}: the empty clause does not follow by unit propagation"
            conflict = self._attach(idx)
            if conflict < 0:
                conflict = self._propagate()
            if conflict >= 0:
                return events, self._explain([-y for y in self.lits[conflict]], conflict, set())
        return "the proof ends without deriving the empty clause"

    def _forward_delete(
        self, keys: dict[tuple[int, ...], list[int]], lits: tuple[int, ...], events: list[tuple[bool, int]]
    ) -> None:
        same = keys.get(tuple(sorted(set(lits))))
        idx = same[-1] if same else -1
        if idx < 0 or any(self.true[x] and self.reason[x] == idx for x in self.lits[idx]):
            self.stats["ignored_deletions"] += 1
            return
        same.pop()  # type: ignore[union-attr]
        self.active[idx] = 0
        self.units.discard(idx)
        events.append((True, idx))

    def _backward(self, events: list[tuple[bool, int]]) -> None:
        # After removing the reason of a top-level literal the top level is stale; it is repaired
        # only before the next check, so a run of unchecked lemmas costs one repair.
        jump = -1  # earliest trail position whose reason was removed (-1: none)
        for is_del, idx in reversed(events):
            if is_del:
                if self._attach(idx) >= 0 and jump < 0:
                    raise _Reject("internal: a restored clause conflicts at the top level")
                continue
            self.active[idx] = 0
            self.units.discard(idx)
            for x in self.lits[idx]:
                if self.true[x] and self.reason[x] == idx and (jump < 0 or self.pos[x] < jump):
                    jump = self.pos[x]
            if self.marked[idx]:
                if jump >= 0:
                    self._reset(jump)
                    jump = -1
                try:
                    self._check_lemma(idx)
                except _Reject as e:
                    n = self.origin[idx]
                    where = location(self.name, self.binary, self.proof[n][2])
                    raise _Reject(f"{where}: lemma {n + 1}: {e}", n + 1) from None

    def _check_lemma(self, idx: int) -> None:
        self.stats["checked"] += 1
        if self.taut[idx]:
            self.hints[idx] = []
            return
        self._top_level()
        base = len(self.trail)
        lemma = self.lits[idx]
        assumed: set[int] = set()
        chain = self._refute(lemma, assumed)
        if chain is None:
            chain = self._check_rat(idx, assumed)
        self._undo(base)
        self.hints[idx] = chain

    def _check_rat(self, idx: int, assumed: set[int]) -> list[int]:
        pivot = self.pivot[idx]
        if not pivot:
            raise _Reject("internal: the empty clause cannot be a RAT lemma")
        self.stats["rat"] += 1
        chain: list[int] = []
        after_lemma = len(self.trail)
        for c in range(len(self.lits)):
            cand = self.lits[c]
            if not self.active[c] or -pivot not in cand:
                continue
            self.marked[c] = 1
            chain.append(-(c + 1))  # also for a tautology: the candidate counts as used in the LRAT
            rest = [x for x in cand if x != -pivot]
            if any(x in assumed or -x in rest for x in rest):
                continue  # the resolvent is a tautology: an empty group, which LRAT ignores
            group = self._refute(rest, set(assumed))
            self._undo(after_lemma)
            if group is None:
                raise _Reject(f"neither RUP nor RAT on {self._external(pivot)} ({self._describe(c)} fails)")
            chain.extend(group)
        return chain

    def _describe(self, c: int) -> str:
        n = self.origin[c]
        return f"formula clause {c + 1}" if n < 0 else f"the lemma of step {n + 1}"

    def _external(self, lit: int) -> int:
        v = abs(lit)
        if v > self.base_vars:
            if len(self.inverse) != len(self.ext):
                self.inverse = {w: k for k, w in self.ext.items()}
            v = self.inverse[v]
        return v if lit > 0 else -v

    def run(self) -> tuple[ProofVerdict, list[tuple[int, list[int]]] | None]:
        """Check the proof; on success also the checked steps (clause, chain) in forward order."""
        try:
            forward = self._forward()
            if isinstance(forward, str):
                return ProofVerdict(False, forward, 0, self.stats), None
            events, final = forward
            self._backward(events)
        except _Reject as e:
            return ProofVerdict(False, str(e), e.step, self.stats), None
        order = sorted(self.hints)
        return ProofVerdict(True, stats=self.stats), [*((i, self.hints[i]) for i in order), (-1, final)]

    def lrat(self, checked: list[tuple[int, list[int]]]) -> list[str]:
        """LRAT text lines for the checked steps, deleting each clause after its last use."""
        ident = {i: i + 1 for i in range(self.num_original)}
        for k, (idx, _) in enumerate(checked):
            ident[idx] = self.num_original + k + 1
        last_use: dict[int, int] = {}
        for k, (_, chain) in enumerate(checked):
            for r in chain:
                last_use[r if r >= 0 else -r - 1] = k
        dying: dict[int, list[int]] = {}
        for c, k in last_use.items():
            dying.setdefault(k, []).append(ident[c])
        unused = [i + 1 for i in range(self.num_original) if i not in last_use]
        lines = [f"{self.num_original} d {' '.join(map(str, unused))} 0"] if unused else []
        for k, (idx, chain) in enumerate(checked):
            lits = [] if idx < 0 else [self.pivot[idx], *(x for x in self.lits[idx] if x != self.pivot[idx])]
            hints = " ".join(str(ident[r] if r >= 0 else -ident[-r - 1]) for r in chain)
            cid = self.num_original + k + 1
            body = " ".join(str(self._external(x)) for x in [*lits, 0])
            lines.append(f"{cid} {body} {hints} 0" if hints else f"{cid} {body} 0")
            if k in dying and idx >= 0:
                lines.append(f"{cid} d {' '.join(map(str, sorted(dying[k])))} 0")
        return lines


def check_drat(
    clauses: Sequence[Sequence[int]],
    proof: bytes | str | Iterable[str],
    name: str = "<drat>",
    emit_lrat: bool = False,
) -> tuple[ProofVerdict, list[str] | None]:
    """Check a DRAT refutation of the CNF `clauses` (text or binary); optionally also return it as
    LRAT lines (clause ids 1..n are the formula's clauses in order).

    Raises `ProofFormatError` if the proof is not DRAT syntax.
    """
    steps, binary = read_drat(proof, name)
    checker = DratChecker(clauses, steps, name, binary)
    verdict, checked = checker.run()
    if not emit_lrat or checked is None:
        return verdict, None
    return verdict, checker.lrat(checked)
