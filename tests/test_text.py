"""The one place NextRound writes text for people: escaping, dates, counts, places."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from nextround import model
from nextround.text import (
    FALLBACK_MESSAGE,
    HARD_BREAK,
    MAX_SHORT,
    esc,
    format_loc,
    md_escape,
    nice_date,
    plural,
    short_date,
)


def test_esc_escapes_markup_and_both_quotes():
    assert esc("<b title=\"x\">Ada's</b> & co") == (
        "&lt;b title=&quot;x&quot;&gt;Ada&#x27;s&lt;/b&gt; &amp; co")


def test_esc_reads_none_as_nothing_and_other_values_as_text():
    assert esc(None) == ""
    assert esc(3) == "3"


@pytest.mark.parametrize("typed, expected", [
    ("*bold* [link](x) # 1. |", r"\*bold\* \[link\](x) # 1. \|"),
    ("# heading", r"\# heading"),
    ("1. first", r"1\. first"),
    ("12) twelfth", r"12\) twelfth"),
    ("- item", r"\- item"),
    ("+ item", r"\+ item"),
    ("$x$ `code` ~~gone~~ _it_", r"\$x\$ \`code\` \~\~gone\~\~ \_it\_"),
    ("<script>alert(1)</script>", r"&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("![img](http://evil.example/x.png)", r"!\[img\](http://evil.example/x.png)"),
    ("back\\slash", r"back\\slash"),
])
def test_md_escape_leaves_no_markup(typed, expected):
    assert md_escape(typed) == expected


def test_md_escape_keeps_line_breaks_as_hard_breaks():
    assert md_escape("  first\n# second\n  - third\n") == (
        "first" + HARD_BREAK + r"\# second" + HARD_BREAK + r"  \- third")


def test_md_escape_on_one_line_folds_every_break():
    assert md_escape("# first\n\n# second\tthird", one_line=True) == r"\# first # second third"


def test_md_escape_leaves_plain_punctuation_readable():
    assert md_escape("Talked about nerves (again): 10.30, fine!") == (
        "Talked about nerves (again): 10.30, fine!")


def test_md_escape_renders_as_plain_text():
    mistune = pytest.importorskip("mistune")
    hostile = "[click me](javascript:alert(1)) <img src=x> **bold**\n# heading\n- item"
    rendered = mistune.html("- " + md_escape(hostile))
    for forbidden in ("<a ", "<img", "<strong", "<h1", "<ul>\n<li>item"):
        assert forbidden not in rendered


def test_dates_read_the_same_in_every_country():
    assert nice_date(date(2024, 3, 5)) == "5 March 2024"
    assert nice_date(datetime(2024, 11, 28, 23, 59)) == "28 November 2024"
    assert short_date(date(2026, 11, 3)) == "3 Nov 2026"


def test_a_missing_date_says_what_the_caller_asks():
    assert nice_date(None) == ""
    assert nice_date(None, "no date") == "no date"
    assert short_date(None, "never") == "never"


@pytest.mark.parametrize("number, expected", [(0, "0 actions"), (1, "1 action"),
                                              (2, "2 actions")])
def test_plural_agrees_with_the_count(number, expected):
    assert plural(number, "action") == expected


def test_plural_takes_an_irregular_form():
    assert plural(1, "reply", "replies") == "1 reply"
    assert plural(3, "reply", "replies") == "3 replies"


def test_format_loc_writes_a_path_into_a_file():
    assert format_loc(("scenarios", 2, "reading")) == "scenarios[2].reading"
    assert format_loc((0, "name")) == "[0].name"
    assert format_loc(()) == "(top)"


def test_format_loc_starts_from_a_prefix():
    assert format_loc((3, "applied_on"), "applications") == "applications[3].applied_on"
    assert format_loc((), "client") == "client"


def test_short_answers_have_one_bound_everywhere():
    from pydantic import TypeAdapter, ValidationError

    short = TypeAdapter(model.ShortText)
    assert short.validate_python("x" * MAX_SHORT) == "x" * MAX_SHORT
    with pytest.raises(ValidationError):
        short.validate_python("x" * (MAX_SHORT + 1))


def test_the_fallback_message_says_saved_work_is_safe():
    assert "safe" in FALLBACK_MESSAGE and "try again" in FALLBACK_MESSAGE
