"""A real SMTP server on a free loopback port (aiosmtpd), and Django configured to send through it."""

import email
import email.policy
import socket

import pytest


class Mailbox:
    """Messages received by the local SMTP server, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]

    @staticmethod
    def body(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """Start an SMTP server, point Django's SMTP backend at it, yield its mailbox."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.ATOUT_MAIL_RATE = 0  # no throttling pause in tests
    settings.ATOUT_SITE_URL = "http://testserver"
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def fresh_process(drome):
    """A process of its own over the Drôme's zones, so counts start from zero."""
    from atout.processes.services import create_process

    process = create_process(slug="essai-communaute", territory=drome.territory, title="Essai communauté")
    process.subterritories.set(drome.subterritories.all())
    return process
