"""Reports of a process (diagnostic, sub-territory fact sheet, monitoring), generated in the background
and stored as files under ``ATOUT_VAR_DIR/reports``."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from atout.core.jobs import JobStatus
from atout.processes.models import Process
from atout.territories.models import Territory


def reports_dir() -> Path:
    """Where report files are kept: outside MEDIA_ROOT, so only the team's download view serves them."""
    return Path(settings.VAR_DIR) / "reports"


class Report(models.Model):
    class Kind(models.TextChoices):
        DIAGNOSTIC = "diagnostic", _("Rapport de diagnostic")
        FACTSHEET = "factsheet", _("Fiche de sous-territoire")
        MONITORING = "monitoring", _("Rapport de suivi du plan d'actions")

    class Format(models.TextChoices):
        PDF = "pdf", _("PDF")
        HTML = "html", _("HTML")

    #: One background-job vocabulary for every job (core.jobs).
    Status = JobStatus

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="reports", verbose_name=_("démarche"))
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    territory = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("sous-territoire"), help_text=_("Pour une fiche de sous-territoire."))
    format = models.CharField(_("format"), max_length=8, choices=Format.choices, default=Format.PDF)
    status = models.CharField(_("statut"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    message = models.TextField(_("message"), blank=True)
    file = models.CharField(_("fichier"), max_length=255, blank=True, help_text=_("Relatif au dossier des rapports."))
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveIntegerField(_("taille (octets)"), null=True, blank=True)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("demandé par"))
    created = models.DateTimeField(_("demandé le"), auto_now_add=True)
    finished = models.DateTimeField(_("terminé le"), null=True, blank=True)
    duration = models.FloatField(_("durée (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("rapport")
        verbose_name_plural = _("rapports")
        ordering = ["-created", "-pk"]

    def __str__(self):
        subject = f" — {self.territory.name}" if self.territory_id else ""
        return f"{self.get_kind_display()}{subject} ({self.get_format_display()})"

    def get_absolute_url(self):
        return reverse("reports:detail", kwargs={"slug": self.process.slug, "pk": self.pk})

    @property
    def path(self) -> Path | None:
        return reports_dir() / self.file if self.file else None

    @property
    def filename(self) -> str:
        subject = f"-{self.territory.code}" if self.territory_id else ""
        return f"{self.kind}-{self.process.slug}{subject}-{self.created:%Y%m%d-%H%M}.{self.format}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
