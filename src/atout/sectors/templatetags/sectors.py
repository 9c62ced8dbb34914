"""Formatting of filière figures: jobs rounded to ten, percentages, signed rates, the last census year."""

from django import template
from django.utils.formats import number_format

from atout.engine.sectors import JOBS_YEARS

register = template.Library()


@register.filter
def last_year(values):
    """The value of the latest census year in a {year: value} mapping."""
    return (values or {}).get(JOBS_YEARS[-1])


@register.filter
def jobs(values):
    """Jobs of the latest census year, rounded to ten (they are estimates from the census sample)."""
    value = last_year(values) if isinstance(values, dict) else values
    if value is None:
        return "—"
    return number_format(round(value / 10) * 10, decimal_pos=0, force_grouping=True)


@register.filter
def pct(value):
    return "—" if value is None else f"{number_format(value, decimal_pos=1)} %"


@register.filter
def signed(value):
    if value is None:
        return "—"
    text = number_format(abs(value), decimal_pos=1)
    return f"+{text}" if value >= 0 else f"−{text}"
