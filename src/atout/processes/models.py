"""Processes (démarches): a territory's attractiveness approach, its phases, axes and team."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atout.territories.models import Territory


class PhaseKind(models.TextChoices):
    DIAGNOSTIC = "diagnostic", _("Diagnostic")
    STRATEGY = "strategy", _("Stratégie")
    ACTION_PLAN = "action_plan", _("Plan d'actions")


#: Axes every new process starts with ("API"); the team can rename, add or remove them.
DEFAULT_AXES = [
    ("attractivite", "Attractivité", "Attractiveness"),
    ("proximite", "Proximité", "Proximity"),
    ("inventivite", "Inventivité", "Inventiveness"),
]


class Process(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        ACTIVE = "active", _("En cours")
        CLOSED = "closed", _("Terminée")

    slug = models.SlugField(_("identifiant"), unique=True, max_length=60)
    title = models.CharField(_("titre"), max_length=200)
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="processes", verbose_name=_("territoire"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("statut"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    is_demo = models.BooleanField(_("démonstration"), default=False, help_text=_("Contient des données simulées."))
    subterritories = models.ManyToManyField(
        Territory, blank=True, related_name="processes_as_part", verbose_name=_("sous-territoires"),
        help_text=_("Zones de lecture des résultats (EPCI ou sous-territoires personnalisés)."),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("démarche")
        verbose_name_plural = _("démarches")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("processes:home", kwargs={"slug": self.slug})

    def current_phase(self, today: dt.date | None = None) -> Phase | None:
        today = today or timezone.localdate()
        return self.phases.filter(start__lte=today, end__gte=today).order_by("start").first()

    def add_default_axes(self) -> None:
        for order, (code, fr, en) in enumerate(DEFAULT_AXES):
            Axis.objects.get_or_create(process=self, code=code, defaults={"name_fr": fr, "name_en": en, "order": order})


class Phase(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("phase"), max_length=16, choices=PhaseKind.choices)
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("phase")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["process", "kind"], name="phase_once_per_process"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="phase_end_after_start"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.start:%d/%m/%Y} – {self.end:%d/%m/%Y})"

    def is_current(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.start <= today <= self.end


class Axis(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="axes")
    code = models.SlugField(_("code"), max_length=40)
    name_fr = models.CharField(_("nom (français)"), max_length=120)
    name_en = models.CharField(_("nom (anglais)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("axe stratégique")
        verbose_name_plural = _("axes stratégiques")
        ordering = ["order", "code"]
        constraints = [models.UniqueConstraint(fields=["process", "code"], name="axis_code_per_process")]

    def __str__(self):
        return self.name_fr

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "fr").startswith("en") and self.name_en else self.name_fr


class Role(models.TextChoices):
    TEAM = "team", _("Équipe")
    FACILITATOR = "facilitator", _("Animateur·rice")


class ProcessRole(models.Model):
    """A person's role in one process. Site administrators (superusers) have every role everywhere;
    any other signed-in person without a role here is a participant."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="process_roles")
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("rôle dans une démarche")
        verbose_name_plural = _("rôles dans les démarches")
        constraints = [models.UniqueConstraint(fields=["user", "process", "role"], name="role_once")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.process}"


class TeamInvitation(models.Model):
    """An invitation by e-mail to take a role in a process. Only the hash of its token is kept: the link
    sent by e-mail is the only copy of the token. Accepting it (signed in, or creating an account on
    the spot) gives the role; it can be used once, until it expires."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(_("expire le"))
    accepted = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("invitation dans l'équipe")
        verbose_name_plural = _("invitations dans l'équipe")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.get_role_display()} — {self.process}"

    @property
    def pending(self) -> bool:
        return self.accepted is None and self.expires > timezone.now()
