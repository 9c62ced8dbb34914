"""Vocabularies shared by the apps that describe people: declared once, with one set of labels.

Surveys (consultation) and conversations (opinion) ask the same profile questions; their answers are
crossed with each other and with the census, so they must use the same values and say them the same way.

Two age-band lists, on purpose:

- :class:`CensusAgeBand` follows INSEE's census bands for the population aged 15 and over, so that
  survey answers can be weighted and compared to the census (quotas, raking);
- :class:`ParticipationAgeBand` is what a conversation asks: minors may take part, and the first adult
  band starts at 18. Bands from 30 on are the census's.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CensusAgeBand(models.TextChoices):
    """INSEE census age bands (population aged 15 and over)."""

    A15_29 = "15-29", _("15 à 29 ans")
    A30_44 = "30-44", _("30 à 44 ans")
    A45_59 = "45-59", _("45 à 59 ans")
    A60_74 = "60-74", _("60 à 74 ans")
    A75 = "75+", _("75 ans ou plus")


class ParticipationAgeBand(models.TextChoices):
    """Age bands of people taking part in a conversation (minors included)."""

    UNDER_18 = "0-17", _("Moins de 18 ans")
    A18_29 = "18-29", _("18 à 29 ans")
    A30_44 = "30-44", _("30 à 44 ans")
    A45_59 = "45-59", _("45 à 59 ans")
    A60_74 = "60-74", _("60 à 74 ans")
    A75 = "75+", _("75 ans ou plus")


class Sex(models.TextChoices):
    """INSEE census categories."""

    F = "F", _("Femme")
    M = "M", _("Homme")


class ProfileStatus(models.TextChoices):
    """Who a respondent or participant says they are (in inclusive writing, like the community's categories)."""

    RESIDENT = "resident", _("Habitant·e")
    YOUNG = "young", _("Jeune (moins de 30 ans)")
    BUSINESS = "business", _("Chef·fe d'entreprise")
    EXPERT = "expert", _("Expert·e")
    ELECTED = "elected", _("Élu·e")
    ASSOCIATION = "association", _("Membre d'une association")
    HEALTH = "health", _("Professionnel·le de santé")
    ATHLETE = "athlete", _("Sportif·ve")
    VISITOR = "visitor", _("Visiteur·se / non-résident·e")
    STUDENT = "student", _("Étudiant·e")
