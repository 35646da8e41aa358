"""User text in markdown: escaped so it shows as typed, and cut short for lists."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from pdcore.ui.text import WORD_JOINER, md, md_short, short
from tests.conftest import shown

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "[click](javascript:alert(1))",
    "<b>html</b> &amp;",
    "**bold** _it_ `code` ~~gone~~ $x^2$ | a | b |",
    ":smile: :material/home: :red[red]",
    "www.evil.example and a@evil.example",
    "# heading",
    "- item",
    "+ item",
    "> quote",
    "1. first",
    "2) second",
    "\u05e9\u05dc\u05d5\u05dd \u202eevil\u202c",
    "zero\u200bwidth\u200djoin",
]


def test_every_markup_character_is_escaped():
    for text in HOSTILE:
        out = md(text)
        assert not re.search(r"(?<!\\)[\[\]<>*_`~$|:/&]", out), out
        assert not re.match(r"[#>+=\-]|\d+[.)]", out), out
        assert shown(out) == text


def test_autolinks_are_broken_by_an_invisible_joiner():
    out = md("see http://evil.example, www.evil.example or a@evil.example")
    assert "http\\:" + WORD_JOINER in out
    assert "www" + WORD_JOINER + "." in out
    assert "a@" + WORD_JOINER + "evil" in out


def test_lines_keep_their_breaks_but_not_their_markup():
    out = md("Line one\n  - two\n   # three\n\n1. four", lines=True)
    assert out == "Line one  \n\\- two  \n\\# three  \n  \n1\\. four"
    assert md("a\n\nb") == "a b"  # a name or label stays one line


@given(st.text())
def test_escaping_never_changes_what_is_shown(text):
    assert shown(md(text)) == " ".join(text.split())
    assert shown(md(text, lines=True)).replace("  \n", "\n") == re.sub(
        r"^[ \t]+", "", text.replace("\r\n", "\n").replace("\r", "\n"), flags=re.MULTILINE
    )


def test_long_values_are_cut_for_lists_with_an_ellipsis():
    name = "A" * 5000
    assert len(short(name)) == 60 and short(name).endswith("…")
    assert short("Ana Ruiz") == "Ana Ruiz"
    assert md_short("[x](y)" * 100, 10) == md("[x](y)[x]…")
    assert md(None) == ""
