"""The indicator catalogue: YAML files (one per theme) → validated :class:`Indicator` dataclasses.

Each indicator says what it measures (labels and definition in French and English, unit, source,
vintage), how to read it (polarity: +1 higher is better, −1 lower is better, 0 neutral), how it is
computed from raw series so it can be aggregated up the geography (``kind``), and where it sits in the
strategy (OECD attractiveness domain and dimension, target audiences, API axis).

Kinds:

* ``count`` — a sum of raw series, each with a weight (default 1): ``inputs: [NAIS1621, DECE1621]``,
  ``weights: [1, -1]`` is the natural balance. Aggregated by summing.
* ``ratio`` — ``numerator`` / ``denominator`` (codes of ``count`` indicators) × ``scale``. Aggregated by
  recomputing from the summed numerator and denominator, never by averaging rates.
* ``rate_of_change`` — from the ``from`` indicator to the ``to`` indicator over ``years``:
  ``method: cagr`` (compound annual growth, % per year, for counts) or ``difference`` (change in points,
  for ratios). Aggregated by recomputing from aggregated levels.
* ``level`` — a published statistic that cannot be rebuilt from parts (a median, a rate whose
  numerator is not published, a PTOD composite). Never aggregated: an aggregate of it is missing.

``inputs`` lists the raw series (INSEE column names) that feed an indicator at commune level, ``files``
the data files (relative to ``ATOUT_DATA_DIR/indicators``) that hold them, and ``ptod`` the code of the
published département value in the PTOD file, when there is one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .formats.errors import FormatError

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "diagnostic" / "catalogue"

KINDS = ("count", "ratio", "rate_of_change", "level")
POLARITIES = (-1, 0, 1)
#: The six domains of the OECD regional attractiveness framework (OECD 2023, "Rethinking Regional
#: Attractiveness in the New Global Environment").
DOMAINS = {
    "economic_attractiveness": "Economic attractiveness",
    "connectedness": "Connectedness",
    "visitor_appeal": "Visitor appeal",
    "natural_environment": "Natural environment",
    "resident_well_being": "Resident well-being",
    "land_use_housing": "Land use and housing",
}
AUDIENCES = ("talent", "companies", "visitors", "residents")
AXES = ("attractivite", "proximite", "inventivite")
ASPECTS = ("level", "trend")
METHODS = ("cagr", "difference")
LANGUAGES = ("fr", "en")

_REQUIRED = ("code", "label", "long_label", "definition", "unit", "source", "vintage", "polarity", "kind",
             "domain", "dimension", "audiences", "axis")
_KNOWN = set(_REQUIRED) | {"inputs", "weights", "files", "ptod", "numerator", "denominator", "scale", "from", "to",
                           "years", "method", "aspect", "higher", "lower"}


@dataclass(frozen=True)
class Text:
    """A text in French and English."""

    fr: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.fr


@dataclass(frozen=True)
class Indicator:
    """One catalogue indicator. See the module docstring for ``kind`` and its fields."""

    code: str
    theme: str
    label: Text
    long_label: Text
    definition: Text
    unit: str
    source: str
    vintage: str
    polarity: int
    kind: str
    domain: str
    dimension: str
    audiences: tuple[str, ...]
    axis: str
    inputs: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    files: tuple[str, ...] = ()
    ptod: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    from_: str | None = None
    to: str | None = None
    years: float | None = None
    method: str = "cagr"
    aspect: str = "level"
    #: Words for "higher"/"lower" in statements ("plus âgée"/"older"); defaults are generic.
    higher: Text = field(default_factory=lambda: Text("plus élevé", "higher"))
    lower: Text = field(default_factory=lambda: Text("plus faible", "lower"))
    path: str = ""


class Catalogue(Mapping[str, Indicator]):
    """Indicators by code, in file order. A read-only mapping."""

    def __init__(self, indicators: list[Indicator]):
        self._by_code = {i.code: i for i in indicators}

    def __getitem__(self, code: str) -> Indicator:
        return self._by_code[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_code)

    def __len__(self) -> int:
        return len(self._by_code)

    def themes(self) -> list[str]:
        return list(dict.fromkeys(i.theme for i in self.values()))

    def terms(self, code: str) -> dict[str, float]:
        """Raw series → weight of a ``count`` indicator (its linear formula)."""
        indicator = self[code]
        if indicator.kind != "count":
            raise ValueError(f"indicator {code!r} is a {indicator.kind}, not a count")
        weights = indicator.weights or (1.0,) * len(indicator.inputs)
        terms: dict[str, float] = {}
        for series, weight in zip(indicator.inputs, weights, strict=True):
            terms[series] = terms.get(series, 0.0) + float(weight)
        return terms

    def series_of(self, code: str) -> tuple[str, ...]:
        """Every raw series an indicator needs, through numerators, denominators and levels."""
        indicator = self[code]
        if indicator.kind in ("count", "level"):
            return indicator.inputs
        parts = (indicator.numerator, indicator.denominator) if indicator.kind == "ratio" else (indicator.from_,
                                                                                                 indicator.to)
        return tuple(dict.fromkeys(s for part in parts for s in self.series_of(part)))

    def with_ptod(self) -> list[Indicator]:
        """Indicators that have a published PTOD département value."""
        return [i for i in self.values() if i.ptod]


def load_catalogue(directory: str | Path | None = None) -> Catalogue:
    """Load and validate every ``*.yaml`` file of ``directory`` (default: the shipped catalogue).

    Raises FormatError listing every problem, each naming the file and the indicator code.
    """
    directory = Path(directory) if directory is not None else CATALOGUE_DIR
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise FormatError("no catalogue file (*.yaml)", path=directory)
    problems: list[FormatError] = []
    indicators: list[Indicator] = []
    seen: dict[str, str] = {}
    for path in files:
        for indicator in _read_file(path, problems):
            if indicator.code in seen:
                problems.append(FormatError(f"indicator {indicator.code!r}: code already defined in {seen[indicator.code]}",
                                            path=path, column="code"))
                continue
            seen[indicator.code] = path.name
            indicators.append(indicator)
    catalogue = Catalogue(indicators)
    for indicator in indicators:
        _check_references(catalogue, indicator, problems)
    if problems:
        raise FormatError.collect(problems, path=directory)
    return catalogue


def catalogue_from_entries(entries: list[tuple[str, dict]], *, source: str = "entries") -> Catalogue:
    """Build and validate a catalogue from ``(theme, entry)`` pairs shaped like the YAML entries.

    Used when the catalogue lives elsewhere than in YAML files (e.g. edited in a database). ``source``
    names where the entries come from in error messages. Raises FormatError listing every problem,
    exactly as :func:`load_catalogue` does.
    """
    problems: list[FormatError] = []
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for position, (theme, entry) in enumerate(entries, start=1):
        indicator = _parse_entry(Path(source), theme, position, entry, problems)
        if indicator is None:
            continue
        if indicator.code in seen:
            problems.append(FormatError(f"indicator {indicator.code!r}: code defined twice", path=source,
                                        column="code"))
            continue
        seen.add(indicator.code)
        indicators.append(indicator)
    catalogue = Catalogue(indicators)
    for indicator in indicators:
        _check_references(catalogue, indicator, problems)
    if problems:
        raise FormatError.collect(problems, path=source)
    return catalogue


def read_entries(directory: str | Path | None = None) -> list[tuple[str, dict]]:
    """The raw ``(theme, entry)`` pairs of the YAML catalogue files, in file order (not validated)."""
    directory = Path(directory) if directory is not None else CATALOGUE_DIR
    pairs = []
    for path in sorted(directory.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        theme = str(document.get("theme") or path.stem)
        pairs.extend((theme, entry) for entry in document.get("indicators") or [] if isinstance(entry, dict))
    return pairs


def _read_file(path: Path, problems: list[FormatError]) -> list[Indicator]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(FormatError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                                    line=mark.line + 1 if mark else None))
        return []
    if not isinstance(document, dict) or not isinstance(document.get("indicators"), list):
        problems.append(FormatError("expected 'theme' and a list 'indicators'", path=path))
        return []
    theme = str(document.get("theme") or path.stem)
    result = []
    for position, entry in enumerate(document["indicators"], start=1):
        indicator = _parse_entry(path, theme, position, entry, problems)
        if indicator is not None:
            result.append(indicator)
    return result


def _parse_entry(path: Path, theme: str, position: int, entry, problems: list[FormatError]) -> Indicator | None:
    if not isinstance(entry, dict):
        problems.append(FormatError(f"entry {position} is not a mapping", path=path))
        return None
    code = entry.get("code")
    name = f"indicator {code!r}" if isinstance(code, str) and code else f"entry {position}"
    before = len(problems)

    def problem(message: str, field_name: str) -> None:
        problems.append(FormatError(f"{name}: {message}", path=path, column=field_name))

    for key in _REQUIRED:
        if entry.get(key) in (None, "", [], {}):
            problem(f"missing '{key}'", key)
    for key in entry:
        if key not in _KNOWN:
            problem(f"unknown field '{key}'", key)
    texts = {}
    for key in ("label", "long_label", "definition", "higher", "lower"):
        value = entry.get(key)
        if value is None:
            continue
        if not isinstance(value, dict) or any(not isinstance(value.get(lang), str) or not value[lang].strip()
                                              for lang in LANGUAGES):
            problem(f"'{key}' needs non-empty 'fr' and 'en' texts", key)
        else:
            texts[key] = Text(value["fr"].strip(), value["en"].strip())
    polarity = entry.get("polarity")
    if polarity is not None and (isinstance(polarity, bool) or polarity not in POLARITIES):
        problem(f"polarity {polarity!r} is not -1, 0 or 1", "polarity")
    kind = entry.get("kind")
    if kind is not None and kind not in KINDS:
        problem(f"kind {kind!r} is not one of {', '.join(KINDS)}", "kind")
    if entry.get("domain") is not None and entry.get("domain") not in DOMAINS:
        problem(f"domain {entry.get('domain')!r} is not one of {', '.join(DOMAINS)}", "domain")
    audiences = entry.get("audiences") or []
    if not isinstance(audiences, list) or any(a not in AUDIENCES for a in audiences):
        problem(f"audiences {audiences!r} must be a list among {', '.join(AUDIENCES)}", "audiences")
    if entry.get("axis") is not None and entry.get("axis") not in AXES:
        problem(f"axis {entry.get('axis')!r} is not one of {', '.join(AXES)}", "axis")
    inputs = entry.get("inputs") or []
    if not isinstance(inputs, list) or any(not isinstance(s, str) or not s for s in inputs):
        problem("'inputs' must be a list of series names", "inputs")
        inputs = []
    weights = entry.get("weights") or []
    if weights and (not isinstance(weights, list) or len(weights) != len(inputs)
                    or any(isinstance(w, bool) or not isinstance(w, int | float) for w in weights)):
        problem("'weights' must be numbers, one per input", "weights")
        weights = []
    files = entry.get("files") or []
    if not isinstance(files, list):
        problem("'files' must be a list", "files")
        files = []
    ptod = entry.get("ptod")
    if ptod is not None and not isinstance(ptod, str):
        problem("'ptod' must be a PTOD column code", "ptod")
    if kind == "count" and not inputs:
        problem("a count needs 'inputs'", "inputs")
    if kind == "level" and not inputs and not ptod:
        problem("a level needs 'inputs' or 'ptod'", "inputs")
    if kind == "level" and len(inputs) > 1:
        problem("a level has a single input series (it cannot be summed)", "inputs")
    if kind in ("count", "level") and inputs and not files:
        problem("'files' must say which data files hold the inputs", "files")
    if kind == "ratio":
        for key in ("numerator", "denominator"):
            if not isinstance(entry.get(key), str):
                problem(f"a ratio needs '{key}' (an indicator code)", key)
        scale = entry.get("scale", 1)
        if isinstance(scale, bool) or not isinstance(scale, int | float) or scale <= 0:
            problem(f"scale {scale!r} must be a positive number", "scale")
    if kind == "rate_of_change":
        for key in ("from", "to"):
            if not isinstance(entry.get(key), str):
                problem(f"a rate of change needs '{key}' (an indicator code)", key)
        years = entry.get("years")
        if isinstance(years, bool) or not isinstance(years, int | float) or years <= 0:
            problem(f"years {years!r} must be a positive number", "years")
        if entry.get("method", "cagr") not in METHODS:
            problem(f"method {entry.get('method')!r} is not one of {', '.join(METHODS)}", "method")
    aspect = entry.get("aspect", "trend" if kind == "rate_of_change" else "level")
    if aspect not in ASPECTS:
        problem(f"aspect {aspect!r} is not level or trend", "aspect")
    if len(problems) > before:
        return None
    extra = {k: texts[k] for k in ("higher", "lower") if k in texts}
    return Indicator(
        code=code, theme=theme, label=texts["label"], long_label=texts["long_label"],
        definition=texts["definition"], unit=str(entry["unit"]), source=str(entry["source"]),
        vintage=str(entry["vintage"]), polarity=int(polarity), kind=kind, domain=entry["domain"],
        dimension=str(entry["dimension"]), audiences=tuple(audiences), axis=entry["axis"], inputs=tuple(inputs),
        weights=tuple(float(w) for w in weights), files=tuple(str(f) for f in files), ptod=ptod,
        numerator=entry.get("numerator"), denominator=entry.get("denominator"),
        scale=float(entry.get("scale", 1)), from_=entry.get("from"), to=entry.get("to"),
        years=float(entry["years"]) if entry.get("years") is not None else None,
        method=entry.get("method", "cagr"), aspect=aspect, path=str(path), **extra,
    )


def _check_references(catalogue: Catalogue, indicator: Indicator, problems: list[FormatError]) -> None:
    """Numerators, denominators, from/to must name indicators of the right kind; inputs must agree."""
    def problem(message: str, field_name: str) -> None:
        problems.append(FormatError(f"indicator {indicator.code!r}: {message}", path=indicator.path,
                                    column=field_name))

    if indicator.kind == "ratio":
        refs = {"numerator": indicator.numerator, "denominator": indicator.denominator}
        allowed = ("count",)
    elif indicator.kind == "rate_of_change":
        refs = {"from": indicator.from_, "to": indicator.to}
        allowed = ("count",) if indicator.method == "cagr" else ("count", "ratio")
    else:
        return
    resolved = True
    for key, ref in refs.items():
        if ref not in catalogue:
            problem(f"unknown {key} indicator {ref!r}", key)
            resolved = False
        elif catalogue[ref].kind not in allowed:
            problem(f"{key} {ref!r} is a {catalogue[ref].kind}; expected {' or '.join(allowed)}", key)
            resolved = False
    if resolved and indicator.inputs:
        derived = set(catalogue.series_of(indicator.code))
        if set(indicator.inputs) != derived:
            problem(f"inputs {sorted(indicator.inputs)} disagree with the series of its parts {sorted(derived)}",
                    "inputs")
