"""The official data files atout uses, where they come from, and how to get them.

Files are looked up, in order, in the offline mirror (``ATOUT_DATA_DIR``), then in the local cache
(``ATOUT_CACHE_DIR``), and are otherwise downloaded into the cache — from ``ATOUT_DATA_URL`` (a
mirror laid out like ``ATOUT_DATA_DIR``) when set, else from the publisher's address. Every file is
checked against the SHA-256 recorded here, so a corrupted or silently changed file is refused
rather than imported.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Source:
    path: str  # relative path, identical in the mirror, the cache and ATOUT_DATA_URL
    title: str
    publisher: str
    licence: str
    url: str  # publisher's download address (used when ATOUT_DATA_URL is not set)
    sha256: str


ETALAB = "Licence Ouverte / Open Licence 2.0 (Etalab)"
DECOUPAGE = "https://raw.githubusercontent.com/datagouv/decoupage-administratif/master/sources/"

SOURCES: dict[str, Source] = {
    s.path: s
    for s in [
        Source(
            "geo/cog-communes-2025.csv",
            "Code officiel géographique 2025 — communes",
            "INSEE",
            ETALAB,
            DECOUPAGE + "communes.csv",
            "fb8d44ed1d10056cea8fb62e9d09b260bee61d5cfb8f6c08e19a4a4a6f935a15",
        ),
        Source(
            "geo/cog-departements-2025.csv",
            "Code officiel géographique 2025 — départements",
            "INSEE",
            ETALAB,
            DECOUPAGE + "departements.csv",
            "ab2aa74b5242cfa68ccbb2a67a68c46ca7becc5bd929a9dae5ec3c3cbed417aa",
        ),
        Source(
            "geo/donnees_communes-2023.csv",
            "Populations légales 2023 (millésime COG 2025)",
            "INSEE",
            ETALAB,
            DECOUPAGE + "donnees_communes.csv",
            "ccfe782e04ebde04a1706214157b288a0d055eb3ab913ff9f7bab5a3571f67ab",
        ),
        Source(
            "geo/epcicom-2025.xlsx",
            "Composition communale des EPCI à fiscalité propre au 1er janvier 2025",
            "DGCL",
            ETALAB,
            DECOUPAGE + "epcicom2025.xlsx",
            "40e9171b54af5f16ebc4baa72a08326134e99ec91010da45c89a44b83c547b09",
        ),
        Source(
            "geo/mouvements-communes.csv",
            "Code officiel géographique — événements sur les communes",
            "INSEE",
            ETALAB,
            DECOUPAGE + "mouvements-communes.csv",
            "89be99e24eefa87d68b779089e9a8b6f2b339a586b060ddb1298f673bf5c617f",
        ),
        Source(
            "geo/communes-26-drome-2018.geojson",
            "Contours des communes de la Drôme (Admin Express, COG 2018)",
            "IGN",
            ETALAB,
            "https://raw.githubusercontent.com/gregoiredavid/france-geojson/master/departements/26-drome/communes-26-drome.geojson",
            "4bf3aa5f7ef9ad3959650789e7717ce9c77bfd9eba921e30a1dd23774be114b0",
        ),
        Source(
            "geo/departements-simplifie-2018.geojson",
            "Contours simplifiés des départements (Admin Express, COG 2018)",
            "IGN",
            ETALAB,
            "https://raw.githubusercontent.com/gregoiredavid/france-geojson/master/departements-version-simplifiee.geojson",
            "c08a1ad48299763b50ef649f05a911c1021500c94719a1aa22a9d06191e43fc3",
        ),
    ]
}


class SourceUnavailable(Exception):
    """A data file is neither in the mirror nor in the cache and could not be downloaded."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(source: Source, path: Path) -> Path:
    actual = sha256_of(path)
    if actual != source.sha256:
        raise SourceUnavailable(
            f"{path}: checksum mismatch for {source.title} (expected {source.sha256[:12]}…, got {actual[:12]}…). "
            "The file is corrupted or is a different vintage; remove it and fetch it again."
        )
    return path


def locate(
    relative: str,
    *,
    data_dir: str | Path | None = None,
    cache_dir: str | Path | None = None,
    base_url: str | None = None,
    download: bool = True,
    progress: Callable[[int, int | None], None] | None = None,
) -> Path:
    """Path of a verified copy of an official file, downloading it into the cache if needed."""
    source = SOURCES.get(relative)
    data_dir = data_dir if data_dir is not None else os.environ.get("ATOUT_DATA_DIR") or None
    cache_dir = Path(cache_dir or os.environ.get("ATOUT_CACHE_DIR") or Path.home() / ".cache" / "atout")
    base_url = base_url if base_url is not None else os.environ.get("ATOUT_DATA_URL") or None
    candidates = [Path(data_dir) / relative] if data_dir else []
    candidates.append(cache_dir / relative)
    for candidate in candidates:
        if candidate.is_file():
            return _verify(source, candidate) if source else candidate
    if source is None:
        raise SourceUnavailable(f"{relative}: not found in {' or '.join(map(str, candidates))}")
    if not download:
        raise SourceUnavailable(
            f"{relative} ({source.title}, {source.publisher}) is missing: set ATOUT_DATA_DIR to an offline "
            f"mirror of the official data, or run online to download it from {source.url}."
        )
    url = f"{base_url.rstrip('/')}/{relative}" if base_url else source.url
    return _download(source, url, cache_dir / relative, progress)


def _download(source: Source, url: str, target: Path, progress) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    # Download next to the target, then rename: a cut connection never leaves a truncated file.
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310
            total = int(response.headers.get("Content-Length") or 0) or None
            done = 0
            while block := response.read(1 << 16):
                out.write(block)
                done += len(block)
                if progress:
                    progress(done, total)
        _verify(source, Path(partial))
        shutil.move(partial, target)
        return target
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise SourceUnavailable(f"{source.title}: download from {url} failed ({exc})") from exc
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
