"""The site's own address, for links in messages sent without a request (commands, background tasks)."""

from __future__ import annotations

import os

from django.conf import settings


def site_url() -> str:
    """Base URL of links in messages sent without a request (commands, background tasks)."""
    return getattr(settings, "ATOUT_SITE_URL", "") or os.environ.get("ATOUT_SITE_URL", "http://localhost:8000")
