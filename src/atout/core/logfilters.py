"""A logging filter that keeps personal data and secrets out of the logs.

Django's request loggers write the path of every refused or failed request ("Not Found: /…",
"Bad Request: /…"); paths of invitation, resume or sign-in links carry tokens, and a message may
quote an e-mail or a network address. :class:`RedactPersonalData` replaces them before any handler
writes the record. Install it on the handlers in ``LOGGING`` (see docs/operations.md, Security).
"""

from __future__ import annotations

import logging
import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){3,7}[0-9A-Fa-f]{1,4}(?![\w:])|(?<![\w:])[0-9A-Fa-f:]*::[0-9A-Fa-f:]+(?![\w:])")
#: A URL path segment that looks like a token: 20+ URL-safe characters mixing upper case, lower case and
#: digits (``secrets.token_urlsafe``, ``django.core.signing``), or 32+ hexadecimal digits. Slugs (lower case words) are kept.
TOKEN = re.compile(r"(?<=/)(?:(?=[\w:-]*\d)(?=[\w:-]*[a-z])(?=[\w:-]*[A-Z])[A-Za-z0-9_:-]{20,}|[0-9a-f]{32,})(?=[/?\s]|$)")


def redact(text: str) -> str:
    text = EMAIL.sub("[courriel]", text)
    text = TOKEN.sub("[jeton]", text)
    text = IPV6.sub("[adresse]", text)
    return IPV4.sub("[adresse]", text)


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
