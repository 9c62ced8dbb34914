"""Fieldwork: sessions (focus groups, interviews, visits…), their transcripts and attachments, the
codebook and coded excerpts, contributions imported from other platforms, and theme runs.

Names of participants never reach an excerpt: an excerpt keeps the speaker's *category*, the
session and the sub-territory only. A session may keep a private list of named participants,
shown to the process team alone.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from atout.core.jobs import JobStatus
from atout.processes.models import Axis, Process
from atout.territories.models import Territory


class ParticipantCategory(models.TextChoices):
    ELECTED = "elected", _("Élu·e")
    CITIZEN = "citizen", _("Habitant·e")
    BUSINESS = "business", _("Chef·fe d'entreprise")
    EXPERT = "expert", _("Expert·e")
    ATHLETE = "athlete", _("Sportif·ve")
    ASSOCIATION = "association", _("Membre d'association")
    HEALTH = "health", _("Professionnel·le de santé")
    YOUNG = "young", _("Jeune")
    AGENT = "agent", _("Agent·e public")
    OTHER = "other", _("Autre")


class Session(models.Model):
    """One piece of fieldwork: a focus group, an interview, a visit, a meeting or a document review."""

    class Kind(models.TextChoices):
        FOCUS_EXPERTS = "focus_experts", _("Groupe de discussion — experts")
        FOCUS_YOUNG = "focus_young", _("Groupe de discussion — jeunes")
        FOCUS_OTHER = "focus_other", _("Groupe de discussion — autre public")
        INTERVIEW = "interview", _("Entretien avec un leader d'opinion")
        FIELD_VISIT = "field_visit", _("Visite de terrain")
        PUBLIC_MEETING = "public_meeting", _("Réunion publique")
        DOCUMENT_REVIEW = "document_review", _("Revue documentaire")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="fieldwork_sessions")
    title = models.CharField(_("titre"), max_length=200)
    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices)
    date = models.DateField(_("date"))
    place = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("commune"))
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("animateur·rice"))
    named_participants = models.TextField(
        _("liste nominative (privée)"), blank=True,
        help_text=_("Facultative ; visible de l'équipe seulement, jamais reprise dans les extraits."),
    )
    transcript = models.TextField(_("compte rendu ou transcription"), blank=True)
    transcript_source = models.CharField(_("fichier d'origine"), max_length=200, blank=True)
    transcript_note = models.CharField(_("note de lecture"), max_length=300, blank=True)
    simulated = models.BooleanField(_("données simulées"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("séance de terrain")
        verbose_name_plural = _("séances de terrain")
        ordering = ["-date", "title"]

    def __str__(self):
        return f"{self.title} ({self.date:%d/%m/%Y})"

    def get_absolute_url(self):
        return reverse("fieldwork:session", kwargs={"slug": self.process.slug, "session": self.pk})

    def subterritory(self) -> Territory | None:
        """The process zone holding the session's commune (None without a place or zone)."""
        if self.place_id is None:
            return None
        return self.process.subterritories.filter(member_links__commune_id=self.place_id).order_by("code").first()

    @property
    def participants_total(self) -> int:
        return sum(g.count for g in self.participant_groups.all())


class ParticipantGroup(models.Model):
    """How many people of one category took part, and how their consent was recorded."""

    class Consent(models.TextChoices):
        WRITTEN = "written", _("Consentement écrit")
        ORAL = "oral", _("Consentement oral enregistré")
        REFUSED = "refused", _("Refus (propos non exploités)")
        NOT_NEEDED = "not_needed", _("Sans objet (pas de propos recueillis)")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participant_groups")
    category = models.CharField(_("catégorie"), max_length=16, choices=ParticipantCategory.choices)
    count = models.PositiveIntegerField(_("nombre"))
    consent = models.CharField(_("consentement"), max_length=16, choices=Consent.choices, default=Consent.ORAL)
    consent_note = models.CharField(_("note sur le consentement"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("participants d'une catégorie")
        ordering = ["category"]
        constraints = [models.UniqueConstraint(fields=["session", "category"], name="participant_category_once")]

    def __str__(self):
        return f"{self.get_category_display()} × {self.count}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """A generated name under MEDIA_ROOT: the uploaded name and path are never used."""
    extension = {"png": ".png", "jpeg": ".jpg", "pdf": ".pdf", "docx": ".docx", "odt": ".odt", "text": ".txt"}
    return f"fieldwork/{instance.session.process_id}/{uuid.uuid4().hex}{extension.get(instance.kind, '')}"


class Attachment(models.Model):
    """A photo or document of a session; its type is checked from its content (see attachments.py)."""

    class Kind(models.TextChoices):
        PNG = "png", _("Image PNG")
        JPEG = "jpeg", _("Image JPEG")
        PDF = "pdf", _("Document PDF")
        DOCX = "docx", _("Document Word (.docx)")
        ODT = "odt", _("Document OpenDocument (.odt)")
        TEXT = "text", _("Texte brut")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices)
    label = models.CharField(_("intitulé"), max_length=200)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pièce jointe")
        ordering = ["created"]

    def __str__(self):
        return self.label

    @property
    def filename(self) -> str:
        return Path(self.file.name).name


class Codebook(models.Model):
    """The codes of one process, in a tree."""

    process = models.OneToOneField(Process, on_delete=models.CASCADE, related_name="codebook")
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("grille de codage")

    def __str__(self):
        return self.name


class Code(models.Model):
    class Swot(models.TextChoices):
        STRENGTH = "S", _("Force")
        WEAKNESS = "W", _("Faiblesse")
        OPPORTUNITY = "O", _("Opportunité")
        THREAT = "T", _("Menace")

    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children",
                               verbose_name=_("code parent"))
    name = models.CharField(_("nom"), max_length=120)
    definition = models.TextField(_("définition"), blank=True)
    swot = models.CharField(_("catégorie AFOM"), max_length=1, choices=Swot.choices, blank=True)
    axis = models.ForeignKey(Axis, null=True, blank=True, on_delete=models.SET_NULL, related_name="codes",
                             verbose_name=_("axe"))
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    guid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)

    class Meta:
        verbose_name = _("code")
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["codebook", "name"], name="code_name_per_codebook")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("fieldwork:code", kwargs={"slug": self.codebook.process.slug, "code": self.pk})

    def path(self) -> str:
        """``parent › child`` names from the root."""
        names, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = node.parent
        return " › ".join(reversed(names))


class ContributionImport(models.Model):
    """One import of contributions from a file: all-or-nothing, kept to trace where texts came from."""

    class Platform(models.TextChoices):
        DECIDIM = "decidim", "Decidim"
        POLIS = "polis", "pol.is"
        CSV = "csv", _("CSV générique")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="contribution_imports")
    platform = models.CharField(_("plateforme"), max_length=8, choices=Platform.choices)
    file_name = models.CharField(_("fichier"), max_length=200)
    label = models.CharField(_("intitulé"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True, help_text=_("Par exemple : d'où viennent ces textes, ce qu'ils ne sont pas."))
    count = models.PositiveIntegerField(_("contributions"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("import de contributions")
        ordering = ["-created"]

    def __str__(self):
        return self.label or self.file_name


class Contribution(models.Model):
    """A text contributed on another platform (Decidim, pol.is) or in a CSV, with its metadata."""

    batch = models.ForeignKey(ContributionImport, on_delete=models.CASCADE, related_name="contributions")
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="contributions")
    platform = models.CharField(_("plateforme"), max_length=8, choices=ContributionImport.Platform.choices)
    kind = models.CharField(_("nature"), max_length=16, blank=True)
    external_id = models.CharField(_("identifiant d'origine"), max_length=64)
    text = models.TextField(_("texte"))
    title = models.CharField(_("titre"), max_length=300, blank=True)
    author = models.CharField(_("pseudonyme"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("date"), null=True, blank=True)
    parent_external_id = models.CharField(_("réponse à"), max_length=64, blank=True)
    thread = models.CharField(_("fil"), max_length=64, blank=True)
    alignment = models.SmallIntegerField(_("position"), null=True, blank=True)
    segments = models.JSONField(_("segments"), default=dict, blank=True)

    class Meta:
        verbose_name = _("contribution")
        ordering = ["batch", "pk"]
        constraints = [models.UniqueConstraint(fields=["batch", "external_id"], name="contribution_id_per_batch")]
        indexes = [models.Index(fields=["process", "batch"])]

    def __str__(self):
        return f"{self.get_platform_display()} {self.external_id}"


def document_path(instance: Document, filename: str) -> str:
    """A generated name under MEDIA_ROOT: the uploaded name and path are never used."""
    return f"fieldwork/{instance.process_id}/documents/{uuid.uuid4().hex}.{instance.kind}"


class Document(models.Model):
    """An existing document of the territory (SCoT, PLUi, SRADDET, tourism plan, press…) whose text,
    extracted from its PDF, DOCX or ODT file, is searched and coded like a transcript."""

    class Type(models.TextChoices):
        SCOT = "scot", _("SCoT (schéma de cohérence territoriale)")
        PLUI = "plui", _("PLUi (plan local d'urbanisme intercommunal)")
        SRADDET = "sraddet", _("SRADDET (schéma régional)")
        TOURISM = "tourism", _("Plan ou schéma tourisme")
        PRESS = "press", _("Article de presse")
        OTHER = "other", _("Autre document")

    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF")
        DOCX = "docx", _("Word (.docx)")
        ODT = "odt", _("OpenDocument (.odt)")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("titre"), max_length=300)
    author = models.CharField(_("auteur ou organisme"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("année"), null=True, blank=True)
    type = models.CharField(_("type de document"), max_length=8, choices=Type.choices, default=Type.OTHER)
    file = models.FileField(upload_to=document_path, max_length=200)
    kind = models.CharField(_("format"), max_length=4, choices=Kind.choices)
    file_name = models.CharField(_("fichier d'origine"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("taille (octets)"), default=0)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    text = models.TextField(_("texte extrait"))
    #: The text in lower case without accents, for the accent-insensitive search.
    search_text = models.TextField(editable=False, default="")
    note = models.TextField(_("note de lecture"), blank=True)
    simulated = models.BooleanField(_("données simulées"), default=False)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-year", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("fieldwork:document", kwargs={"slug": self.process.slug, "document": self.pk})


class Excerpt(models.Model):
    """A passage to code: a range of a session transcript or of a document's text, a contribution or
    an open survey answer.

    ``start``/``end`` are character offsets in the transcript (end excluded). The excerpt keeps
    the speaker's category and the sub-territory, never a name.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="excerpts")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.CASCADE, related_name="excerpts")
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE, related_name="excerpts")
    contribution = models.ForeignKey(Contribution, null=True, blank=True, on_delete=models.CASCADE, related_name="excerpts")
    answer = models.ForeignKey("consultation.Answer", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("extrait"))
    speaker_category = models.CharField(_("catégorie de l'intervenant·e"), max_length=16,
                                        choices=ParticipantCategory.choices, blank=True)
    subterritory = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("sous-territoire"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("extrait")
        ordering = ["session", "start", "pk"]
        constraints = [
            models.CheckConstraint(
                name="excerpt_one_source",
                condition=(
                    models.Q(session__isnull=False, document__isnull=True, contribution__isnull=True, answer__isnull=True,
                             start__isnull=False, end__isnull=False, end__gt=models.F("start"))
                    | models.Q(session__isnull=True, document__isnull=False, contribution__isnull=True,
                               answer__isnull=True, start__isnull=False, end__isnull=False, end__gt=models.F("start"))
                    | models.Q(session__isnull=True, document__isnull=True, contribution__isnull=False, answer__isnull=True)
                    | models.Q(session__isnull=True, document__isnull=True, contribution__isnull=True, answer__isnull=False)
                ),
            ),
        ]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        if self.document_id:
            return self.document.get_absolute_url() + f"#extrait-{self.pk}"
        if self.session_id:
            return self.session.get_absolute_url() + f"#extrait-{self.pk}"
        return ""

    @property
    def source_kind(self) -> str:
        if self.session_id:
            return "session"
        if self.document_id:
            return "document"
        return "contribution" if self.contribution_id else "answer"


class Coding(models.Model):
    """One code applied to one excerpt by one person."""

    excerpt = models.ForeignKey(Excerpt, on_delete=models.CASCADE, related_name="codings")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="codings")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("codage")
        constraints = [models.UniqueConstraint(fields=["excerpt", "code", "coder"], name="coding_once")]

    def __str__(self):
        return f"{self.code} ← {self.excerpt}"


class Arbitration(models.Model):
    """The decision taken on a disagreement between two coders: does ``code`` apply to the unit
    (a paragraph of a transcript or document, ``s<session>:<n>`` or ``d<document>:<n>``)? Who
    decided, when, and why are kept for the record."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="arbitrations")
    unit = models.CharField(_("unité"), max_length=40)
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="arbitrations", verbose_name=_("code"))
    applies = models.BooleanField(_("le code s'applique"))
    first_coder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("premier codeur"))
    second_coder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("second codeur"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("arbitré par"))
    note = models.CharField(_("motif"), max_length=300, blank=True)
    decided = models.DateTimeField(_("date de l'arbitrage"), auto_now=True)

    class Meta:
        verbose_name = _("arbitrage")
        ordering = ["unit", "code"]
        constraints = [models.UniqueConstraint(fields=["process", "unit", "code"], name="arbitration_once")]

    def __str__(self):
        return f"{self.unit} · {self.code} : {'oui' if self.applies else 'non'}"


class ThemeRun(models.Model):
    """One run of the themes engine on a process's texts, with the parameters that produced it.

    ``state`` holds the engine's result, pickled by this server only, so that human edits
    (rename, merge, split, move) go through the engine's own functions; ``result`` is its JSON
    summary (``ThemeResult.as_dict``) as last edited.
    """

    #: One background-job vocabulary for every job (core.jobs).
    Status = JobStatus

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="theme_runs")
    label = models.CharField(_("intitulé"), max_length=200, blank=True)
    parameters = models.JSONField(_("paramètres"), default=dict)
    status = models.CharField(_("statut"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    state = models.BinaryField(null=True, blank=True, editable=False)
    answers = models.PositiveIntegerField(_("textes analysés"), default=0)
    published = models.BooleanField(_("publiée"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("analyse thématique")
        ordering = ["-created"]

    def __str__(self):
        return self.label or f"#{self.pk}"

    def get_absolute_url(self):
        return reverse("fieldwork:theme_run", kwargs={"slug": self.process.slug, "run": self.pk})


class Theme(models.Model):
    class Tonality(models.TextChoices):
        POSITIVE = "positive", _("positive")
        NEGATIVE = "negative", _("négative")
        MIXED = "mixed", _("mitigée")
        NEUTRAL = "neutral", _("neutre")

    run = models.ForeignKey(ThemeRun, on_delete=models.CASCADE, related_name="themes")
    number = models.PositiveSmallIntegerField(_("numéro"))
    label = models.CharField(_("libellé"), max_length=200)
    terms = models.JSONField(default=list)
    size = models.PositiveIntegerField(_("taille"))
    quotes = models.JSONField(default=list)
    quote_ids = models.JSONField(default=list)
    tonality = models.CharField(_("tonalité"), max_length=16, choices=Tonality.choices, blank=True)
    origin = models.CharField(max_length=16, blank=True)
    code = models.ForeignKey(Code, null=True, blank=True, on_delete=models.SET_NULL, related_name="themes",
                             verbose_name=_("code de la grille"))

    class Meta:
        verbose_name = _("thème")
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="theme_number_per_run")]

    def __str__(self):
        return self.label


class ThemeAssignment(models.Model):
    """An analysed text carrying a theme. ``unit`` is the engine's answer id: ``c<pk>`` for a
    contribution, ``s<session pk>p<paragraph index>`` for a transcript paragraph."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="assignments")
    unit = models.CharField(max_length=40)
    contribution = models.ForeignKey(Contribution, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    paragraph = models.PositiveIntegerField(null=True, blank=True)
    strength = models.FloatField()
    rank = models.PositiveSmallIntegerField(default=0, help_text=_("0 : le thème le plus fort du texte."))

    class Meta:
        ordering = ["theme", "-strength"]
        constraints = [models.UniqueConstraint(fields=["theme", "unit"], name="assignment_once")]

    def __str__(self):
        return f"{self.unit} → {self.theme_id}"
