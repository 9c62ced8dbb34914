"""Template filters of the survey pages: percentages, list indexing, segment and dimension labels."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()

DIMENSIONS = {"presence": "Présence", "place": "Lieu", "potential": "Potentiel", "pulse": "Dynamisme",
              "people": "Habitants", "prerequisites": "Conditions de vie"}
SEGMENT_VALUES = {"F": "Femme", "M": "Homme", "resident": "Habitant", "young": "Jeune de moins de 30 ans",
                  "business": "Chef d'entreprise", "expert": "Expert", "elected": "Élu",
                  "association": "Membre d'une association", "health": "Professionnel de santé", "athlete": "Sportif",
                  "visitor": "Visiteur, non-résident", "student": "Étudiant"}


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
    return _(SEGMENT_VALUES.get(value, value))


@register.filter
def first_label(labels):
    """The French text of a labels mapping, else the first one."""
    if not labels:
        return ""
    for key, value in labels.items():
        if key.endswith("(fr)"):
            return value
    return next(iter(labels.values()))
