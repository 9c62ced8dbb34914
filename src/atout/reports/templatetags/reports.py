"""Template filters of the reports: French typography and figures as the diagnostic pages print them."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from atout.diagnostic.templatetags.diagnostic import num

from ..typography import NNBSP, french_text

register = template.Library()


def _french() -> bool:
    return (get_language() or "fr").startswith("fr")


@register.filter
def fr_num(value, digits=None):
    """A figure exactly as the diagnostic pages print it (:func:`num`), digit groups separated by a
    narrow no-break space in French."""
    text = num(value, digits)
    return text.replace("\u00a0", NNBSP) if _french() else text


@register.filter
def typo(value):
    """French spacing in a plain text (before : ; ! ? », inside « »); unchanged in English."""
    return french_text(str(value)) if _french() and value is not None else value


@register.filter
def pct(value, digits=0):
    """A percentage already in % (0–100) → "42 %"; "—" when missing."""
    if value is None:
        return "—"
    return f"{fr_num(value, digits)}\u00a0%"


@register.filter
def share(value, digits=0):
    """A share 0–1 → "42 %"; "—" when missing."""
    if value is None:
        return "—"
    return pct(float(value) * 100, digits)
