"""Territories: the official geography (communes, EPCI, départements, regions) and custom zones.

Every territory is a set of communes. Populations and contours of the larger ones are computed from
their communes, so a custom zone and an EPCI straddling two départements are handled alike.
"""

from __future__ import annotations

import json

from django.db import models
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    COUNTRY = "country", _("Pays")
    REGION = "region", _("Région")
    DEPARTEMENT = "departement", _("Département")
    EPCI = "epci", _("EPCI")
    ZONE = "zone", _("Sous-territoire")
    COMMUNE = "commune", _("Commune")


#: Prefixes accepted before a code to say its level (``reg:84`` is a region, ``84`` a département).
LEVEL_PREFIXES = {
    "fr": Level.COUNTRY,
    "reg": Level.REGION,
    "dep": Level.DEPARTEMENT,
    "epci": Level.EPCI,
    "zone": Level.ZONE,
    "com": Level.COMMUNE,
}


class TerritoryQuerySet(models.QuerySet):
    def resolve(self, reference: str) -> Territory:
        """The territory a user means by ``reference``.

        ``dep:26``, ``reg:84``, ``epci:200068781``, ``com:26362``, ``zone:vercors`` name the level
        explicitly. A bare code is tried as commune, EPCI, département, zone, then region: a region
        code shared with a département (84, 93…) therefore needs ``reg:``.
        """
        reference = reference.strip()
        prefix, _sep, code = reference.partition(":")
        if code and prefix.lower() in LEVEL_PREFIXES:
            return self.get(level=LEVEL_PREFIXES[prefix.lower()], code=code)
        order = [Level.COMMUNE, Level.EPCI, Level.DEPARTEMENT, Level.ZONE, Level.REGION, Level.COUNTRY]
        found = {t.level: t for t in self.filter(code=reference)}
        for level in order:
            if level in found:
                return found[level]
        raise Territory.DoesNotExist(f"no territory with code {reference!r}")


class Territory(models.Model):
    level = models.CharField(_("niveau"), max_length=16, choices=Level.choices)
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("nom"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children",
        help_text=_("Commune → département → région → pays."),
    )
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    population_total = models.PositiveIntegerField(_("population totale"), null=True, blank=True)
    legal_form = models.CharField(_("nature juridique"), max_length=16, blank=True)
    description = models.TextField(_("description"), blank=True)
    #: For a custom zone: the codes it was defined from (communes and EPCIs), kept to explain it.
    definition = models.JSONField(_("définition"), default=list, blank=True)
    contour = models.TextField(_("contour (GeoJSON)"), blank=True)
    members = models.ManyToManyField(
        "self", through="Membership", through_fields=("group", "commune"), symmetrical=False,
        related_name="groups", blank=True,
    )

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        constraints = [models.UniqueConstraint(fields=["level", "code"], name="territory_level_code")]
        indexes = [models.Index(fields=["code"]), models.Index(fields=["level", "parent"])]
        ordering = ["level", "code"]

    def __str__(self):
        return f"{self.name} ({self.get_level_display()} {self.code})"

    @property
    def key(self) -> str:
        """A reference that resolves to this territory whatever its level."""
        prefix = {v: k for k, v in LEVEL_PREFIXES.items()}[self.level]
        return f"{prefix}:{self.code}"

    def communes(self) -> models.QuerySet[Territory]:
        """The communes that make up this territory."""
        communes = Territory.objects.filter(level=Level.COMMUNE)
        match self.level:
            case Level.COMMUNE:
                return communes.filter(pk=self.pk)
            case Level.DEPARTEMENT:
                return communes.filter(parent=self)
            case Level.REGION:
                return communes.filter(parent__parent=self)
            case Level.COUNTRY:
                return communes
            case _:
                return communes.filter(memberships__group=self)

    def children_at(self, level: str) -> models.QuerySet[Territory]:
        """Territories of ``level`` having at least one commune in this territory."""
        communes = self.communes()
        if level == Level.COMMUNE:
            return communes
        if level == Level.DEPARTEMENT:
            return Territory.objects.filter(level=level, children__in=communes).distinct()
        if level == Level.REGION:
            return Territory.objects.filter(level=level, children__children__in=communes).distinct()
        return Territory.objects.filter(level=level, member_links__commune__in=communes).distinct()

    def epcis(self) -> models.QuerySet[Territory]:
        return self.children_at(Level.EPCI).order_by("code")

    def computed_population(self) -> int | None:
        """Municipal population as the sum over the territory's communes (None if unknown)."""
        if self.level == Level.COMMUNE:
            return self.population
        return self.communes().aggregate(total=Sum("population"))["total"]

    def parents(self) -> list[Territory]:
        """Territories that contain this one: département, region, country; EPCIs and zones of a commune."""
        if self.level == Level.COMMUNE:
            chain = [self.parent, self.parent.parent if self.parent else None]
            groups = list(self.groups.order_by("level", "code"))
            return [t for t in chain if t] + groups + list(Territory.objects.filter(level=Level.COUNTRY))
        if self.level in (Level.DEPARTEMENT, Level.REGION):
            chain, node = [], self.parent
            while node is not None:
                chain.append(node)
                node = node.parent
            return chain
        if self.level in (Level.EPCI, Level.ZONE):
            deps = list(self.children_at(Level.DEPARTEMENT).order_by("code"))
            regs = list(self.children_at(Level.REGION).order_by("code"))
            return deps + regs + list(Territory.objects.filter(level=Level.COUNTRY))
        return []

    def geometry(self) -> dict | None:
        """GeoJSON geometry of the territory, dissolved from its communes when not stored."""
        if self.contour:
            return json.loads(self.contour)
        if self.level == Level.COMMUNE:
            return None
        from atout.engine.geometry import dissolve

        geometries = [json.loads(c) for c in self.communes().exclude(contour="").values_list("contour", flat=True)]
        merged = dissolve(geometries)
        if merged is not None and self.pk:
            # Cached: dissolving a few hundred communes takes a noticeable fraction of a second.
            self.contour = json.dumps(merged)
            Territory.objects.filter(pk=self.pk).update(contour=self.contour)
        return merged

    def contour_coverage(self) -> tuple[int, int]:
        """(communes with a contour, communes) — an EPCI straddling into a département without
        contours in the mirror is drawn only in part, and says so."""
        communes = self.communes()
        return communes.exclude(contour="").count(), communes.count()


class Membership(models.Model):
    """A commune belonging to an EPCI or a custom zone."""

    group = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="member_links")
    commune = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "commune"], name="membership_unique")]

    def __str__(self):
        return f"{self.commune_id} ∈ {self.group_id}"


class GeographyImport(models.Model):
    """One import of the official geography: what was read, when, and with which checksums."""

    created = models.DateTimeField(auto_now_add=True)
    sources = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"geography import of {self.created:%Y-%m-%d %H:%M}"
