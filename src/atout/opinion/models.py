"""Opinion mapping (pol.is-style conversations): statements, participants, votes, analyses.

Votes are stored as an append-only history — the latest vote of a participant on a statement
counts — so that a conversation can be exported in the pol.is open-data format, history included.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from atout.core.vocabularies import ParticipationAgeBand, ProfileStatus
from atout.processes.models import Process
from atout.territories.models import Territory


class Conversation(models.Model):
    class Moderation(models.TextChoices):
        PRE = "pre", _("Pré-modération (publiée après validation)")
        POST = "post", _("Post-modération (publiée tout de suite, retirée si besoin)")

    class Status(models.TextChoices):
        OPEN = "open", _("Ouverte")
        CLOSED = "closed", _("Close")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="conversations")
    slug = models.SlugField(_("identifiant"), max_length=60)
    question = models.CharField(_("question"), max_length=300)
    question_en = models.CharField(_("question (anglais)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    moderation = models.CharField(_("modération"), max_length=8, choices=Moderation.choices, default=Moderation.PRE)
    participant_statements = models.BooleanField(_("les participants proposent des affirmations"), default=True)
    status = models.CharField(_("statut"), max_length=8, choices=Status.choices, default=Status.OPEN)
    simulated = models.BooleanField(_("données simulées"), default=False)
    source = models.CharField(_("source"), max_length=300, blank=True, help_text=_("Pour une conversation importée : d'où elle vient."))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conversation")
        constraints = [models.UniqueConstraint(fields=["process", "slug"], name="conversation_slug_per_process")]
        ordering = ["-created"]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("opinion:conversation", kwargs={"slug": self.process.slug, "conversation": self.slug})

    @property
    def question_text(self) -> str:
        from django.utils.translation import get_language

        return self.question_en if (get_language() or "fr").startswith("en") and self.question_en else self.question

    def latest_analysis(self) -> Analysis | None:
        return self.analyses.order_by("-created").first()


class Statement(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de modération")
        ACCEPTED = "accepted", _("Publiée")
        REJECTED = "rejected", _("Écartée")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="statements")
    number = models.PositiveIntegerField(_("numéro"), help_text=_("Identifiant dans la conversation (comment-id de pol.is)."))
    text = models.TextField(_("texte"), max_length=1000)
    seed = models.BooleanField(_("proposée par l'équipe"), default=False)
    author = models.ForeignKey("Participant", null=True, blank=True, on_delete=models.SET_NULL, related_name="statements")
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    moderation_reason = models.CharField(_("motif de modération"), max_length=300, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField()

    class Meta:
        verbose_name = _("affirmation")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["conversation", "number"], name="statement_number_unique")]
        indexes = [models.Index(fields=["conversation", "status"])]

    def __str__(self):
        return f"#{self.number} {self.text[:60]}"


class Participant(models.Model):
    """Someone taking part: signed in (``user``) or anonymous (a hashed browser key), never a name."""

    #: The profile vocabularies of surveys (consultation), declared once in core; a conversation also
    #: welcomes minors, hence its own age bands.
    AgeBand = ParticipationAgeBand
    Status = ProfileStatus

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    number = models.PositiveIntegerField(_("numéro"), help_text=_("Identifiant dans la conversation (voter-id de pol.is)."))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="opinion_participations")
    anonymous_key = models.CharField(max_length=64, blank=True, db_index=True)
    age_band = models.CharField(_("tranche d'âge"), max_length=8, choices=AgeBand.choices, blank=True)
    status = models.CharField(_("statut"), max_length=16, choices=Status.choices, blank=True)
    commune = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("commune"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant·e")
        constraints = [models.UniqueConstraint(fields=["conversation", "number"], name="participant_number_unique")]

    def __str__(self):
        return f"participant {self.number}"

    @staticmethod
    def key_for(session_key: str) -> str:
        """An anonymous participant is recognised by a hash of their session, never stored in clear."""
        return hashlib.sha256(f"{settings.SECRET_KEY}:opinion:{session_key}".encode()).hexdigest()


class Vote(models.Model):
    AGREE, PASS, DISAGREE = 1, 0, -1
    CHOICES = [(AGREE, _("D'accord")), (DISAGREE, _("Pas d'accord")), (PASS, _("Je passe / sans avis"))]

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(_("vote"), choices=CHOICES)
    created = models.DateTimeField()

    class Meta:
        verbose_name = _("vote")
        indexes = [models.Index(fields=["participant", "statement", "created"]), models.Index(fields=["statement"])]
        constraints = [models.CheckConstraint(condition=models.Q(value__in=[-1, 0, 1]), name="vote_value_valid")]

    def __str__(self):
        return f"{self.participant_id} → {self.statement_id}: {self.value}"


class Analysis(models.Model):
    """A stored run of the opinion engine, with the parameters that produced it."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="analyses")
    created = models.DateTimeField(auto_now_add=True)
    parameters = models.JSONField(default=dict)
    votes_count = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("analyse")
        ordering = ["-created"]

    def __str__(self):
        return f"analysis of {self.conversation_id} at {self.created:%Y-%m-%d %H:%M}"
