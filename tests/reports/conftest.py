import io
import re

import pytest


@pytest.fixture(autouse=True)
def reports_in_tmp(settings, tmp_path):
    """Report files of a test go to its own folder, never to the working tree's var/."""
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR / "reports"


def pdf_text(data: bytes) -> str:
    """The text of a PDF, spaces of every width made plain (French typography uses no-break ones)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return plain(" ".join(page.extract_text() for page in reader.pages))


def plain(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)
