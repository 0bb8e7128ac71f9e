"""Versions of a draft: carrying paragraph keys over from one version to the next, and the diff between two.

Paragraphs are aligned with :class:`difflib.SequenceMatcher` on the texts of the consultation's first language:
equal runs match one to one; inside a replaced run, each old paragraph is paired with the most similar new one when
they share enough words (it was *changed*), otherwise it was *removed* (and the new one *added*). A matched paragraph
keeps its key, which is how a comment on v1 finds "what this paragraph became" in v2.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from difflib import SequenceMatcher

#: Two paragraphs sharing at least this much of their words are "the same paragraph, changed".
SIMILAR_ENOUGH = 0.5


def new_key() -> str:
    """A short random paragraph identifier (8 URL-safe characters)."""
    return secrets.token_urlsafe(6)


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def match(old: list[str], new: list[str]) -> dict[int, int]:
    """Pair indexes of ``old`` with indexes of ``new`` (each used at most once), in document order."""
    pairs: dict[int, int] = {}
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.update({i1 + k: j1 + k for k in range(i2 - i1)})
        elif tag == "replace":
            used: set[int] = set()
            last = j1 - 1
            for i in range(i1, i2):
                best, score = None, SIMILAR_ENOUGH
                # Keep document order: look only after the last paired new paragraph.
                for j in range(last + 1, j2):
                    if j in used:
                        continue
                    s = similarity(old[i], new[j])
                    if s >= score:
                        best, score = j, s
                if best is not None:
                    pairs[i] = best
                    used.add(best)
                    last = best
    return pairs


def carry_keys(old_keys: list[str], old_texts: list[str], new_texts: list[str]) -> list[str]:
    """Keys for the paragraphs of a new version: the old key where matched, a fresh one elsewhere."""
    pairs = match(old_texts, new_texts)
    inherited = {j: old_keys[i] for i, j in pairs.items()}
    return [inherited.get(j) or new_key() for j in range(len(new_texts))]


@dataclass
class WordSpan:
    kind: str  # "equal", "added", "removed"
    text: str


@dataclass
class DiffRow:
    """One line of the diff view: an old paragraph, a new one, or both."""

    kind: str  # "same", "changed", "added", "removed"
    old_number: str = ""
    new_number: str = ""
    key: str = ""
    old_text: str = ""
    new_text: str = ""
    words: list[WordSpan] = field(default_factory=list)
    is_heading: bool = False


def word_diff(old: str, new: str) -> list[WordSpan]:
    a, b = old.split(), new.split()
    spans: list[WordSpan] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            spans.append(WordSpan("equal", " ".join(a[i1:i2])))
        if tag in ("delete", "replace"):
            spans.append(WordSpan("removed", " ".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            spans.append(WordSpan("added", " ".join(b[j1:j2])))
    return spans


def diff(old: list, new: list, language: str) -> list[DiffRow]:
    """The rows of the diff between two versions' paragraphs (objects with key, number, level and text(lang)).

    Paragraphs are paired by key (a key carried over means "v1's paragraph became this one"); the rows follow the
    new version's order, each removed paragraph placed after the new paragraph its predecessor became.
    """
    new_by_key = {p.key: p for p in new}
    old_keys = {p.key for p in old}
    rows: list[DiffRow] = []
    removed_after: dict[str | None, list] = {}
    anchor: str | None = None
    for p in old:
        if p.key in new_by_key:
            anchor = p.key
        else:
            removed_after.setdefault(anchor, []).append(p)
    old_by_key = {p.key: p for p in old}

    def removed(items: list) -> None:
        for p in items:
            rows.append(DiffRow("removed", old_number=p.number, key=p.key, old_text=p.text(language),
                                is_heading=p.is_heading,
                                words=[WordSpan("removed", p.text(language))]))

    removed(removed_after.get(None, []))
    for p in new:
        text = p.text(language)
        if p.key in old_keys:
            before = old_by_key[p.key].text(language)
            kind = "same" if before == text else "changed"
            rows.append(DiffRow(kind, old_number=old_by_key[p.key].number, new_number=p.number, key=p.key,
                                old_text=before, new_text=text, is_heading=p.is_heading,
                                words=word_diff(before, text) if kind == "changed" else [WordSpan("equal", text)]))
        else:
            rows.append(DiffRow("added", new_number=p.number, key=p.key, new_text=text, is_heading=p.is_heading,
                                words=[WordSpan("added", text)]))
        removed(removed_after.get(p.key, []))
    return rows
