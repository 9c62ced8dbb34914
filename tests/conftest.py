"""Shared fixtures. Real data comes from ATOUT_DATA_DIR; its absence fails the run, never skips it."""

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def data_dir() -> Path:
    value = os.environ.get("ATOUT_DATA_DIR", "")
    if not value or not Path(value).is_dir():
        pytest.fail(
            "ATOUT_DATA_DIR must point at the offline mirror of the official data (e.g. ../shared/data); "
            f"got {value!r}. Tests that use real data fail rather than skip without it."
        )
    return Path(value).resolve()
