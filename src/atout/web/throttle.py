"""Sign-in throttling: after too many failed sign-ins for a username or from a client, refuse further
attempts for a cool-down period.

Neither the username nor the network address is stored: the counters are keyed by an HMAC of the
case-folded username (secret key), and by the consultation app's HMAC of the address whose salt changes
every day (:func:`atout.consultation.services.rate_key`). A successful sign-in clears the username's
counter; the client's counter expires on its own. Limits come from the settings
``ATOUT_LOGIN_MAX_FAILURES`` (per username, default 5), ``ATOUT_LOGIN_MAX_FAILURES_PER_CLIENT``
(default 20) and ``ATOUT_LOGIN_COOLDOWN`` (seconds, default 900, also the counting window).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import LoginThrottle


def max_failures() -> int:
    return int(getattr(settings, "ATOUT_LOGIN_MAX_FAILURES", 5))


def max_failures_per_client() -> int:
    return int(getattr(settings, "ATOUT_LOGIN_MAX_FAILURES_PER_CLIENT", 20))


def cooldown() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "ATOUT_LOGIN_COOLDOWN", 900)))


def username_key(username: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"atout-login|{username.strip().casefold()}".encode(),
                      hashlib.sha256).hexdigest()
    return "u:" + digest


def client_key(address: str) -> str:
    from atout.consultation.services import rate_key

    return "a:" + rate_key(address or "unknown")


def client_address(request) -> str:
    """The network address of the person behind ``request``, only ever used hashed (sign-in throttling,
    survey rate limits, API limits).

    Behind ``ATOUT_TRUSTED_PROXIES`` reverse proxies (nginx, a load balancer), REMOTE_ADDR is the
    nearest proxy's address, and each proxy appends the address it saw to X-Forwarded-For: the
    client is the entry that many places from the right. Entries further left are written by the
    client itself and never trusted. Without declared proxies the header is ignored."""
    if request is None:
        return "unknown"
    proxies = settings.ATOUT_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def keys_for(username: str, address: str) -> list[tuple[str, int]]:
    """(key, limit) pairs a sign-in attempt counts against."""
    return [(username_key(username or ""), max_failures()), (client_key(address), max_failures_per_client())]


def wait_time(keys: list[tuple[str, int]], now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long sign-in stays refused for these keys, or None when it is allowed."""
    now = now or timezone.now()
    until = (LoginThrottle.objects.filter(key__in=[k for k, _limit in keys], locked_until__gt=now)
             .order_by("-locked_until").values_list("locked_until", flat=True).first())
    return until - now if until else None


def minutes(wait: dt.timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))


def record_failure(keys: list[tuple[str, int]], now: dt.datetime | None = None) -> None:
    """Count one failed sign-in against each key; lock the keys that reach their limit."""
    now = now or timezone.now()
    window = cooldown()
    for key, limit in keys:
        with transaction.atomic():
            row = LoginThrottle.objects.select_for_update().filter(key=key).first()
            if row is None:
                try:
                    with transaction.atomic():
                        row = LoginThrottle.objects.create(key=key, failures=0, first_failure=now)
                except IntegrityError:  # another worker counted the same key first
                    row = LoginThrottle.objects.select_for_update().get(key=key)
            expired_lock = row.locked_until is not None and row.locked_until <= now
            if expired_lock or row.first_failure < now - window:
                row.failures, row.first_failure, row.locked_until = 0, now, None
            row.failures += 1
            if row.failures >= limit:
                row.locked_until = now + window
            row.save()
    # Old counters say nothing useful: forget them.
    (LoginThrottle.objects.filter(first_failure__lt=now - dt.timedelta(days=1))
     .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now)).delete())


def reset(username: str) -> None:
    """A successful sign-in: the username's failures are forgotten."""
    LoginThrottle.objects.filter(key=username_key(username or "")).delete()
