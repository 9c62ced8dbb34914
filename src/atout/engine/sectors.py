"""Filières (excellence sectors): their NAF rev.2 definition and the figures official files allow.

A filière is defined by NAF rev.2 codes at any level — section (``C``), division (``10``), group
(``10.5``), class (``10.51``) or INSEE sub-class (``10.51C``). The codes are checked against the
nomenclature shipped in ``data/naf-rev2.csv`` (21 sections, 88 divisions, 272 groups, 615 classes,
French labels, written from INSEE's NAF rev.2 structure). A sub-class is accepted when its class exists:
the reference stops at classes, the sub-class letter is INSEE's French refinement.

**What the offline files allow.** Jobs at the place of work (census, INSEE RP 2016 and 2022) and
active establishments (INSEE REE/SIRENE, end 2024) are published by *broad sector* only, the five
groupings of NAF sections used by INSEE (A; B–E; F; G–N and R–U; O–Q). So:

- a filière whose codes cover whole broad sectors (e.g. "Construction" = section F) gets its own
  figures: the sum over those sectors;
- a narrower filière (e.g. leather goods, 15.12) gets **no figure of its own**; the broad sectors that
  contain it are shown as context, each flagged ``part``, and ``missing`` says why.

Figures per broad sector (département): jobs = census total jobs at the place of work (sum of the
communes' ``P16_EMPLT`` / ``P22_EMPLT``) × the sector's share of jobs (PTOD, from INSEE RP); their
annual growth 2016–2022 when both shares exist (PTOD publishes the 2016 share for construction,
trade-services and public-sector groupings only); the share of jobs vs France and the location quotient
(share in the territory / share in France); establishments (``ETAZ24``…) and their share of all
establishments. No national establishment count is offline: the establishment share is not compared
with France (``missing`` says so).

Everything here is plain Python and pandas; no Django.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from .formats.insee import InseeTable
from .formats.ptod import FRANCE_CODE, PtodValues

NAF_FILE = Path(__file__).with_name("data") / "naf-rev2.csv"
LEVELS = ("section", "division", "groupe", "classe", "sous-classe")

JOBS_YEARS = (2016, 2022)
ESTABLISHMENTS_YEAR = 2024
PTOD_FILE = "indicators/departements-indicateurs-ptod.json"
INSEE_FILE = "indicators/insee/base_cc_comparateur_2025_dep26.csv"


@dataclass(frozen=True)
class BroadSector:
    """One of INSEE's five broad sectors (NAF sections grouped), with the series that describe it."""

    code: str
    label: str
    sections: frozenset[str]
    ptod: str  # PTOD share of jobs, without the period suffix
    establishments: str  # INSEE comparateur series of active establishments


BROAD_SECTORS: tuple[BroadSector, ...] = (
    BroadSector("AZ", "Agriculture, sylviculture et pêche", frozenset("A"), "eco_sectagri_pct", "ETAZ24"),
    BroadSector("BE", "Industrie", frozenset("BCDE"), "eco_sectindus_pct", "ETBE24"),
    BroadSector("FZ", "Construction", frozenset("F"), "eco_sectconst_pct", "ETFZ24"),
    BroadSector("GU", "Commerce, transports et services divers", frozenset("GHIJKLMNRSTU"), "eco_sectservi_pct", "ETGU24"),
    BroadSector("OQ", "Administration publique, enseignement, santé humaine et action sociale", frozenset("OPQ"),
                "eco_sectadmin_pct", "ETOQ24"),
)
SECTOR_OF_SECTION = {section: sector for sector in BROAD_SECTORS for section in sector.sections}

# Why a figure is absent (the application words them for people).
FINER_THAN_SECTORS = "finer_than_broad_sectors"
NO_TREND = "no_jobs_trend"  # the 2016 share of this broad sector is not published offline
NO_FRANCE_ESTABLISHMENTS = "no_france_establishments"
NO_DATA = "no_territory_data"


class NafError(ValueError):
    """A NAF code that is not in the reference, or not written as one.

    ``raw``: the code as given; ``kind``: ``empty``, ``malformed``, ``letter`` (a sub-class letter after
    fewer than four digits) or ``unknown``; ``level``: the level it was read as (``unknown`` only).
    """

    def __init__(self, message: str, *, raw: str = "", kind: str = "malformed", level: str = ""):
        super().__init__(message)
        self.raw, self.kind, self.level = raw, kind, level


@dataclass(frozen=True)
class NafItem:
    code: str
    level: str
    label: str


# "A"; "01"; "01.1" / "011"; "01.11" / "0111"; "01.11Z" / "0111Z" (dots and case optional).
_SECTION = re.compile(r"^[A-U]$")
_DIGITS = re.compile(r"^(?P<digits>\d{2,4})(?P<letter>[A-Z])?$")


@dataclass(frozen=True)
class NafReference:
    """The NAF rev.2 nomenclature down to classes: ``items`` by normalised code (``01.11``)."""

    items: dict[str, NafItem]

    def normalize(self, raw: str) -> str:
        """The canonical form of a code (``0111z`` → ``01.11Z``), or NafError naming the problem."""
        text = str(raw).strip().upper().replace(" ", "")
        if not text:
            raise NafError("empty code", raw=str(raw), kind="empty")
        if _SECTION.match(text):
            code = text
        else:
            match = _DIGITS.match(text.replace(".", ""))
            if not match:
                raise NafError(f"{raw!r} is not a NAF rev.2 code (expected e.g. C, 10, 10.5, 10.51 or 10.51C)",
                               raw=str(raw))
            digits, letter = match.group("digits"), match.group("letter")
            if letter and len(digits) != 4:
                raise NafError(f"{raw!r}: a sub-class letter follows a four-digit class (e.g. 10.51C)", raw=str(raw),
                               kind="letter")
            code = digits if len(digits) == 2 else f"{digits[:2]}.{digits[2:]}"
            if letter:
                code += letter
        lookup = code[:-1] if code[-1].isalpha() and len(code) > 1 else code
        if lookup not in self.items:
            level = self.level_of(code)
            raise NafError(f"{raw!r}: no such {level} in NAF rev.2", raw=str(raw), kind="unknown", level=level)
        return code

    @staticmethod
    def level_of(code: str) -> str:
        if _SECTION.match(code):
            return "section"
        digits = code.replace(".", "")
        if digits[-1].isalpha():
            return "sous-classe"
        return {2: "division", 3: "groupe", 4: "classe"}[len(digits)]

    def label(self, code: str) -> str:
        """French label; a sub-class takes its class's label."""
        item = self.items.get(code) or self.items.get(code[:-1])
        return item.label if item else ""

    def section_of(self, code: str) -> str:
        if _SECTION.match(code):
            return code
        return self._section_of_division[code[:2]]

    def divisions_of(self, section: str) -> list[str]:
        return [d for d, s in self._section_of_division.items() if s == section]

    @cached_property
    def _section_of_division(self) -> dict[str, str]:
        mapping, section = {}, None
        for code, item in self.items.items():  # file order: a section precedes its divisions
            if item.level == "section":
                section = code
            elif item.level == "division":
                mapping[code] = section
        return mapping

    def check(self, codes: Iterable[str]) -> tuple[list[str], list[NafError]]:
        """Normalise codes, dropping duplicates → (codes in the order given, problems)."""
        result, problems = [], []
        for raw in codes:
            try:
                code = self.normalize(raw)
            except NafError as exc:
                problems.append(exc)
                continue
            if code not in result:
                result.append(code)
        return result, problems


def read_naf(path: str | Path = NAF_FILE, *, text: str | None = None) -> NafReference:
    """Read the NAF reference CSV (``code,niveau,libelle``)."""
    content = text if text is not None else Path(path).read_text(encoding="utf-8")
    items: dict[str, NafItem] = {}
    for number, row in enumerate(csv.DictReader(io.StringIO(content)), start=2):
        code, level, label = ((row.get(k) or "").strip() for k in ("code", "niveau", "libelle"))
        if level not in LEVELS[:4] or not code or not label:
            raise NafError(f"{path}: line {number}: expected code, niveau (section…classe) and libelle")
        items[code] = NafItem(code, level, label)
    return NafReference(items)


def split_codes(text: str) -> list[str]:
    """Codes typed in one field: separated by commas, semicolons, spaces or new lines."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


# --- coverage of the broad sectors -------------------------------------------------------------


def coverage(codes: Iterable[str], naf: NafReference) -> dict[str, str]:
    """Broad sector code → ``whole`` when the codes cover every division of its sections, else ``part``.

    Only broad sectors the codes touch appear. A section covers all its divisions; a group, class or
    sub-class covers part of its division.
    """
    whole_divisions: set[str] = set()
    touched: set[str] = set()
    for code in codes:
        section = naf.section_of(code)
        touched.add(SECTOR_OF_SECTION[section].code)
        if naf.level_of(code) == "section":
            whole_divisions.update(naf.divisions_of(section))
        elif naf.level_of(code) == "division":
            whole_divisions.add(code)
    result = {}
    for sector in BROAD_SECTORS:
        if sector.code not in touched:
            continue
        divisions = [d for s in sorted(sector.sections) for d in naf.divisions_of(s)]
        result[sector.code] = "whole" if set(divisions) <= whole_divisions else "part"
    return result


# --- the figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectorData:
    """Broad-sector figures of one département and of France, read from the official files.

    ``jobs_total``: {year: census jobs at the place of work in the département}; ``shares``:
    {(area, sector code, year): % of jobs}, area ``territory`` or ``france``; ``establishments``:
    {sector code: active establishments at the end of ``ESTABLISHMENTS_YEAR``}; ``sources``: the words
    to cite.
    """

    territory: str
    jobs_total: dict[int, float]
    shares: dict[tuple[str, str, int], float]
    establishments: dict[str, float]
    establishments_total: float | None
    sources: dict[str, str] = field(default_factory=dict)


SOURCES = {
    "jobs": "INSEE, recensement de la population 2016 et 2022 : emplois au lieu de travail (base du comparateur "
            "de territoires 2025)",
    "shares": "Part des emplois par grand secteur : PTOD, observatoire territorial, calculée à partir du "
              "recensement INSEE (2016 et 2022)",
    "establishments": "INSEE, REE/SIRENE : établissements actifs au 31 décembre 2024 par grand secteur "
                      "(base du comparateur de territoires 2025)",
}


def _value(frame: pd.DataFrame, row: str, column: str) -> float | None:
    if row not in frame.index or column not in frame.columns:
        return None
    value = frame.at[row, column]
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def read_sector_data(ptod: PtodValues, insee: InseeTable, departement: str) -> SectorData | None:
    """The broad-sector figures of a département, or None when the files hold nothing for it.

    ``insee`` holds communes (INSEE comparateur); the département's figures are the sums over its
    communes (code starting with the département code). A commune with a missing value is left out of
    that sum (it is a merged commune without figures in the 2025 edition).
    """
    communes = insee.wide()
    communes = communes[communes.index.str.startswith(departement)]
    wide = ptod.wide()
    if communes.empty or departement not in wide.index:
        return None

    def total(series: str) -> float | None:
        if series not in communes.columns or communes[series].notna().sum() == 0:
            return None
        return float(communes[series].sum(skipna=True))

    jobs = {year: total(f"P{year % 100:02d}_EMPLT") for year in JOBS_YEARS}
    shares = {}
    for sector in BROAD_SECTORS:
        for year in JOBS_YEARS:
            for area, code in (("territory", departement), ("france", FRANCE_CODE)):
                value = _value(wide, code, f"{sector.ptod}_{year % 100:02d}")
                if value is not None:
                    shares[(area, sector.code, year)] = value
    establishments = {s.code: v for s in BROAD_SECTORS if (v := total(s.establishments)) is not None}
    return SectorData(territory=departement, jobs_total={y: v for y, v in jobs.items() if v is not None},
                      shares=shares, establishments=establishments,
                      establishments_total=total(f"ETTOT{ESTABLISHMENTS_YEAR % 100:02d}"), sources=dict(SOURCES))


def _rate(start: float | None, end: float | None, years: int) -> float | None:
    """Mean annual growth in % (compound), or None."""
    if start is None or end is None or start <= 0 or years <= 0:
        return None
    return ((end / start) ** (1 / years) - 1) * 100


def sector_figures(sector: BroadSector, data: SectorData) -> dict:
    """The figures of one broad sector: jobs by year, share vs France, location quotient, trend, establishments."""
    first, last = JOBS_YEARS
    share = {year: data.shares.get(("territory", sector.code, year)) for year in JOBS_YEARS}
    france = {year: data.shares.get(("france", sector.code, year)) for year in JOBS_YEARS}
    jobs = {year: (share[year] / 100 * data.jobs_total[year]
                   if share[year] is not None and data.jobs_total.get(year) is not None else None)
            for year in JOBS_YEARS}
    establishments = data.establishments.get(sector.code)
    missing = []
    if jobs[first] is None:
        missing.append(NO_TREND)
    missing.append(NO_FRANCE_ESTABLISHMENTS)
    return {
        "code": sector.code, "label": sector.label,
        "jobs": jobs, "share": share, "france_share": france,
        "location_quotient": (share[last] / france[last] if share[last] is not None and france[last] else None),
        "jobs_annual_growth": _rate(jobs[first], jobs[last], last - first),
        "share_change": (share[last] - share[first] if share[first] is not None and share[last] is not None else None),
        "france_share_change": (france[last] - france[first]
                                if france[first] is not None and france[last] is not None else None),
        "establishments": establishments,
        "establishments_share": (establishments / data.establishments_total * 100
                                 if establishments is not None and data.establishments_total else None),
        "missing": missing,
    }


def _sum(values: list[float | None]) -> float | None:
    return None if not values or any(v is None for v in values) else sum(values)


def filiere_indicators(codes: Iterable[str], naf: NafReference, data: SectorData | None) -> dict:
    """What the offline files say about a filière defined by (normalised) NAF codes.

    Returns ``{"codes", "coverage", "own_figures", "filiere", "sectors", "missing", "sources"}``:
    ``sectors`` lists the broad sectors the codes touch (figures of the whole sector, with its
    ``coverage``); ``filiere`` holds the filière's own figures when every touched sector is covered
    whole (``own_figures``), else None with ``finer_than_broad_sectors`` in ``missing``.
    """
    codes = list(codes)
    covered = coverage(codes, naf)
    result = {"codes": codes, "coverage": covered, "own_figures": False, "filiere": None, "sectors": [],
              "missing": [], "sources": dict(data.sources) if data else {}}
    if not codes:
        return result
    if data is None:
        result["missing"].append(NO_DATA)
        return result
    sectors = [sector_figures(s, data) | {"coverage": covered[s.code]} for s in BROAD_SECTORS if s.code in covered]
    result["sectors"] = sectors
    if all(c == "whole" for c in covered.values()):
        result["own_figures"] = True
        result["filiere"] = _combined(sectors, data)
    else:
        result["missing"].append(FINER_THAN_SECTORS)
    return result


def _combined(sectors: list[dict], data: SectorData) -> dict:
    """Figures of a filière made of whole broad sectors: sums of jobs, shares and establishments."""
    first, last = JOBS_YEARS
    jobs = {year: _sum([s["jobs"][year] for s in sectors]) for year in JOBS_YEARS}
    share = {year: _sum([s["share"][year] for s in sectors]) for year in JOBS_YEARS}
    france = {year: _sum([s["france_share"][year] for s in sectors]) for year in JOBS_YEARS}
    establishments = _sum([s["establishments"] for s in sectors])
    missing = sorted({m for s in sectors for m in s["missing"]})
    return {
        "jobs": jobs, "share": share, "france_share": france,
        "location_quotient": share[last] / france[last] if share[last] is not None and france[last] else None,
        "jobs_annual_growth": _rate(jobs[first], jobs[last], last - first),
        "establishments": establishments,
        "establishments_share": (establishments / data.establishments_total * 100
                                 if establishments is not None and data.establishments_total else None),
        "missing": missing,
    }
