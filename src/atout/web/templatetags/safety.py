"""Template filters for content that becomes markup: ``safe_url`` keeps a stored URL out of
``javascript:``/``data:`` links (a URL field is validated in forms, not when rows are imported or
written by code)."""

import re
from urllib.parse import urlsplit

from django import template

register = template.Library()

SAFE_SCHEMES = {"http", "https", "mailto"}
# Browsers drop ASCII whitespace and control characters inside a scheme ("java\tscript:").
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20]")


@register.filter
def safe_url(value) -> str:
    """The URL when it is relative or uses http, https or mailto; an empty string otherwise."""
    text = str(value or "").strip()
    try:
        scheme = urlsplit(_IGNORED_BY_BROWSERS.sub("", text)).scheme.lower()
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return ""
    return "" if scheme and scheme not in SAFE_SCHEMES else text
