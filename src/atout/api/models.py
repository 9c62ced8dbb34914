"""API tokens: one per script or integration, revocable, with scopes.

The key is shown once, at creation; only its SHA-256 hash is stored, with an 8-character prefix that
names the token in lists and on the command line.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("Lecture seule")
    WRITE = "write", _("Lecture et écriture")


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("utilisateur"))
    name = models.CharField(_("nom"), max_length=100, help_text=_("À quoi sert ce jeton (script, tableau de bord…)."))
    prefix = models.CharField(_("préfixe"), max_length=8, unique=True)
    #: sha256 of the key, hex. Named like the other secrets the audit log never writes out.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("portées"), default=list)
    created = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.prefix} ({self.name})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return Scope.WRITE in self.scopes
