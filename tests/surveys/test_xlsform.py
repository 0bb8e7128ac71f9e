"""Importing XLSForm workbooks: what is accepted, and that every refusal names its sheet, row and column."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from consult.surveys.form import FormDefinition, RangeParameters
from consult.surveys.xlsform import XLSFormError, import_xlsform

from .xlsforms import SETTINGS, YES_NO, simple, workbook_bytes, xlsform


def problems_of(data: bytes, **kwargs):
    with pytest.raises(XLSFormError) as info:
        import_xlsform(data, **kwargs)
    return info.value.problems


def where(problems):
    """``(sheet, row, column)`` of each problem, for compact assertions."""
    return [(p.sheet, p.row, p.column) for p in problems]


def assert_refused(data: bytes, sheet, row, column, *, contains: str | None = None, **kwargs):
    found = problems_of(data, **kwargs)
    matching = [p for p in found if (p.sheet, p.row, p.column) == (sheet, row, column)]
    assert matching, f"expected a problem at {(sheet, row, column)}, got {[str(p) for p in found]}"
    if contains is not None:
        assert any(contains in p.message for p in matching), [p.message for p in matching]
    return found


# ---------------------------------------------------------------------------------------------- accepted

ALL_TYPES = xlsform(
    [
        ["type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message", "appearance",
         "parameters", "weighting", "choice_filter"],
        ["begin group", "about", "About you", "", "", "", "", "", "field-list", "", "", ""],
        ["note", "intro", "Welcome", "", "", "", "", "", "", "", "", ""],
        ["text", "name", "Your name", "First name is enough", "yes", "", "string-length(.) < 50", "Too long", "", "",
         "", ""],
        ["integer", "age", "Age", "", "true", "", ". >= 18 and . <= 120", "Adults only", "", "", "yes", ""],
        ["decimal", "height", "Height", "", "", "", "", "", "", "", "", ""],
        ["date", "dob", "Date of birth", "", "", "", ". < today()", "", "", "", "", ""],
        ["end group", "", "", "", "", "", "", "", "", "", "", ""],
        ["begin group", "views", "Views", "", "", "${age} >= 18", "", "", "", "", "", ""],
        ["select_one yes_no", "agree", "Agree?", "", "", "", "", "", "", "", "TRUE", ""],
        ["select_multiple colour", "colours", "Colours", "", "", "", "", "", "minimal", "", "", ""],
        ["select_one colour", "best", "Best colour", "", "${age} > 30", "", "", "", "", "", "",
         "selected(${colours}, name)"],
        ["range", "scale", "Scale", "", "", "${agree} = 'yes'", "", "", "likert", "start=1 end=5 step=1", "1", ""],
        ["end group", "", "", "", "", "", "", "", "", "", "", ""],
    ],
    [
        ["list_name", "name", "label"],
        ["yes_no", "yes", "Yes"],
        ["yes_no", "no", "No"],
        ["colour", "red", "Red"],
        ["colour", "blue", "Blue"],
    ],
    [["form_title", "form_id", "version", "default_language", "style"],
     ["All types", "all_types", "2026-11", "English (en)", "pages"]],
)


def test_imports_every_type_and_column():
    form = import_xlsform(ALL_TYPES)
    assert form.form_id == "all_types"
    assert form.version == "2026-11"
    assert form.title == {"en": "All types"}
    assert form.default_language == "en" and form.languages == ("en",)
    assert form.settings == {"style": "pages"}
    assert [p.name for p in form.pages] == ["about", "views"]
    assert [q.type for q in form.questions()] == [
        "note", "text", "integer", "decimal", "date", "select_one", "select_multiple", "select_one", "range",
    ]
    name = form.question("name")
    assert name.required is True and name.hint == {"en": "First name is enough"}
    assert name.constraint_message == {"en": "Too long"}
    assert form.pages[0].appearance == "field-list"
    assert form.pages[1].relevant == "${age} >= 18"
    assert form.question("best").required == "${age} > 30"
    assert form.question("best").choice_filter == "selected(${colours}, name)"
    assert form.question("colours").choice_list == "colour"
    assert form.question("scale").parameters == RangeParameters(1, 5, 1)
    assert form.question("scale").appearance == "likert"
    assert [q.name for q in form.weighting_questions()] == ["age", "agree", "scale"]
    assert [c.name for c in form.choice_lists["colour"]] == ["red", "blue"]


def test_round_trips_through_json():
    form = import_xlsform(ALL_TYPES)
    data = json.loads(json.dumps(form.to_dict()))
    again = FormDefinition.from_dict(data)
    assert again == form
    assert again.to_dict() == form.to_dict()


def test_translations_keyed_on_code_and_bare_label_in_default_language():
    data = xlsform(
        [
            ["type", "name", "label", "label::Français (fr)", "label::العربية (ar)", "hint::English (en)",
             "hint::Français (fr)", "hint::العربية (ar)"],
            ["text", "q", "Question", "Question (fr)", "سؤال", "", "", ""],
            ["integer", "n", "Number", "Nombre", "رقم", "Whole", "Entier", "عدد صحيح"],
        ],
        [["list_name", "name", "label::English (en)", "label::Français (fr)", "label::العربية (ar)"]],
        [["form_title::English (en)", "form_title::Français (fr)", "form_title::العربية (ar)", "form_id",
          "default_language"],
         ["Title", "Titre", "عنوان", "t", "English (en)"]],
    )
    form = import_xlsform(data)
    assert form.languages == ("en", "fr", "ar")
    assert form.language_names["ar"] == "العربية"
    assert form.question("q").label == {"en": "Question", "fr": "Question (fr)", "ar": "سؤال"}
    assert form.question("q").hint == {}
    assert form.question("n").hint == {"en": "Whole", "fr": "Entier", "ar": "عدد صحيح"}
    assert form.title_in("fr") == "Titre"
    assert form.title_in("uk") == "Title"  # falls back to the default language
    assert form.text(form.question("n").label, "ar") == "رقم"


def test_default_language_from_translated_columns_only():
    data = xlsform(
        [["type", "name", "label::Français (fr)", "label::English (en)"], ["text", "q", "Q fr", "Q en"]],
        None,
        [["form_id"], ["x"]],
    )
    form = import_xlsform(data)
    assert form.default_language == "fr"  # the first language when the settings do not say
    assert form.languages == ("fr", "en")


def test_ungrouped_questions_share_implicit_pages():
    data = simple([
        ["text", "a", "A"],
        ["text", "b", "B"],
        ["begin group", "g", "G"],
        ["text", "c", "C"],
        ["end group"],
        ["text", "d", "D"],
    ])
    form = import_xlsform(data)
    assert [(p.name, p.implicit, [q.name for q in p.questions]) for p in form.pages] == [
        ("_page1", True, ["a", "b"]),
        ("g", False, ["c"]),
        ("_page3", True, ["d"]),
    ]
    assert form.page_of("d") == 2


def test_form_id_from_filename_when_settings_missing():
    data = xlsform([["type", "name", "label"], ["text", "a", "A"]])
    form = import_xlsform(data, filename="My Survey 2026.xlsx")
    assert form.form_id == "My_Survey_2026"
    assert form.title_in("en") == "My_Survey_2026"


def test_excel_typed_cells_are_read_as_authors_meant():
    data = xlsform(
        [["type", "name", "label", "required", "weighting"], ["integer", "n", 42, True, 1]],
        None,
        [["form_id", "version"], ["f", 3]],
    )
    form = import_xlsform(data)
    assert form.question("n").label == {"en": "42"}
    assert form.question("n").required is True and form.question("n").weighting is True
    assert form.version == "3"


def test_kobo_bookkeeping_and_empty_unsupported_columns_are_ignored():
    data = xlsform(
        [["type", "name", "label", "$kuid", "calculation", "_note"], ["text", "a", "A", "abc1", None, "mine"]],
        None,
        SETTINGS,
        builder=[["anything"], ["at all"]],
    )
    assert import_xlsform(data).question("a")


def test_headers_are_case_and_space_insensitive():
    data = xlsform(
        [["Type", "Name", "Label", "Constraint Message", "Required Message"], ["text", "a", "A", "m", "r"]],
        [["list name", "name", "label"]],
        [["Form_ID"], ["x"]],
    )
    form = import_xlsform(data)
    assert form.question("a").constraint_message == {"en": "m"}
    assert form.question("a").required_message == {"en": "r"}


def test_choice_extra_columns_kept_for_filters():
    data = simple(
        [["select_one country", "country", "Country", ""], ["select_one region", "region", "Region",
                                                             "country=${country}"]],
        headers=("type", "name", "label", "choice_filter"),
        choices=[
            ["list_name", "name", "label", "country"],
            ["country", "ua", "Ukraine", ""],
            ["country", "ml", "Mali", ""],
            ["region", "kyiv", "Kyiv", "ua"],
            ["region", "gao", "Gao", "ml"],
        ],
    )
    form = import_xlsform(data)
    assert form.choice_lists["region"][0].extra == {"country": "ua"}


# --------------------------------------------------------------------------------------------- refusals


def test_not_an_xlsx():
    found = problems_of(b"this is not a spreadsheet")
    assert where(found) == [(None, None, None)]
    assert "xlsx" in found[0].message


def test_old_xls_file_gets_a_helpful_message():
    found = problems_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert ".xls" in found[0].message


def test_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    assert where(problems_of(out.getvalue())) == [(None, None, None)]


def test_empty_file():
    assert problems_of(b"")


def test_missing_survey_sheet():
    found = problems_of(workbook_bytes({"questions": [["type"], ["text"]]}))
    assert "survey" in found[0].message


def test_empty_survey_sheet():
    found = problems_of(workbook_bytes({"survey": []}))
    assert found[0].sheet == "survey"


def test_unknown_type_names_row_and_column():
    found = assert_refused(simple([["text", "a", "A"], ["geopoint", "where", "Where"]]), "survey", 3, "type",
                           contains="geopoint")
    assert found[0].cell == "A3"


@pytest.mark.parametrize("type_", ["begin repeat", "select_one yes_no or_other", "select_one", "calculate"])
def test_other_unsupported_types(type_):
    assert_refused(simple([["text", "a", "A"], [type_, "b", "B"]]), "survey", 3, "type")


def test_missing_type():
    assert_refused(simple([[None, "a", "A"]]), "survey", 2, "type")


def test_broken_expression_names_position():
    data = simple([["integer", "a", "A", ""], ["text", "b", "B", "${a} > 3 and"]],
                  headers=("type", "name", "label", "relevant"))
    found = assert_refused(data, "survey", 3, "relevant")
    assert "13" in found[0].message


def test_unknown_function():
    data = simple([["integer", "a", "A", "pulldata('x', 1)"]], headers=("type", "name", "label", "constraint"))
    assert_refused(data, "survey", 2, "constraint", contains="pulldata")


def test_reference_to_unknown_field():
    data = simple([["integer", "a", "A", "${nope} = 1"]], headers=("type", "name", "label", "relevant"))
    assert_refused(data, "survey", 2, "relevant", contains="nope")


def test_reference_to_group_or_note_refused():
    data = simple([["note", "n", "N", ""], ["begin group", "g", "G", ""], ["text", "a", "A", "${n} = 1"],
                   ["text", "b", "B", "${g} = 1"], ["end group"]], headers=("type", "name", "label", "relevant"))
    found = problems_of(data)
    assert ("survey", 4, "relevant") in where(found) and ("survey", 5, "relevant") in where(found)


def test_bare_name_outside_choice_filter():
    data = simple([["integer", "a", "A", ""], ["text", "b", "B", "a = 1"]],
                  headers=("type", "name", "label", "relevant"))
    assert_refused(data, "survey", 3, "relevant", contains="${a}")


def test_dot_outside_constraint():
    data = simple([["integer", "a", "A", ". = 1"]], headers=("type", "name", "label", "relevant"))
    assert_refused(data, "survey", 2, "relevant")


def test_cycle_between_two_questions():
    data = simple([["integer", "a", "A", "${b} = 1"], ["integer", "b", "B", "${a} = 1"]],
                  headers=("type", "name", "label", "relevant"))
    found = problems_of(data)
    assert len(found) == 1 and found[0].column == "relevant" and found[0].row in (2, 3)
    assert "a" in found[0].message and "b" in found[0].message


def test_self_reference_in_relevant_is_a_cycle():
    data = simple([["integer", "a", "A", "${a} = 1"]], headers=("type", "name", "label", "relevant"))
    assert_refused(data, "survey", 2, "relevant")


def test_self_reference_in_constraint_is_fine():
    data = simple([["integer", "a", "A", "${a} > 1"]], headers=("type", "name", "label", "constraint"))
    assert import_xlsform(data).question("a").constraint == "${a} > 1"


def test_group_relevant_on_its_own_question_is_a_cycle():
    data = simple([["begin group", "g", "G", "${a} = 1"], ["integer", "a", "A", ""], ["end group"]],
                  headers=("type", "name", "label", "relevant"))
    found = problems_of(data)
    assert found and all(p.column == "relevant" for p in found)
    assert "Circular" in found[0].message


def test_cycle_through_choice_filter():
    data = simple(
        [["select_one l", "a", "A", "", "x = ${b}"], ["select_one l", "b", "B", "${a} = 'p'", ""]],
        headers=("type", "name", "label", "relevant", "choice_filter"),
        choices=[["list_name", "name", "label", "x"], ["l", "p", "P", "p"]],
    )
    assert "Circular" in " ".join(p.message for p in problems_of(data))


def test_reference_to_later_page():
    data = simple([["begin group", "p1", "P1", ""], ["integer", "a", "A", "${b} = 1"], ["end group"],
                   ["begin group", "p2", "P2", ""], ["integer", "b", "B", ""], ["end group"]],
                  headers=("type", "name", "label", "relevant"))
    assert_refused(data, "survey", 3, "relevant", contains="later page")


def test_reference_to_later_question_on_same_page_is_fine():
    data = simple([["integer", "a", "A", "${b} = 1"], ["integer", "b", "B", ""]],
                  headers=("type", "name", "label", "relevant"))
    assert import_xlsform(data)


def test_duplicate_names():
    found = assert_refused(simple([["text", "a", "A"], ["begin group", "a", "G"], ["text", "b", "B"], ["end group"]]),
                           "survey", 3, "name", contains="row 2")
    assert len(found) == 1


def test_missing_and_invalid_names():
    found = problems_of(simple([["text", None, "A"], ["text", "2bad", "B"], ["text", "has space", "C"]]))
    assert where(found) == [("survey", 2, "name"), ("survey", 3, "name"), ("survey", 4, "name")]


def test_unknown_choice_list():
    assert_refused(simple([["select_one colours", "c", "C"]]), "survey", 2, "type", contains="colours")


def test_select_without_choices_sheet():
    data = xlsform([["type", "name", "label"], ["select_one yes_no", "c", "C"]], None, SETTINGS)
    assert_refused(data, "survey", 2, "type")


def test_duplicate_choice_in_list():
    choices = [*YES_NO, ["yes_no", "yes", "Yes again"]]
    assert_refused(simple([["select_one yes_no", "c", "C"]], choices=choices), "choices", 4, "name",
                   contains="row 2")


def test_same_choice_name_in_two_lists_is_fine():
    choices = [*YES_NO, ["other", "yes", "Yes"]]
    assert import_xlsform(simple([["select_one yes_no", "c", "C"]], choices=choices))


def test_choice_missing_name_or_list():
    choices = [*YES_NO, ["yes_no", None, "Maybe"], [None, "x", "X"]]
    found = problems_of(simple([["select_one yes_no", "c", "C"]], choices=choices))
    assert where(found) == [("choices", 4, "name"), ("choices", 5, "list_name")]


def test_space_in_select_multiple_choice_name():
    choices = [*YES_NO, ["many", "a b", "A B"]]
    assert_refused(simple([["select_multiple many", "m", "M"]], choices=choices), "choices", 4, "name")


def test_unbalanced_groups():
    assert_refused(simple([["begin group", "g", "G"], ["text", "a", "A"]]), "survey", 2, "type",
                   contains="never closed")
    assert_refused(simple([["text", "a", "A"], ["end group"]]), "survey", 3, "type")


def test_nested_groups_refused():
    data = simple([["begin group", "outer", "O"], ["begin group", "inner", "I"], ["text", "a", "A"], ["end group"],
                   ["end group"]])
    found = assert_refused(data, "survey", 3, "type", contains="outer")
    assert len(found) == 1


def test_empty_group_refused():
    assert_refused(simple([["begin group", "g", "G"], ["end group"]]), "survey", 2, "type")


def test_missing_translation_names_the_cell():
    data = xlsform(
        [["type", "name", "label::English (en)", "label::Français (fr)", "hint::English (en)", "hint::Français (fr)"],
         ["text", "a", "A", "", "", ""],
         ["text", "b", "B", "B fr", "Hint", ""]],
        [["list_name", "name", "label::English (en)", "label::Français (fr)"]],
        [["form_id", "default_language"], ["f", "en"]],
    )
    found = problems_of(data)
    assert where(found) == [("survey", 2, "label::Français (fr)"), ("survey", 3, "hint::Français (fr)")]
    assert found[0].cell == "D2"
    assert "fr" in found[0].message


def test_language_without_any_label_column():
    data = xlsform(
        [["type", "name", "label::English (en)", "hint::Українська (uk)"], ["text", "a", "A", "Підказка"]],
        None,
        [["form_id", "default_language"], ["f", "en"]],
    )
    found = problems_of(data)
    assert ("survey", 2, "label::Українська (uk)") in where(found)
    assert ("survey", 2, "hint::English (en)") in where(found)


def test_missing_choice_translation():
    data = xlsform(
        [["type", "name", "label::English (en)", "label::Français (fr)"], ["select_one yn", "a", "A", "A fr"]],
        [["list_name", "name", "label::English (en)", "label::Français (fr)"], ["yn", "y", "Yes", "Oui"],
         ["yn", "n", "No", None]],
        [["form_id", "default_language"], ["f", "en"]],
    )
    assert where(problems_of(data)) == [("choices", 3, "label::Français (fr)")]


def test_language_header_without_code():
    data = xlsform([["type", "name", "label::English"], ["text", "a", "A"]], None, SETTINGS)
    assert_refused(data, "survey", 1, "label::English")


def test_bare_and_translated_default_language_twice():
    data = xlsform([["type", "name", "label", "label::English (en)"], ["text", "a", "A", "A"]], None,
                   [["form_id", "default_language"], ["f", "English (en)"]])
    assert_refused(data, "survey", 2, "label::English (en)")


def test_bare_label_with_translations_needs_default_language():
    data = xlsform([["type", "name", "label", "label::Français (fr)"], ["text", "a", "A", "A fr"]], None, SETTINGS)
    assert problems_of(data)[0].column == "label"


def test_unknown_column_with_content():
    data = simple([["text", "a", "A", "5"]], headers=("type", "name", "label", "default"))
    assert_refused(data, "survey", 2, "default", contains="default")


def test_untranslatable_column_with_language():
    data = simple([["text", "a", "A", "1"]], headers=("type", "name", "label", "relevant::English (en)"))
    assert_refused(data, "survey", 1, "relevant::English (en)")


def test_duplicate_column():
    data = simple([["text", "a", "A", "B"]], headers=("type", "name", "label", "label"))
    assert_refused(data, "survey", 1, "label")


def test_cell_without_header():
    data = xlsform([["type", "name", "label"], ["text", "a", "A", "stray"]], None, SETTINGS)
    assert_refused(data, "survey", 2, "D")


@pytest.mark.parametrize("params", ["start=1 end=5 step=0", "start=1 end=1", "start=1 end=5 step=3",
                                    "from=1", "start=x", "start=0 end=100000 step=1"])
def test_bad_range_parameters(params):
    data = simple([["range", "r", "R", params]], headers=("type", "name", "label", "parameters"))
    assert_refused(data, "survey", 2, "parameters")


def test_range_defaults_and_decimals():
    data = simple([["range", "a", "A", ""], ["range", "b", "B", "start=0 end=1 step=0.25"],
                   ["range", "c", "C", "start=5;end=1"]],
                  headers=("type", "name", "label", "parameters"))
    form = import_xlsform(data)
    assert form.question("a").parameters == RangeParameters(1, 10, 1)
    assert form.question("b").parameters.values() == (0, 0.25, 0.5, 0.75, 1)
    assert form.question("c").parameters.values() == (5, 4, 3, 2, 1)


def test_parameters_on_other_types():
    data = simple([["text", "t", "T", "start=1"]], headers=("type", "name", "label", "parameters"))
    assert_refused(data, "survey", 2, "parameters")


def test_weighting_values():
    data = simple([["text", "t", "T", "yes"], ["integer", "i", "I", "perhaps"]],
                  headers=("type", "name", "label", "weighting"))
    assert where(problems_of(data)) == [("survey", 2, "weighting"), ("survey", 3, "weighting")]


def test_choice_filter_only_on_selects_and_known_columns():
    data = simple(
        [["text", "t", "T", "x = 1"], ["select_one yes_no", "s", "S", "country = ${t}"]],
        headers=("type", "name", "label", "choice_filter"),
    )
    assert where(problems_of(data)) == [("survey", 2, "choice_filter"), ("survey", 3, "choice_filter")]


def test_note_cannot_be_required():
    data = simple([["note", "n", "N", "yes"]], headers=("type", "name", "label", "required"))
    assert_refused(data, "survey", 2, "required")


def test_bad_form_id_and_missing_form_id():
    data = simple([["text", "a", "A"]], settings=[["form_id"], ["has space"]])
    assert_refused(data, "settings", 2, "form_id")
    data = xlsform([["type", "name", "label"], ["text", "a", "A"]])
    assert where(problems_of(data)) == [("settings", None, "form_id")]


def test_unsupported_setting_refused():
    data = simple([["text", "a", "A"]], settings=[["form_id", "public_key"], ["f", "MIIB..."]])
    assert_refused(data, "settings", 2, "public_key")


def test_all_problems_reported_together_in_sheet_order():
    data = xlsform(
        [["type", "name", "label"], ["geopoint", "g", "G"], ["text", "a", None], ["select_one nope", "s", "S"]],
        [["list_name", "name", "label"], ["l", "x", None]],
        [["form_id"], ["bad id"]],
    )
    found = problems_of(data)
    assert where(found) == [
        ("survey", 2, "type"), ("survey", 3, "label"), ("survey", 4, "type"),
        ("choices", 2, "label"), ("settings", 2, "form_id"),
    ]
    text = str(XLSFormError(found))
    assert "Sheet survey, row 2, column type" in text


def test_long_relevant_chain_does_not_exhaust_the_stack():
    rows = [["integer", "q0", "Q", ""]] + [["integer", f"q{i}", "Q", f"${{q{i - 1}}} = 1"] for i in range(1, 1500)]
    form = import_xlsform(simple(rows, headers=("type", "name", "label", "relevant")))
    assert len(list(form.questions())) == 1500


# ---------------------------------------------------------------------------------------------- properties

_cells = st.one_of(
    st.none(),
    st.sampled_from(["text", "integer", "select_one yes_no", "select_multiple yes_no", "begin group", "end group",
                     "note", "range", "date", "decimal", "a", "b", "c", "${a} = 1", ". > 1", "yes", "start=1 end=5",
                     "selected(${b}, 'yes')", "(", "label", "name", "type"]),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=8),  # what a spreadsheet can hold
    st.integers(-5, 5),
)
_headers = st.lists(
    st.sampled_from(["type", "name", "label", "label::Français (fr)", "hint", "relevant", "constraint", "required",
                     "parameters", "choice_filter", "weighting", "appearance", "label::xx", "bogus"]),
    min_size=1, max_size=6, unique=True,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=_headers, rows=st.lists(st.lists(_cells, min_size=1, max_size=6), max_size=8),
       with_choices=st.booleans())
def test_random_small_sheets_import_or_raise_xlsform_error(headers, rows, with_choices):
    data = xlsform([headers, *[r[: len(headers)] for r in rows]], YES_NO if with_choices else None, SETTINGS)
    try:
        form = import_xlsform(data)
    except XLSFormError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.message and (p.sheet is None or p.sheet in ("survey", "choices", "settings"))
        return
    # An accepted form always survives storage.
    assert FormDefinition.from_dict(json.loads(json.dumps(form.to_dict()))) == form


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_raise_xlsform_error(data):
    with pytest.raises(XLSFormError):
        import_xlsform(data)


def test_single_untranslated_title_serves_every_language():
    data = xlsform(
        [["type", "name", "label::English (en)", "label::Français (fr)"], ["text", "a", "A", "A fr"]],
        None,
        [["form_title", "form_id", "default_language"], ["WPS 2026", "f", "English (en)"]],
    )
    form = import_xlsform(data)
    assert form.title == {"en": "WPS 2026"}
    assert form.title_in("fr") == "WPS 2026"


def test_partly_translated_title_refused():
    data = xlsform(
        [["type", "name", "label::English (en)", "label::Français (fr)"], ["text", "a", "A", "A fr"]],
        None,
        [["form_title::English (en)", "form_title::Français (fr)", "form_id"], ["Title", None, "f"]],
    )
    assert where(problems_of(data)) == [("settings", 2, "form_title::Français (fr)")]


def test_too_many_rows_refused():
    rows = [["text", f"q{i}", "Q"] for i in range(5001)]
    found = problems_of(simple(rows))
    assert any(p.sheet == "survey" and "5000" in p.message for p in found)


def test_language_names_from_cldr_when_header_gives_only_a_code():
    data = xlsform([["type", "name", "label::en", "label::uk"], ["text", "a", "A", "А"]], None,
                   [["form_id", "default_language"], ["f", "en"]])
    form = import_xlsform(data)
    assert form.languages == ("en", "uk")
    assert form.language_names == {"en": "English", "uk": "українська"}


def test_empty_media_column_ignored_but_used_one_refused():
    assert import_xlsform(simple([["text", "a", "A", None]], headers=("type", "name", "label", "media::image")))
    data = simple([["text", "a", "A", "a.png"]], headers=("type", "name", "label", "media::image"))
    assert where(problems_of(data)) == [("survey", 2, "media::image")]


def test_references_inside_texts_are_checked():
    data = simple([["integer", "age", "Age", ""], ["text", "why", "Why ${age}?", "Since ${nope}"],
                   ["begin group", "g", "Page for ${age}", ""], ["text", "x", "X", ""], ["end group"]],
                  headers=("type", "name", "label", "hint"))
    assert where(problems_of(data)) == [("survey", 3, "hint")]
    ok = simple([["integer", "age", "Age", ""], ["text", "why", "Why ${age}?", "Since ${age}"]],
                headers=("type", "name", "label", "hint"))
    assert import_xlsform(ok).question("why").label == {"en": "Why ${age}?"}
