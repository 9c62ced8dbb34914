"""Evidence and strategy: one way to reference any piece of evidence, the SWOT board, the positioning
(brand platform) with its proof points, orientations per axis and objectives.

:class:`Evidence` is the single kind of reference every other part links to: an indicator finding, a
survey result (with its base n and margin of error), a coded excerpt or quote, a theme, an opinion-group
statement, an imported contribution or a document. It may point at the object it comes from (any model,
through a generic relation: an ``opinion.Statement``, an ``opinion.Analysis``…). :class:`EvidenceLink`
attaches it to what it supports (a SWOT item, an objective, an action, a proof point, a milestone), so
each evidence page can list where it is used.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from atout.processes.models import Axis, Process
from atout.territories.models import Territory

#: OECD well-being / attractiveness domains used by the indicator catalogue (field ``domain``).
OECD_DOMAINS = [
    ("economic_attractiveness", _("Attractivité économique")),
    ("connectedness", _("Connectivité")),
    ("visitor_appeal", _("Attrait pour les visiteurs")),
    ("natural_environment", _("Environnement naturel")),
    ("resident_well_being", _("Bien-être des résidents")),
    ("land_use_housing", _("Foncier et logement")),
]


class Evidence(models.Model):
    class Kind(models.TextChoices):
        FINDING = "finding", _("Constat statistique")
        SURVEY = "survey", _("Résultat d'enquête")
        EXCERPT = "excerpt", _("Extrait ou citation")
        THEME = "theme", _("Thème")
        OPINION = "opinion", _("Affirmation d'un groupe d'opinion")
        CONTRIBUTION = "contribution", _("Contribution importée")
        DOCUMENT = "document", _("Document")
        PERCEPTION = "perception", _("Perception et réalité")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("nature"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=300)
    summary = models.TextField(_("résumé"), blank=True)
    value = models.FloatField(_("valeur"), null=True, blank=True)
    unit = models.CharField(_("unité"), max_length=40, blank=True)
    n = models.PositiveIntegerField(_("effectif (n)"), null=True, blank=True,
                                    help_text=_("Base d'un résultat d'enquête ou nombre de votes."))
    margin = models.FloatField(_("marge d'erreur"), null=True, blank=True,
                               help_text=_("Demi-largeur de l'intervalle de confiance à 95 %, dans l'unité de la valeur."))
    source = models.CharField(_("source"), max_length=400)
    vintage = models.CharField(_("millésime"), max_length=40, blank=True)
    url = models.URLField(_("lien"), blank=True)
    public = models.BooleanField(_("publique"), default=True)
    simulated = models.BooleanField(_("données simulées"), default=False)
    key = models.CharField(max_length=120, blank=True, help_text=_("Identifiant stable pour les imports automatiques."))
    origin_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    origin_id = models.PositiveBigIntegerField(null=True, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("élément de preuve")
        verbose_name_plural = _("éléments de preuve")
        ordering = ["kind", "title"]
        constraints = [
            models.UniqueConstraint(fields=["process", "key"], condition=~models.Q(key=""), name="evidence_key_per_process"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("strategy:evidence", kwargs={"slug": self.process.slug, "pk": self.pk})

    def origin_url(self) -> str:
        """The page of the object this evidence comes from, when it has one."""
        origin = self.origin
        for candidate in (origin, getattr(origin, "conversation", None), getattr(origin, "run", None)):
            getter = getattr(candidate, "get_absolute_url", None)
            if getter:
                return getter()
        return ""


class EvidenceLink(models.Model):
    """``evidence`` supports ``target`` (a SWOT item, objective, action, proof point, milestone…)."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="links")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    note = models.CharField(_("en quoi il appuie"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("lien vers une preuve")
        constraints = [models.UniqueConstraint(fields=["evidence", "target_type", "target_id"], name="evidence_link_once")]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.evidence} → {self.target}"


class EvidenceLinked(models.Model):
    """Mixin of the models evidence can support: ``obj.evidence_links`` and :meth:`link_evidence`."""

    evidence_links = GenericRelation(EvidenceLink, content_type_field="target_type", object_id_field="target_id")

    class Meta:
        abstract = True

    def linked_evidence(self) -> models.QuerySet[Evidence]:
        return Evidence.objects.filter(links__in=self.evidence_links.all()).distinct()

    def link_evidence(self, evidence: Evidence, note: str = "") -> EvidenceLink:
        link, _created = EvidenceLink.objects.get_or_create(
            evidence=evidence, target_type=ContentType.objects.get_for_model(self), target_id=self.pk,
            defaults={"note": note},
        )
        return link


class SwotItem(EvidenceLinked):
    class Kind(models.TextChoices):
        STRENGTH = "S", _("Force")
        WEAKNESS = "W", _("Faiblesse")
        OPPORTUNITY = "O", _("Opportunité")
        THREAT = "T", _("Menace")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposé")
        ACCEPTED = "accepted", _("Retenu")
        REJECTED = "rejected", _("Écarté")
        MERGED = "merged", _("Fusionné")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="swot_items")
    # One item per statement, whatever the number of places it holds for: the whole territory and/or
    # the sub-territories where it stands out (a proposal found in three zones is one item, not three).
    whole_territory = models.BooleanField(_("tout le territoire"), default=True)
    subterritories = models.ManyToManyField(Territory, blank=True, related_name="+", verbose_name=_("sous-territoires"),
                                            help_text=_("Où l'élément ressort en particulier."))
    kind = models.CharField(_("catégorie"), max_length=1, choices=Kind.choices)
    title = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    axis = models.ForeignKey(Axis, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("axe"))
    domain = models.CharField(_("domaine OCDE"), max_length=32, choices=OECD_DOMAINS, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    proposed_from = models.CharField(max_length=120, blank=True, help_text=_("Clé de la preuve à l'origine d'une proposition automatique."))
    example = models.BooleanField(_("exemple"), default=False)

    class Meta:
        verbose_name = _("élément AFOM")
        verbose_name_plural = _("éléments AFOM")
        ordering = ["kind", "title"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.title}"

    def get_absolute_url(self):
        return reverse("strategy:swot", kwargs={"slug": self.process.slug}) + f"#swot-{self.pk}"

    def places(self) -> list[str]:
        """Names of the places it holds for, for display: the territory first when it holds everywhere."""
        zones = sorted((t.name for t in self.subterritories.all()), key=sort_key)
        return ([self.process.territory.name] if self.whole_territory else []) + zones


def sort_key(text: str) -> str:
    """Accent-insensitive sort key (« Échirolles » between « Die » and « Grignan »)."""
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


class Positioning(models.Model):
    """The brand platform of a process."""

    process = models.OneToOneField(Process, on_delete=models.CASCADE, related_name="positioning")
    ambition = models.TextField(_("ambition"), blank=True)
    values = models.TextField(_("valeurs"), blank=True)
    promise = models.TextField(_("promesse"), blank=True)
    audiences = models.TextField(_("publics cibles"), blank=True, help_text=_("Talents, entreprises, visiteurs, habitants…"))
    key_messages = models.TextField(_("messages clés"), blank=True)
    example = models.BooleanField(_("exemple"), default=False)

    class Meta:
        verbose_name = _("positionnement")

    def __str__(self):
        return f"{self.process}"


#: The fields of the brand platform the team edits and each version keeps.
POSITIONING_FIELDS = ["ambition", "values", "promise", "audiences", "key_messages"]


class PositioningVersion(models.Model):
    """One saved state of a process's brand platform: every save in the product adds one, so the history
    says who changed what and when. Number 1 may be the state found before the first save in atout (the
    demo's, or the admin's), recorded without an author."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="positioning_versions")
    number = models.PositiveIntegerField(_("version"))
    ambition = models.TextField(_("ambition"), blank=True)
    values = models.TextField(_("valeurs"), blank=True)
    promise = models.TextField(_("promesse"), blank=True)
    audiences = models.TextField(_("publics cibles"), blank=True)
    key_messages = models.TextField(_("messages clés"), blank=True)
    note = models.CharField(_("ce qui change"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("auteur"))
    created = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("version du positionnement")
        verbose_name_plural = _("versions du positionnement")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["process", "number"], name="positioning_version_number")]

    def __str__(self):
        return f"{self.process} — v{self.number}"

    def content(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in POSITIONING_FIELDS}


class ProofPoint(EvidenceLinked):
    positioning = models.ForeignKey(Positioning, on_delete=models.CASCADE, related_name="proof_points")
    claim = models.CharField(_("preuve avancée"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("preuve du positionnement")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.claim

    def get_absolute_url(self):
        return reverse("strategy:strategy", kwargs={"slug": self.positioning.process.slug}) + f"#proof-{self.pk}"


class Orientation(EvidenceLinked):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="orientations")
    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="orientations", verbose_name=_("axe"))
    title = models.CharField(_("orientation"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    domain = models.CharField(_("pilier de la boussole"), max_length=32, choices=OECD_DOMAINS, blank=True, help_text=_(
        "Domaine OCDE de la boussole d'attractivité que sert cette orientation : les priorités des acteurs "
        "pour l'orientation pondèrent ce pilier (docs/methods/composite.md)."))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("orientation")
        ordering = ["axis__order", "order", "pk"]

    def __str__(self):
        return self.title


class Objective(EvidenceLinked):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="objectives")
    code = models.SlugField(_("code"), max_length=60)
    axis = models.ForeignKey(Axis, null=True, blank=True, on_delete=models.SET_NULL, related_name="objectives", verbose_name=_("axe"))
    orientation = models.ForeignKey(Orientation, null=True, blank=True, on_delete=models.SET_NULL, related_name="objectives")
    title = models.CharField(_("objectif"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    example = models.BooleanField(_("exemple"), default=False)

    class Meta:
        verbose_name = _("objectif")
        ordering = ["order", "code"]
        constraints = [models.UniqueConstraint(fields=["process", "code"], name="objective_code_per_process")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("strategy:strategy", kwargs={"slug": self.process.slug}) + f"#objective-{self.code}"


class Allocation(models.Model):
    """Stakeholder prioritisation: a person spreads 100 points across the orientations of a process.

    One row per person and orientation; a new allocation by the same person replaces the previous one.
    ``segment`` is the person's declared status (same categories as the opinion profiles), for results by
    segment.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="allocations")
    orientation = models.ForeignKey(Orientation, on_delete=models.CASCADE, related_name="allocations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    points = models.PositiveSmallIntegerField(_("points"))
    segment = models.CharField(_("vous êtes"), max_length=16, blank=True)
    simulated = models.BooleanField(_("données simulées"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("répartition de points")
        constraints = [
            models.UniqueConstraint(fields=["user", "orientation"], name="allocation_once_per_orientation"),
            models.CheckConstraint(condition=models.Q(points__lte=100), name="allocation_points_at_most_100"),
        ]

    def __str__(self):
        return f"{self.user_id} → {self.orientation_id}: {self.points}"


class Ranking(models.Model):
    """Stakeholder prioritisation by ranking: a person ranks the orientations of a process (1 = first).

    One row per person and orientation, the ranks of one person form a permutation of 1..n; a new ranking
    by the same person replaces the previous one. ``segment`` as for :class:`Allocation`.
    """

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="rankings")
    orientation = models.ForeignKey(Orientation, on_delete=models.CASCADE, related_name="rankings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(_("rang"))
    segment = models.CharField(_("vous êtes"), max_length=16, blank=True)
    simulated = models.BooleanField(_("données simulées"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("classement des orientations")
        constraints = [
            models.UniqueConstraint(fields=["user", "orientation"], name="ranking_once_per_orientation"),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="ranking_rank_from_1"),
        ]

    def __str__(self):
        return f"{self.user_id} → {self.orientation_id}: {self.rank}"


class PrioritisationSettings(models.Model):
    """How a process's stakeholders prioritise its orientations: spreading points, ranking, or both.

    Kept in the strategy app (not on Process) so the team edits it from the priorities page. Without a row,
    the process uses points (the historical behaviour).
    """

    class Mode(models.TextChoices):
        POINTS = "points", _("Répartition de 100 points")
        RANKING = "ranking", _("Classement des orientations")
        BOTH = "both", _("Les deux")

    process = models.OneToOneField(Process, on_delete=models.CASCADE, related_name="prioritisation")
    mode = models.CharField(_("mode de priorisation"), max_length=8, choices=Mode.choices, default=Mode.POINTS)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réglages de la priorisation")
        verbose_name_plural = _("réglages de la priorisation")

    def __str__(self):
        return f"{self.process}: {self.mode}"

    def uses_points(self) -> bool:
        return self.mode in (self.Mode.POINTS, self.Mode.BOTH)

    def uses_ranking(self) -> bool:
        return self.mode in (self.Mode.RANKING, self.Mode.BOTH)


class PerceptionMap(models.Model):
    """The perception vs reality mapping of a process: YAML text read by :func:`atout.engine.perception.parse_mapping`.

    Which survey question (and which answers mean agreeing) is read against which catalogue indicators,
    in which direction. Stored in the database so the team can edit it (admin), checked against the
    catalogue on save; the Drôme demo ships its own (``strategy/data/perception-drome.yaml``).
    """

    process = models.OneToOneField(Process, on_delete=models.CASCADE, related_name="perception_map")
    text = models.TextField(_("correspondances (YAML)"), help_text=_(
        "Question d'enquête, réponses valant accord et indicateurs du catalogue avec leur sens ; "
        "voir docs/methods/perception.md."))
    example = models.BooleanField(_("exemple"), default=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("correspondances perception et réalité")
        verbose_name_plural = _("correspondances perception et réalité")

    def __str__(self):
        return f"{self.process}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from atout.engine.formats.errors import FormatError

        from .perception import parse

        try:
            parse(self.text)
        except FormatError as exc:
            raise ValidationError({"text": str(exc)}) from exc
