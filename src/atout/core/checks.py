"""System checks of the deployment (``atout check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

#: Backends that deliver nothing: they print, store or drop messages.
UNDELIVERED_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "prints every message, sign-in links included, in the logs",
    "django.core.mail.backends.filebased.EmailBackend": "writes every message, sign-in links included, to files",
    "django.core.mail.backends.locmem.EmailBackend": "keeps messages in memory",
    "django.core.mail.backends.dummy.EmailBackend": "drops every message",
}


@checks.register(checks.Tags.security, deploy=True)
def check_email_backend(app_configs, **kwargs):
    """In production, e-mail must be delivered: the console backend (the development default) would
    print sign-in links, which open accounts, in the logs, and deliver no message at all."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    problem = UNDELIVERED_BACKENDS.get(settings.EMAIL_BACKEND)
    if problem is None:
        return []
    return [checks.Warning(
        f"The e-mail backend {settings.EMAIL_BACKEND} {problem}: no participant receives a sign-in link, "
        "a confirmation or a newsletter.",
        hint="Set ATOUT_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and ATOUT_EMAIL_HOST, "
             "ATOUT_EMAIL_PORT, ATOUT_EMAIL_USER, ATOUT_EMAIL_PASSWORD, ATOUT_EMAIL_TLS (docs/operations.md).",
        id="atout.W001")]
