"""The one status vocabulary of background jobs (theme analyses, reports…): a job is queued, runs, then
is done or has failed. Pages that follow a job refresh while it is queued or running."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échec")

    @classmethod
    def unfinished(cls) -> tuple[str, str]:
        """Statuses of a job still to be waited for."""
        return (cls.QUEUED, cls.RUNNING)
