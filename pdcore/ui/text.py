"""User-written text in Streamlit's markdown: always shown as the characters typed.

Names, topics, cohort names, departments, reflections, notes and comments reach st.markdown,
st.write, st.caption, st.success, headings and button labels, which all read markdown (links,
bold, HTML, $LaTeX$, :emoji: and :color[...] directives, autolinked addresses). `md(s)`
backslash-escapes each character that could start markup (CommonMark shows an escaped character
as itself) and breaks autolinks with an invisible word joiner, so none of that can happen; `short(s)` also cuts a long value for lists and labels.
"""

from __future__ import annotations

import re

from pdcore.limits import LIST_NAME_CHARS

# What CommonMark, GFM and Streamlit read as markup anywhere in a line: emphasis, code, links and
# images ([ ]), HTML and autolinks (< >), entities (&), tables (|), strikethrough (~), $LaTeX$,
# and :emoji:, :material/icon: and :color[...] (Streamlit needs both colons and the slash escaped).
_ANYWHERE = re.compile(r"([\\`*_\[\]<>&|~$:/])")
# What only counts at the start of a line: headings, quotes, lists, thematic breaks, setext
# underlines, and "1." / "1)" ordered lists.
_LINE_MARK = re.compile(r"^(\s*)([#>+=\-])", re.MULTILINE)
_ORDERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)
_LINE_START_SPACE = re.compile(r"^[ \t]+", re.MULTILINE)
# GFM autolinks (http://..., www...., a@b.c) are found in the text after escapes are undone, so
# an invisible word joiner goes where each would start: after :, after @, between www and the dot.
_AUTOLINK_SEAMS = re.compile(r"(?<=:)(?=//)|(?<=@)|(?<=www)(?=\.)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def md(value, *, lines: bool = False) -> str:
    """`value` as markdown that shows exactly its text (None shows as nothing).

    One-line values (names, labels) have runs of whitespace folded to one space; with
    `lines=True` (reflections, notes) each line break is kept as a line break.
    """
    if value is None:
        return ""
    text = str(value)
    if lines:
        text = _LINE_START_SPACE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    else:
        text = " ".join(text.split())
    text = _ANYWHERE.sub(r"\\\1", _AUTOLINK_SEAMS.sub(WORD_JOINER, text))
    text = _ORDERED.sub(r"\1\\\2", text)
    text = _LINE_MARK.sub(r"\1\\\2", text)
    return text.replace("\n", "  \n") if lines else text


def short(value, limit: int = LIST_NAME_CHARS) -> str:
    """A one-line `value` cut to `limit` characters with an ellipsis (for lists and labels)."""
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def md_short(value, limit: int = LIST_NAME_CHARS) -> str:
    """`short` then `md`: a long name in a heading, a button or the sidebar."""
    return md(short(value, limit))
