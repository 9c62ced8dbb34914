"""Filières (excellence sectors) of a process: their NAF rev.2 definition and what they are linked to.

The links live on the filière's side (many-to-many fields here), so the stakeholder directory, the SWOT,
the objectives, the actions and the KPIs keep their own models unchanged.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from atout.processes.models import Process


class Filiere(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="filieres")
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80,
                            help_text=_("Lettres minuscules, chiffres et tirets ; il figure dans l'adresse de la page."))
    description = models.TextField(_("définition"), blank=True)
    naf_codes = models.JSONField(_("codes NAF rév. 2"), default=list, blank=True,
                                 help_text=_("Sections, divisions, groupes, classes ou sous-classes (ex. C, 10, 10.5, 10.51, 10.51C)."))
    highlights = models.TextField(_("repères qualitatifs"), blank=True, help_text=_(
        "Faits cités avec leur source (ex. rang national), affichés tels quels : les chiffres calculés viennent des fichiers officiels."))
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    organisations = models.ManyToManyField("community.Organisation", blank=True, related_name="filieres",
                                           verbose_name=_("acteurs"))
    swot_items = models.ManyToManyField("strategy.SwotItem", blank=True, related_name="filieres",
                                        verbose_name=_("éléments AFOM"))
    objectives = models.ManyToManyField("strategy.Objective", blank=True, related_name="filieres",
                                        verbose_name=_("objectifs"))
    actions = models.ManyToManyField("actions.Action", blank=True, related_name="filieres", verbose_name=_("actions"))
    kpis = models.ManyToManyField("actions.Kpi", blank=True, related_name="filieres",
                                  verbose_name=_("indicateurs de suivi"))
    example = models.BooleanField(_("exemple"), default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("filière")
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["process", "slug"], name="filiere_slug_per_process")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("sectors:detail", kwargs={"slug": self.process.slug, "filiere": self.slug})
