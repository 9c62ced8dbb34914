"""Statistical diagnostic: the indicator catalogue, raw series, observations and their imports.

Raw observations are stored at the level they were published (communes for INSEE files, départements
for PTOD); aggregates are computed on demand by :mod:`atout.engine.geography`, so they can never be
stale. A secret or missing value is stored as NULL, never as 0.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from atout.territories.models import Territory


class Indicator(models.Model):
    """One catalogue indicator (see ``atout.engine.catalogue``); synced from the YAML catalogue,
    editable in the admin. An indicator edited in the admin is no longer overwritten by a sync."""

    class Kind(models.TextChoices):
        COUNT = "count", _("Effectif")
        RATIO = "ratio", _("Ratio")
        RATE_OF_CHANGE = "rate_of_change", _("Taux d'évolution")
        LEVEL = "level", _("Niveau publié")

    code = models.SlugField(_("code"), max_length=80, unique=True)
    theme = models.CharField(_("thème"), max_length=40)
    order = models.PositiveIntegerField(_("ordre"), default=0)
    label_fr = models.CharField(_("libellé (français)"), max_length=200)
    label_en = models.CharField(_("libellé (anglais)"), max_length=200)
    long_label_fr = models.CharField(_("libellé long (français)"), max_length=300)
    long_label_en = models.CharField(_("libellé long (anglais)"), max_length=300)
    definition_fr = models.TextField(_("définition (français)"))
    definition_en = models.TextField(_("définition (anglais)"))
    unit = models.CharField(_("unité"), max_length=40)
    source = models.CharField(_("source"), max_length=300)
    vintage = models.CharField(_("millésime"), max_length=40)
    polarity = models.SmallIntegerField(_("polarité"), choices=[(1, _("plus haut = mieux")), (-1, _("plus bas = mieux")),
                                                               (0, _("neutre"))])
    kind = models.CharField(_("nature"), max_length=16, choices=Kind.choices)
    domain = models.CharField(_("domaine OCDE"), max_length=40)
    dimension = models.CharField(_("dimension"), max_length=80)
    audiences = models.JSONField(_("publics cibles"), default=list)
    axis = models.CharField(_("axe API"), max_length=20)
    inputs = models.JSONField(_("séries brutes"), default=list, blank=True)
    weights = models.JSONField(_("poids des séries"), default=list, blank=True)
    files = models.JSONField(_("fichiers"), default=list, blank=True)
    ptod = models.CharField(_("code PTOD"), max_length=80, blank=True)
    numerator = models.CharField(_("numérateur"), max_length=80, blank=True)
    denominator = models.CharField(_("dénominateur"), max_length=80, blank=True)
    scale = models.FloatField(_("échelle"), default=1.0)
    from_indicator = models.CharField(_("de (indicateur)"), max_length=80, blank=True)
    to_indicator = models.CharField(_("à (indicateur)"), max_length=80, blank=True)
    years = models.FloatField(_("années"), null=True, blank=True)
    method = models.CharField(_("méthode"), max_length=16, blank=True, default="cagr")
    aspect = models.CharField(_("aspect"), max_length=8, default="level")
    higher_fr = models.CharField(_("« plus élevé » (français)"), max_length=80, blank=True)
    higher_en = models.CharField(_("« plus élevé » (anglais)"), max_length=80, blank=True)
    lower_fr = models.CharField(_("« plus faible » (français)"), max_length=80, blank=True)
    lower_en = models.CharField(_("« plus faible » (anglais)"), max_length=80, blank=True)
    edited = models.BooleanField(_("modifié localement"), default=False,
                                 help_text=_("Modifié dans l'administration : la synchronisation du catalogue ne l'écrase plus."))
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.label_fr} ({self.code})"

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "fr").startswith("en") else self.label_fr

    @property
    def long_label(self) -> str:
        return self.long_label_en if (get_language() or "fr").startswith("en") else self.long_label_fr

    @property
    def definition(self) -> str:
        return self.definition_en if (get_language() or "fr").startswith("en") else self.definition_fr


class Series(models.Model):
    """A raw statistical series as its producer names it (``P22_POP``, ``soc_txchom_1564_22``)."""

    code = models.CharField(_("code"), max_length=80, unique=True)
    label = models.CharField(_("libellé"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    vintage = models.CharField(_("millésime"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(_("année"), null=True, blank=True)

    class Meta:
        verbose_name = _("série brute")
        verbose_name_plural = _("séries brutes")
        ordering = ["code"]

    def __str__(self):
        return self.code


class ImportBatch(models.Model):
    """One imported file: what it was, its checksum, and what it brought."""

    class Format(models.TextChoices):
        INSEE = "insee", _("INSEE (CODGEO ; séparateur point-virgule)")
        LONG = "long", _("Table longue (code, indicator, year, value)")
        WIDE = "wide", _("Table large CSV ou XLSX")
        PTOD = "ptod", _("Indicateurs départementaux PTOD (JSON)")

    file_name = models.CharField(_("fichier"), max_length=255)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    source = models.CharField(_("source"), max_length=300, blank=True)
    vintage = models.CharField(_("millésime"), max_length=40, blank=True)
    counts = models.JSONField(_("comptes"), default=dict)
    created = models.DateTimeField(_("importé le"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("import de données")
        verbose_name_plural = _("imports de données")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.format}, {self.created:%Y-%m-%d %H:%M})"


class Observation(models.Model):
    """One value of a raw series or of a catalogue indicator for a territory and a year.

    ``value`` is NULL when the producer gives no value (statistical secrecy ``s``, ``nd``, empty).
    """

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="observations")
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.CASCADE, related_name="observations")
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="observations")
    year = models.PositiveSmallIntegerField(_("année"), null=True, blank=True)
    value = models.FloatField(_("valeur"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="observations")

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        indexes = [
            models.Index(fields=["series", "year", "territory"], name="obs_series_year_territory"),
            models.Index(fields=["indicator", "year", "territory"], name="obs_indicator_year_territory"),
            models.Index(fields=["territory", "series"], name="obs_territory_series"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(series__isnull=False, indicator__isnull=True)
                           | models.Q(series__isnull=True, indicator__isnull=False)),
                name="observation_series_xor_indicator",
            ),
        ]

    def __str__(self):
        return f"{self.series_id or self.indicator_id} {self.territory_id} {self.year}: {self.value}"
