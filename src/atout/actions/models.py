"""The action plan of a process: actions in a tree, milestones, KPIs with trajectories, progress journal.

Progress figures shown anywhere are computed by :mod:`atout.engine.actionplan` from these rows
(see :mod:`atout.actions.services`); nothing rolled up is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from atout.engine.actionplan import DEFAULT_PROGRESS, Trajectory
from atout.processes.models import Axis, Process
from atout.strategy.models import Evidence, EvidenceLinked, Objective
from atout.territories.models import Territory


class Status(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Réalisée")
    LATE = "late", _("En retard")
    ABANDONED = "abandoned", _("Abandonnée")


class Action(EvidenceLinked):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="actions")
    code = models.CharField(_("identifiant"), max_length=60, help_text=_("Colonne « id » du tableur."))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children",
                               verbose_name=_("action parente"))
    title = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    axis = models.ForeignKey(Axis, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions", verbose_name=_("axe"))
    objective = models.ForeignKey(Objective, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions",
                                  verbose_name=_("objectif"))
    lead_organisation = models.CharField(_("pilote"), max_length=200, blank=True)
    lead_service = models.CharField(_("service pilote"), max_length=200, blank=True)
    partners = models.TextField(_("partenaires"), blank=True)
    audiences = models.CharField(_("publics cibles"), max_length=300, blank=True)
    subterritories = models.ManyToManyField(Territory, blank=True, related_name="+", verbose_name=_("sous-territoires"))
    budget_planned = models.DecimalField(_("budget prévu (€)"), max_digits=14, decimal_places=2, null=True, blank=True)
    budget_committed = models.DecimalField(_("budget engagé (€)"), max_digits=14, decimal_places=2, null=True, blank=True)
    budget_spent = models.DecimalField(_("budget dépensé (€)"), max_digits=14, decimal_places=2, null=True, blank=True)
    funding_sources = models.CharField(_("financements"), max_length=300, blank=True)
    start = models.DateField(_("début"), null=True, blank=True)
    end = models.DateField(_("fin"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    progress = models.FloatField(_("avancement (%)"), null=True, blank=True,
                                 help_text=_("Vide : l'avancement par défaut du statut."))
    weight = models.FloatField(_("poids"), default=1.0)
    order = models.PositiveIntegerField(default=0)
    example = models.BooleanField(_("exemple"), default=False)

    class Meta:
        verbose_name = _("action")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["process", "code"], name="action_code_per_process"),
            models.CheckConstraint(condition=models.Q(progress__isnull=True) | models.Q(progress__gte=0, progress__lte=100),
                                   name="action_progress_range"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="action_weight_positive"),
            models.CheckConstraint(condition=models.Q(end__isnull=True) | models.Q(start__isnull=True) | models.Q(end__gte=models.F("start")),
                                   name="action_end_after_start"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("actions:action", kwargs={"slug": self.process.slug, "code": self.code})

    @property
    def lead(self) -> str:
        return " — ".join(p for p in (self.lead_organisation, self.lead_service) if p)

    @property
    def default_progress(self) -> float | None:
        return DEFAULT_PROGRESS.get(self.status)


class Milestone(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(_("date"))
    title = models.CharField(_("jalon"), max_length=300)
    done = models.BooleanField(_("atteint"), default=False)
    evidence = models.ForeignKey(Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="milestones",
                                 verbose_name=_("preuve"))

    class Meta:
        verbose_name = _("jalon")
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.title}"


class KpiSource(models.TextChoices):
    INDICATOR = "indicator", _("Indicateur du catalogue")
    SURVEY = "survey", _("Mesure d'un baromètre (vague d'enquête)")
    ENGAGEMENT = "engagement", _("Chiffre de participation")
    SERIES = "series", _("Série importée ou saisie")


class Kpi(models.Model):
    """A measure followed for an action or an objective, with its trajectory.

    Its values come from its ``source``: a catalogue indicator (``indicator``), a barometer measure
    of each closed wave of ``survey`` (``metric`` names the measure, e.g. ``notoriete_assistee``),
    an engagement figure of the process (``metric``: see actions.sources.ENGAGEMENT_METRICS) or a
    series imported or typed in by the team. ``atout actions refresh-kpis`` recomputes the first
    three; closing a wave refreshes the KPIs of its survey.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="kpis")
    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.CASCADE, related_name="kpis")
    objective = models.ForeignKey(Objective, null=True, blank=True, on_delete=models.CASCADE, related_name="kpis")
    source = models.CharField(_("source"), max_length=12, choices=KpiSource.choices, default=KpiSource.INDICATOR)
    indicator = models.CharField(_("indicateur du catalogue"), max_length=80, blank=True)
    survey = models.ForeignKey("consultation.Survey", null=True, blank=True, on_delete=models.SET_NULL, related_name="kpis",
                               verbose_name=_("baromètre"))
    metric = models.CharField(_("mesure"), max_length=80, blank=True)
    #: For a barometer measure: the audience whose answers count (empty: every respondent asked).
    audience = models.CharField(_("public"), max_length=20, blank=True)
    label = models.CharField(_("libellé"), max_length=300)
    unit = models.CharField(_("unité"), max_length=40, blank=True)
    baseline_value = models.FloatField(_("valeur de référence"))
    baseline_year = models.PositiveSmallIntegerField(_("année de référence"))
    target_value = models.FloatField(_("cible"))
    target_year = models.PositiveSmallIntegerField(_("année cible"))
    baseline_evidence = models.ForeignKey(Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                          verbose_name=_("source de la référence"))

    class Meta:
        verbose_name = _("indicateur de suivi")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(action__isnull=False) | models.Q(objective__isnull=False),
                                   name="kpi_for_action_or_objective"),
            models.CheckConstraint(condition=models.Q(target_year__gte=models.F("baseline_year")), name="kpi_target_after_baseline"),
        ]

    def __str__(self):
        return self.label

    @property
    def trajectory(self) -> Trajectory:
        return Trajectory(self.baseline_value, self.baseline_year, self.target_value, self.target_year)


class Measurement(models.Model):
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="measurements")
    year = models.PositiveSmallIntegerField(_("année"))
    value = models.FloatField(_("valeur"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    evidence = models.ForeignKey(Evidence, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("mesure")
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["kpi", "year"], name="measurement_once_a_year")]

    def __str__(self):
        return f"{self.kpi}: {self.value} ({self.year})"


class ProgressUpdate(models.Model):
    """The journal: each change of status or progress, by whom and why."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    created = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices)
    progress = models.FloatField(_("avancement (%)"), null=True, blank=True)
    note = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("point d'avancement")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.action.code} {self.created:%Y-%m-%d}: {self.status} {self.progress}"
