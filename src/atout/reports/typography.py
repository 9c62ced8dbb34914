"""French typography for rendered reports, applied to the text of an HTML document (never inside tags,
attributes, styles or scripts).

Rules (Imprimerie nationale, as French publishers apply them):

* a no-break space (U+00A0) before the colon, a narrow no-break space (U+202F) before ``; ! ?`` and
  ``»`` and after ``«`` — written where the author put an ordinary space, or missing inside « »;
* numbers grouped by thousands with a narrow no-break space (``12 345``), whatever Django's locale
  put there (an ordinary or a no-break space between digit groups);
* a no-break space between a number and ``%`` or ``€``.
"""

from __future__ import annotations

import re

NBSP, NNBSP = "\u00a0", "\u202f"

_TAG = re.compile(r"(<!--.*?-->|<(script|style)\b.*?</\2\s*>|<[^>]*>)", re.S | re.I)
_BEFORE_COLON = re.compile(r"[ \u00a0\u202f]+:(?=\s|$|<)")
_BEFORE_HIGH = re.compile(r"[ \u00a0\u202f]+([;!?»])")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_CLOSE_QUOTE = re.compile(r"(?<=[^\s\u00a0\u202f])»")
_THOUSANDS = re.compile(r"(?<=\d)[ \u00a0](?=\d{3}(?!\d))")
_UNIT = re.compile(r"(?<=\d) (?=(%|€))")


def french_text(text: str) -> str:
    """French spacing in a plain text (see the module docstring)."""
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _BEFORE_HIGH.sub(NNBSP + r"\1", text)
    text = _OPEN_QUOTE.sub("«" + NNBSP, text)
    text = _CLOSE_QUOTE.sub(NNBSP + "»", text)
    # Digit groups: apply twice, since one pass only joins every other group of "1 234 567".
    text = _THOUSANDS.sub(NNBSP, _THOUSANDS.sub(NNBSP, text))
    return _UNIT.sub(NBSP, text)


def french_html(html: str) -> str:
    """:func:`french_text` on every text node of ``html``; tags, comments, styles and scripts unchanged."""
    out, last = [], 0
    for match in _TAG.finditer(html):
        out.append(french_text(html[last:match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(french_text(html[last:]))
    return "".join(out)
