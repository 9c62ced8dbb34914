"""Template filters of the survey pages: percentages, list indexing, segment and dimension labels."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from atout.core.vocabularies import ProfileStatus, Sex

register = template.Library()

DIMENSIONS = {"presence": "Présence", "place": "Lieu", "potential": "Potentiel", "pulse": "Dynamisme",
              "people": "Habitants", "prerequisites": "Conditions de vie"}
#: Segment values said as the profile questions say them (core.vocabularies, translated already).
SEGMENT_VALUES = {**dict(Sex.choices), **dict(ProfileStatus.choices)}


@register.filter
def percent(value):
    """A 0–1 share as a percentage with one decimal ('—' when missing)."""
    if value is None:
        return "—"
    return number_format(100 * float(value), 1) + " %"


@register.filter
def index(sequence, position):
    return sequence[position]


@register.filter
def dimension_label(code):
    return _(DIMENSIONS.get(code, code))


@register.filter
def segment_label(value):
    return SEGMENT_VALUES.get(value, value)


@register.filter
def first_label(labels):
    """The French text of a labels mapping, else the first one."""
    if not labels:
        return ""
    for key, value in labels.items():
        if key.endswith("(fr)"):
            return value
    return next(iter(labels.values()))
