"""What a page for the public or elected officials must not show in French mode: internal codes
(catalogue codes such as ``employment_rate``, PTOD codes such as ``dm_pop_vtcam_1622``), file paths
(``docs/methods/diagnostic.md``) and English sentences. Used by tests/web/test_plain_french.py.

Only what a reader sees is checked: text between tags and the attributes read aloud or shown (``title``,
``alt``, ``aria-label``, ``placeholder``, ``value`` of buttons); scripts, styles, URLs and form field names
are the machine's.
"""

from __future__ import annotations

import html as htmlib
import re
from html.parser import HTMLParser

#: Shown attributes (read by screen readers or displayed).
SHOWN_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder"}
#: A PTOD code: domain prefix, words, a two- or four-digit period (dm_pop_vtcam_1622, rev_med_21).
PTOD_CODE = re.compile(r"\b[a-z]{2,5}_[a-z0-9]+(?:_[a-z0-9]+)*_\d{2}(?:\d{2})?\b")
#: A file path: folders then a file with an extension, or a known source folder.
FILE_PATH = re.compile(r"\b(?:docs|src|tests|var|work)/[\w./-]+|\b[\w-]+/[\w/-]*\w\.(?:md|py|csv|json|ya?ml|txt|html)\b")
ENGLISH = {"the", "and", "of", "to", "is", "are", "with", "for", "this", "that", "from", "by", "not", "be", "on",
           "it", "was", "were", "has", "have", "which", "or", "an", "as", "at", "will", "can", "should", "would"}
FRENCH = {"le", "la", "les", "des", "du", "de", "et", "un", "une", "est", "sont", "pour", "dans", "sur", "par", "au",
          "aux", "en", "que", "qui", "ne", "pas", "avec", "ce", "cette", "il", "elle", "nous", "vous", "ou", "à"}


class _Text(HTMLParser):
    """Visible text chunks of a page: one per text node or shown attribute."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name, value in attrs:
            if value and (name in SHOWN_ATTRIBUTES or (name == "value" and tag == "button")):
                self.chunks.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.chunks.append(data)


def visible_text(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return [re.sub(r"\s+", " ", htmlib.unescape(chunk)).strip() for chunk in parser.chunks]


def is_english(sentence: str) -> bool:
    """A sentence of at least five words, most of its function words English, none or few French."""
    words = re.findall(r"[a-zà-ÿ']+", sentence.lower())
    if len(words) < 5:
        return False
    english = sum(w in ENGLISH for w in words)
    french = sum(w in FRENCH for w in words)
    return english >= 2 and english >= 2 * french + 1 and english / len(words) >= 0.15


def problems(page: str, catalogue_codes: set[str], ptod_codes: set[str] = frozenset()) -> list[str]:
    """What a page shows that a French reader should not meet, as short descriptions. ``ptod_codes``:
    known PTOD series codes (besides those the pattern recognises)."""
    found = []
    for chunk in visible_text(page):
        for code in re.findall(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b", chunk):
            if code in ptod_codes or PTOD_CODE.fullmatch(code):
                found.append(f"PTOD code {code!r} in {chunk[:120]!r}")
            elif code in catalogue_codes:
                found.append(f"catalogue code {code!r} in {chunk[:120]!r}")
        for path in FILE_PATH.findall(chunk):
            found.append(f"file path {path!r} in {chunk[:120]!r}")
        for sentence in re.split(r"(?<=[.!?:;])\s+", chunk):
            # A survey's display condition (XLSForm: ${question} = 'value' and …) is a formula the
            # team writes, not an English sentence.
            if "${" not in sentence and is_english(sentence):
                found.append(f"English {sentence[:120]!r}")
    return found
