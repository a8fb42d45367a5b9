"""Every escaper of the output formats, one per target, so each rule is written once.

Text from snapshots (tag keys and values, resource names and ids, owners from tags) is data, never
markup: each output puts it through the escaper of the place it lands in.

============================  ===========================================================
target                        escaper
============================  ===========================================================
a terminal                    :func:`printable` (control characters shown escaped)
Markdown text (GFM)           :func:`markdown_text`
HTML inside Markdown          :func:`markdown_html` (e.g. a ``<summary>`` line)
HTML                          :func:`html_text`
XML text and attributes       :func:`xml_text` (the escaping itself is ElementTree's)
SARIF plain-text messages     :func:`sarif_text`
CSV cells                     :func:`csv_text`, :func:`csv_number`
GitHub workflow commands      :func:`workflow_data`, :func:`workflow_property`
============================  ===========================================================

Markdown is the one with the most ways in. :func:`markdown_text` (1) shows control characters
escaped (a newline would end a table row or start a block), (2) breaks what GitHub turns into a
link or a notification *after* rendering — ``@user`` and ``@org/team`` mentions, ``#123`` and
``GH-123`` references, ``https://`` and ``www.`` autolinks, e-mail autolinks — by a zero-width
space (U+200B) after ``@``, after ``#``, after ``GH``, inside ``://`` and after ``www``, and (3)
puts a backslash before every ASCII punctuation character, which CommonMark renders as that
character and nothing else: no link, image, emphasis, heading, list, quote, code span or fence,
HTML tag or entity, and no table cell boundary (GFM reads ``\\|`` as a literal pipe). A backslash
alone cannot do (2): GitHub finds mentions in the rendered text, where the backslash is gone, and
cmark-gfm finds e-mail autolinks in text nodes after escapes are resolved.
"""

from __future__ import annotations

import html
import re
import string

ZERO_WIDTH_SPACE = "\u200b"


def printable(value: object, limit: int = 0) -> str:
    """Text made safe for a terminal: characters that print nothing or move the cursor (control and
    format characters, line and paragraph separators, invisible spaces) shown escaped (``\\n``,
    ``\\u200b``); cut to ``limit`` characters with an ellipsis (0: whole)."""
    text = "" if value is None else str(value)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


# -- Markdown (GitHub Flavored Markdown, as GitHub renders PR comments and step summaries) ----------

_MARKDOWN_PUNCTUATION = frozenset(string.punctuation)  # CommonMark: any ASCII punctuation may be backslash-escaped
# what GitHub links or notifies about in rendered text; the zero-width space goes where the group ends
_REFERENCES = re.compile(r"(@)|(#)|(\bGH)(?=-\d)|(:)(?=//)|(\bwww)(?=\.)", re.IGNORECASE)


def break_references(text: str) -> str:
    """A zero-width space after ``@``, ``#``, ``GH`` (before ``-<digit>``), ``:`` (before ``//``) and
    ``www`` (before ``.``): GitHub then neither mentions, references nor autolinks the text."""
    return _REFERENCES.sub(lambda match: match.group(0) + ZERO_WIDTH_SPACE, text)


def markdown_text(value: object, limit: int = 0) -> str:
    """``value`` as literal Markdown text, for a paragraph, a list item or a table cell (see the module doc)."""
    text = break_references(printable(value, limit))
    return "".join("\\" + ch if ch in _MARKDOWN_PUNCTUATION else ch for ch in text)


def markdown_html(value: object, limit: int = 0) -> str:
    """``value`` as text inside raw HTML in a Markdown document (GitHub renders the HTML, then
    looks for mentions and references in its text, so they are broken as in :func:`markdown_text`)."""
    return html.escape(break_references(printable(value, limit)), quote=True)


# -- HTML ----------------------------------------------------------------------------------------

def html_text(value: object) -> str:
    """``value`` as HTML text or a quoted attribute value."""
    return html.escape("" if value is None else str(value), quote=True)


# -- XML (JUnit) ---------------------------------------------------------------------------------

# characters XML 1.0 does not allow in a document at all, not even as a character reference
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """``value`` with the characters XML 1.0 cannot carry (most C0 controls, lone surrogates, U+FFFE,
    U+FFFF) shown escaped (``\\x1b``); ``&``, ``<``, ``>`` and quotes are the serializer's to escape."""
    text = "" if value is None else str(value)
    return _NOT_XML.sub(lambda match: match.group(0).encode("unicode_escape", "backslashreplace").decode("ascii"), text)


# -- SARIF ---------------------------------------------------------------------------------------

def sarif_text(value: object) -> str:
    """``value`` as a SARIF plain-text message: SARIF viewers read ``[text](target)`` as an embedded
    link (SARIF 2.1.0 §3.11.6), so ``\\``, ``[`` and ``]`` are escaped with a backslash."""
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


# -- CSV -----------------------------------------------------------------------------------------

# a spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection"), also
# in their full-width forms (some locales' spreadsheets take those too)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def csv_text(value: object) -> str:
    """A text cell: ``'`` put before a value that a spreadsheet would read as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_number(value: object) -> str:
    """A number cell: a plain decimal (``-12.50``) stays as it is, so that it stays a number; anything
    else is text (see :func:`csv_text`); None is an empty cell."""
    if value is None:
        return ""
    text = str(value)
    return text if _NUMBER.fullmatch(text) else csv_text(text)


# -- GitHub Actions workflow commands ("::error file=...,line=...::message") ---------------------

def workflow_data(value: object) -> str:
    """The message of a workflow command, escaped as GitHub's toolkit does (``%``, CR, LF)."""
    text = "" if value is None else str(value)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(value: object) -> str:
    """A property value of a workflow command: as :func:`workflow_data`, and ``:`` and ``,`` too."""
    return workflow_data(value).replace(":", "%3A").replace(",", "%2C")
