"""Sign-in throttling: after too many failed sign-ins for a username or from a client, refuse further
attempts for a cool-down period.

Neither the username nor the network address is stored: the counters are keyed by an HMAC of the
case-folded username (secret key), and by the consultation app's HMAC of the address whose salt changes
every day (:func:`rate_key`). A successful sign-in clears the username's
counter; the client's counter expires on its own. Limits come from the settings
``ATOUT_LOGIN_MAX_FAILURES`` (per username, default 5), ``ATOUT_LOGIN_MAX_FAILURES_PER_CLIENT``
(default 20) and ``ATOUT_LOGIN_COOLDOWN`` (seconds, default 900, also the counting window).

**Known browsers** (device cookies): a browser where someone signed in to an account gets a signed
cookie naming that account (its HMAC) and a random device number. From that browser, the account's lock
does not apply: its failures count against the device number instead, with the same limit. So a
stranger who fails an account's password on purpose locks it for strangers only, and its owner still
signs in from the browsers they used before. The per-client lock applies to everyone.

The same counters limit other requests that cost the site an e-mail (sign-up, sign-in links) per
client: :func:`hit`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets

from django.conf import settings
from django.core import signing
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


def rate_key(address: str, today: dt.date | None = None) -> str:
    """HMAC of the network address with a salt that changes every day: never the address itself
    (sign-in throttling here, survey and API rate limits in the apps)."""
    today = today or timezone.localdate()
    salt = hmac.new(settings.SECRET_KEY.encode(), f"atout-rate-{today.isoformat()}".encode(), hashlib.sha256).digest()
    return hmac.new(salt, address.encode(), hashlib.sha256).hexdigest()


def client_key(address: str) -> str:
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


def keys_for(username: str, address: str, device: str | None = None) -> list[tuple[str, int]]:
    """(key, limit) pairs a sign-in attempt counts against: the account's, or the known browser's
    (``device``, see :func:`known_device`) instead, and the client's."""
    own = device_key(device) if device else username_key(username or "")
    return [(own, max_failures()), (client_key(address), max_failures_per_client())]


# ------------------------------------------------------------------------------- known browsers

DEVICE_COOKIE = "atout_device"
DEVICE_SALT = "atout.web.throttle.device"  # a signing salt: kept as first written so remembered devices stay valid
#: A browser stays known for a year after its last sign-in.
DEVICE_MAX_AGE = 365 * 24 * 3600


def device_key(device: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"atout-device|{device}".encode(), hashlib.sha256).hexdigest()
    return "d:" + digest


def known_device(request, username: str) -> str | None:
    """The device number of ``request``'s browser if someone signed in to ``username`` from it, else None."""
    value = request.COOKIES.get(DEVICE_COOKIE, "") if request is not None else ""
    if not value or not username:
        return None
    try:
        account, device = signing.loads(value, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return device if hmac.compare_digest(str(account), username_key(username)) else None


def device_cookie(username: str, device: str | None = None) -> str:
    """The signed cookie value that makes a browser known for ``username`` (a new device number unless
    the browser already had one for it)."""
    return signing.dumps([username_key(username), device or secrets.token_urlsafe(16)], salt=DEVICE_SALT)


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


def reset(username: str, device: str | None = None) -> None:
    """A successful sign-in: the failures it was counted against are forgotten — the known browser's,
    or else the username's. (Signing in from a known browser leaves a stranger's lock on the account.)"""
    key = device_key(device) if device else username_key(username or "")
    LoginThrottle.objects.filter(key=key).delete()


# ------------------------------------------------------------------------ requests sending e-mail

def max_mail_requests_per_client() -> int:
    return int(getattr(settings, "ATOUT_MAIL_REQUESTS_PER_CLIENT", 10))


def hit(address: str) -> dt.timedelta | None:
    """Count one request that sends an e-mail to an address typed by the visitor (sign-up, sign-in link)
    from ``address``; how long such requests stay refused when the client went over
    ``ATOUT_MAIL_REQUESTS_PER_CLIENT`` (default 10) within the cool-down, else None."""
    keys = [("m:" + client_key(address)[2:], max_mail_requests_per_client())]
    wait = wait_time(keys)
    if wait is None:
        record_failure(keys)
    return wait
