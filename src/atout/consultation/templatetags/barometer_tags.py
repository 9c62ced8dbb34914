"""Template filters of the barometer page: a measure's value, interval and change in its unit."""

from django import template
from django.utils.formats import number_format

register = template.Library()


def _number(value, kind: str, signed: bool = False) -> str:
    if value is None:
        return "—"
    if kind == "proportion":
        text = number_format(100 * float(value), 1)
    elif kind == "nps":
        text = number_format(float(value), 0)
    else:
        text = number_format(float(value), 2)
    if signed and float(value) > 0:
        text = "+" + text
    return text.replace("-", "−")


def _unit(kind: str, change: bool = False) -> str:
    if kind == "proportion":
        return " pt" if change else " %"
    return " pt" if kind == "nps" else ""


@register.filter
def measure_value(value, kind):
    """A wave's estimate: a share in %, a mean with two decimals, an NPS in points."""
    return "—" if value is None else _number(value, kind) + _unit(kind)


@register.filter
def measure_change(value, kind):
    """A difference between waves, signed: percentage points for shares, points for an NPS."""
    return "—" if value is None else _number(value, kind, signed=True) + _unit(kind, change=True)


@register.simple_tag
def measure_interval(low, high, kind, change=False):
    """``low – high`` (or ``low ; high`` for a change, whose bounds may be negative)."""
    if low is None or high is None:
        return "—"
    if change:
        return f"{_number(low, kind, True)} ; {_number(high, kind, True)}"
    return f"{_number(low, kind)} – {_number(high, kind)}"


@register.filter
def p_value(value):
    if value is None:
        return "—"
    if value < 0.001:
        return "< 0,001"
    return number_format(float(value), 3)
