"""Template filters of the diagnostic pages: numbers as people read them, in the active language."""

from __future__ import annotations

import math

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def num(value, digits=None):
    """A figure with sensible decimals (0 from 1,000, 1 from 10, else 2), localised; "—" when missing."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return "—"
    value = float(value)
    if digits in (None, ""):
        digits = 0 if abs(value) >= 1000 else 1 if abs(value) >= 10 else 2
    return formats.number_format(round(value, int(digits)), int(digits), use_l10n=True, force_grouping=True)


@register.filter
def percent(value):
    """A share 0–1 as a whole percentage."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{formats.number_format(round(float(value) * 100), 0, use_l10n=True)} %"


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter(name="source_words")
def source_words_filter(value, vintage=""):
    """Where a figure comes from, in plain French (``engine.sourcewords``): an indicator (its source and
    vintage), a figure (its source and year) or a source text."""
    from atout.engine.sourcewords import source_words

    if value is None:
        return ""
    if isinstance(value, str):
        return source_words(value, str(vintage or ""))
    source = getattr(value, "source", "") or ""
    period = getattr(value, "vintage", None) or getattr(value, "year", None) or vintage
    return source_words(source, str(period or ""))
