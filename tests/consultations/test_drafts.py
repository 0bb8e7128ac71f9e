"""Drafts into blocks, numbering, alignment of languages, carrying keys over, and word-level diffs (no database)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from consult.consultations import drafts, versions


def test_markdown_headings_paragraphs_and_list_items():
    blocks = drafts.parse_markdown("# Title #\n\nOne line\ncontinued.\n\n## Sub\n\n- first\n- second\n\r\nLast")
    assert [(b.level, b.text) for b in blocks] == [
        (1, "Title"), (0, "One line continued."), (2, "Sub"), (0, "- first"), (0, "- second"), (0, "Last")]
    assert drafts.number_blocks([b.level for b in blocks]) == ["1", "1", "1.1", "2", "3", "4"]
    assert drafts.number_blocks([1, 0, 2, 0, 1, 2, 0]) == ["1", "1", "1.1", "2", "2", "2.1", "3"]


@pytest.mark.parametrize("source, message", [
    ("", "no paragraph"), ("# Only a heading", "no paragraph"), ("# A\n\n### C\n\ntext", "skips a level"),
    ("x" * 10_001, "longer than"),
])
def test_markdown_that_is_not_a_draft(source, message):
    with pytest.raises(drafts.DraftError, match=message):
        drafts.parse_markdown(source)


def test_languages_must_be_paragraph_aligned():
    en = drafts.parse_markdown("# A\n\nOne.\n\nTwo.")
    fr = drafts.parse_markdown("# A\n\nUn.\n\nDeux.")
    rows = drafts.align_languages({"en": en, "fr": fr}, ["en", "fr"])
    assert rows[2] == {"level": 0, "texts": {"en": "Two.", "fr": "Deux."}}
    with pytest.raises(drafts.DraftError, match="not paragraph aligned"):
        drafts.align_languages({"en": en, "fr": drafts.parse_markdown("Un.\n\n# A\n\nDeux.")}, ["en", "fr"])


def test_keys_are_carried_over_to_matched_paragraphs():
    old = ["Allies appoint a senior gender adviser by 2026.", "Every document is reviewed.",
           "Women make up a third of every team.", "Civil society is consulted."]
    new = ["A brand new opening paragraph about something else entirely.",
           "Allies appoint a senior gender adviser in every mission by 2026.", "Every document is reviewed.",
           "Women make up half of every team."]
    keys = versions.carry_keys(["k1", "k2", "k3", "k4"], old, new)
    assert keys[1:] == ["k1", "k2", "k3"]
    assert keys[0] not in {"k1", "k2", "k3", "k4"} and len(keys[0]) == 8


@dataclass
class P:
    key: str
    number: str
    body: str
    level: int = 0

    @property
    def is_heading(self):
        return self.level > 0

    def text(self, language):
        return self.body


def test_diff_shows_added_removed_changed_and_where_each_went():
    old = [P("a", "1", "Keep this."), P("b", "2", "Women make up a third."), P("c", "3", "Gone soon.")]
    new = [P("a", "1", "Keep this."), P("b", "2", "Women make up half."), P("d", "3", "Brand new.")]
    rows = versions.diff(old, new, "en")
    assert [(r.kind, r.old_number, r.new_number) for r in rows] == [
        ("same", "1", "1"), ("changed", "2", "2"), ("removed", "3", ""), ("added", "", "3")]
    changed = rows[1].words
    assert [(w.kind, w.text) for w in changed] == [("equal", "Women make up"), ("removed", "a third."),
                                                   ("added", "half.")]
