"""Models of the consultation app: surveys, their frozen versions, invitations, responses and answers.

Storage is built for volume: one :class:`Answer` row per answered question (one per ticked option
for a multiple choice), with typed value columns (``choice``, ``number``, ``text``, ``date``) and
the survey repeated on the row, so frequencies and crosstabs are ``GROUP BY`` queries on an index.
Profile answers (age band, sex, commune → EPCI and zone, status) are columns of :class:`Response`
because every crosstab and the weighting read them.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from atout.core.vocabularies import CensusAgeBand, ProfileStatus, Sex  # noqa: F401 - public names of this module
from atout.processes.models import Process
from atout.territories.models import Territory


def token_hash(token: str) -> str:
    """SHA-256 of a secret token: only the hash is stored, so a database leak gives no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A random URL-safe secret (≈ 190 bits)."""
    return secrets.token_urlsafe(24)


def new_receipt() -> str:
    """A receipt id shown to the respondent: short, unambiguous letters and digits."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    # 32 letters and digits: 5 random bits each, taken from one draw (as uniform as 12 draws).
    bits = secrets.randbits(60)
    raw = "".join(alphabet[(bits >> (5 * i)) & 31] for i in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        OPEN = "open", _("Ouverte")
        CLOSED = "closed", _("Close")

    class Mode(models.TextChoices):
        OPEN = "open", _("Ouverte à tous (anonyme)")
        INVITATION = "invitation", _("Sur invitation")

    class Layout(models.TextChoices):
        #: One page per group, answers kept between pages: resumable later, works for long questionnaires.
        PAGES = "pages", _("Une page par groupe de questions (reprise possible)")
        #: Every question on one page, sent in one request: for short questionnaires and peaks of traffic.
        SINGLE = "single", _("Toutes les questions sur une seule page")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("démarche"))
    slug = models.SlugField(_("identifiant"), max_length=80)
    title_fr = models.CharField(_("titre (français)"), max_length=200)
    title_en = models.CharField(_("titre (anglais)"), max_length=200, blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices, default=Mode.OPEN)
    layout = models.CharField(_("présentation"), max_length=8, choices=Layout.choices, default=Layout.PAGES)
    consent_purpose = models.TextField(_("finalité"), blank=True)
    consent_controller = models.CharField(_("responsable du traitement"), max_length=300, blank=True)
    consent_retention = models.CharField(_("durée de conservation"), max_length=300, blank=True)
    retention_until = models.DateField(_("conservation jusqu'au"), null=True, blank=True)
    #: The editable structure (a serialised engine Form); frozen copies live in SurveyVersion.
    draft = models.JSONField(_("structure en cours d'édition"), default=dict, blank=True)
    current_version = models.ForeignKey(
        "SurveyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("version publiée"),
    )
    #: Submissions allowed per hour from one (hashed) network address.
    rate_limit = models.PositiveIntegerField(_("réponses par heure et par adresse"), default=30)
    #: A barometer repeated in waves: how its questions name the territory and who counts as a
    #: resident (the fields of engine.banks.notoriety.TerritoryNames); empty for a one-off survey.
    barometer = models.JSONField(_("baromètre"), default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [models.UniqueConstraint(fields=["process", "slug"], name="survey_process_slug")]
        ordering = ["-created"]

    def __str__(self):
        return self.title_fr

    def get_absolute_url(self):
        return reverse("consultation:start", kwargs={"slug": self.process.slug, "survey": self.slug})

    def title(self, language: str = "fr") -> str:
        return self.title_en if language == "en" and self.title_en else self.title_fr


class SurveyVersion(models.Model):
    """A published structure, frozen: responses keep the version they answered."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    structure = models.JSONField()
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="survey_version_number")]
        ordering = ["survey", "number"]

    def __str__(self):
        return f"{self.survey.slug} v{self.number}"


class Invitation(models.Model):
    """A single-use link; only the token's hash is stored."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.survey.slug} invitation {self.pk}"


#: The profile vocabularies are shared with conversations (opinion): declared once in core.
AgeBand = CensusAgeBand


class Response(models.Model):
    class Status(models.TextChoices):
        PARTIAL = "partial", _("En cours")
        SUBMITTED = "submitted", _("Envoyée")
        #: Refused because a quota cell closed when full holds the respondent (see Quota).
        SCREENED_OUT = "screened_out", _("Écartée (quota atteint)")

    # No index of its own: every index below starts with the survey.
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses", db_index=False)
    #: The barometer wave the response belongs to: stamped when the wave closes (every submitted
    #: response without a wave), or at once for imported and simulated waves.
    wave = models.ForeignKey("Wave", null=True, blank=True, on_delete=models.SET_NULL, related_name="responses")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PARTIAL)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    receipt = models.CharField(max_length=16, unique=True, null=True, blank=True)
    #: Hash of the secret of the "resume later" link; cleared once submitted.
    resume_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    #: Answers given so far, question name → value, until the response is submitted.
    progress = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="survey_responses")
    invitation = models.OneToOneField(Invitation, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="response")
    consent_at = models.DateTimeField(null=True, blank=True)
    age_band = models.CharField(max_length=8, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=2, choices=Sex.choices, blank=True)
    commune = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    epci = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    zone = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    profile_status = models.CharField(max_length=16, choices=ProfileStatus.choices, blank=True)
    weight = models.FloatField(null=True, blank=True)
    #: Hash of the answers, to detect the same answers sent twice (double click, replays).
    fingerprint = models.CharField(max_length=64, blank=True)
    #: Simulated data (the demo): labelled "données simulées" wherever shown.
    simulated = models.BooleanField(default=False)
    source = models.CharField(max_length=16, default="web")
    external_id = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["survey", "fingerprint"]),
            models.Index(fields=["survey", "zone"]),
            # Quota fill rates: one GROUP BY over these columns, read from the index alone.
            models.Index(fields=["survey", "status", "age_band", "sex", "zone"], name="response_quota_cells"),
            # Covers the results' freshness checks (count, Σid, Σw… of the submitted responses up to
            # a submission time) so they read the index only: see consultation.results.aggregates.
            models.Index(fields=["survey", "status", "submitted_at", "weight", "simulated", "id"],
                         name="response_results_facts"),
        ]

    def __str__(self):
        return self.receipt or f"response {self.pk}"


class Answer(models.Model):
    """One answered question of a submitted response (one row per ticked option)."""

    # A copy of the response's survey, for the aggregates' indexes. Written with the response (its
    # own foreign key checks the survey); without a constraint of its own, storing a response no
    # longer checks the survey once per answer row (bench/submissions_load.py). Deleting a survey
    # still deletes its answers (on_delete is applied by Django).
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False,
                               db_constraint=False)
    # Indexed through (response, question) below.
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers", db_index=False)
    question = models.CharField(max_length=100)
    choice = models.CharField(max_length=100, blank=True)
    number = models.FloatField(null=True, blank=True)
    text = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)
    #: Rank for a ranking question (1 = first); position of the choice otherwise.
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["survey", "question", "choice"]),
            models.Index(fields=["survey", "question", "number"]),
            models.Index(fields=["response", "question"]),
        ]

    def __str__(self):
        return f"{self.question}={self.choice or self.number or self.text or self.date}"


class RateBucket(models.Model):
    """Submissions counted per hour and per keyed hash of the network address (never the address).

    The key is an HMAC of the address with a salt derived from the day, so yesterday's keys cannot be
    linked to today's and no raw address is ever written.
    """

    key = models.CharField(max_length=64)
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "hour"], name="ratebucket_key_hour")]

    def __str__(self):
        return f"{self.key[:8]}… {self.hour:%Y-%m-%d %H}h: {self.count}"


class ResultsSnapshot(models.Model):
    """Results of a survey computed once for a given state of its responses (the ``stamp``).

    The results page at 100,000 responses reads this instead of recomputing dozens of aggregates;
    any new, deleted or re-weighted response, a new version or a purge changes the stamp.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="snapshots")
    key = models.CharField(max_length=100)
    stamp = models.CharField(max_length=200)
    data = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="results_snapshot_key")]

    def __str__(self):
        return f"{self.survey.slug} {self.key}"


class Quota(models.Model):
    """A target number of submitted responses for one cell of respondents' profiles.

    ``cell`` maps one or more profile variables to a category: ``age_band`` and ``sex`` (INSEE
    codes), ``profile_status``, ``zone`` or ``epci`` (the territory's code). A response is in the
    cell when all its columns match. When ``close_when_full`` is set and the cell holds ``target``
    submitted responses, new respondents of the cell are screened out (``Response.Status.SCREENED_OUT``).
    """

    class Source(models.TextChoices):
        MANUAL = "manual", _("Saisi par l'équipe")
        INSEE = "insee", _("Marges de population INSEE")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="quotas")
    cell = models.JSONField(_("cellule"))
    #: The cell as sorted ``variable=category`` pairs joined by ``;``: one quota per cell.
    key = models.CharField(max_length=300)
    target = models.PositiveIntegerField(_("objectif"))
    close_when_full = models.BooleanField(_("fermer la cellule quand elle est pleine"), default=False)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.MANUAL)
    #: Population behind the target when generated from INSEE margins (persons), for the record.
    population = models.FloatField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="quota_survey_key")]
        ordering = ["survey", "key"]

    def __str__(self):
        return f"{self.survey.slug} {self.key}: {self.target}"


class Wave(models.Model):
    """One wave of a barometer: the same questions asked again, with new fieldwork dates.

    At most one wave of a survey is open at a time; opening a wave opens the survey, closing it
    closes the survey and stamps the responses collected meanwhile with the wave.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        OPEN = "open", _("En cours")
        CLOSED = "closed", _("Close")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="waves")
    slug = models.SlugField(_("identifiant"), max_length=40)
    label = models.CharField(_("libellé"), max_length=120)
    fieldwork_start = models.DateField(_("début du terrain"), null=True, blank=True)
    fieldwork_end = models.DateField(_("fin du terrain"), null=True, blank=True)
    #: The year the wave measures (the time axis of trends and of the KPIs it feeds).
    year = models.PositiveSmallIntegerField(_("année"))
    status = models.CharField(_("statut"), max_length=8, choices=Status.choices, default=Status.PLANNED)
    #: Simulated answers (the demo): labelled "données simulées" wherever shown.
    simulated = models.BooleanField(_("données simulées"), default=False)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("vague")
        verbose_name_plural = _("vagues")
        ordering = ["survey", "year", "fieldwork_start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "slug"], name="wave_survey_slug"),
            models.UniqueConstraint(fields=["survey"], condition=models.Q(status="open"), name="wave_one_open"),
            models.CheckConstraint(condition=models.Q(fieldwork_end__isnull=True) | models.Q(fieldwork_start__isnull=True)
                                   | models.Q(fieldwork_end__gte=models.F("fieldwork_start")), name="wave_end_after_start"),
        ]

    def __str__(self):
        return f"{self.survey.slug} {self.label}"
