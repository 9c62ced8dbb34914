"""Models of the core app: sign-in throttling counters and the audit log of team actions.

Both tables keep the names they had in the web app (``db_table``): moving them here moved no data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginThrottle(models.Model):
    """Failed sign-ins counted per keyed hash of a username or of a client address (never either itself).

    ``key`` is ``u:`` + HMAC of the case-folded username, or ``a:`` + the consultation app's daily
    rotating HMAC of the network address (see :mod:`atout.core.throttle`).
    """

    key = models.CharField(max_length=70, unique=True)
    failures = models.PositiveIntegerField(default=0)
    first_failure = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "web_loginthrottle"

    def __str__(self):
        return f"{self.key[:10]}… {self.failures}"


class AuditEntry(models.Model):
    """One team action: who changed what, when (see :mod:`atout.core.audit`).

    ``changes`` maps a field name to ``[old, new]`` (as text, shortened); personal fields, secrets and
    respondents' answers are never written here, only the fact that they changed (``[null, null]``).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("création")
        UPDATE = "update", _("modification")
        DELETE = "delete", _("suppression")
        IMPORT = "import", _("import")
        PUBLISH = "publish", _("publication")
        EXPORT = "export", _("export")
        OTHER = "other", _("autre")

    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("utilisateur"))
    username = models.CharField(_("nom d'utilisateur"), max_length=150)
    process = models.ForeignKey("processes.Process", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("démarche"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("type d'objet"), max_length=100)
    object_id = models.CharField(_("identifiant de l'objet"), max_length=64, blank=True)
    object_label = models.CharField(_("libellé de l'objet"), max_length=200, blank=True)
    changes = models.JSONField(_("champs modifiés"), default=dict, blank=True)

    class Meta:
        db_table = "web_auditentry"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["process", "-at"], name="audit_process_at")]
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal des actions")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type} {self.object_id}"
