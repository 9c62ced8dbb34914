"""Perception vs reality: what respondents say about their territory next to what the statistics show.

A *perception item* is a survey question with what counts as agreeing ("On peut y trouver un emploi":
answers 4 or 5 on a 1–5 scale) matched with one or more catalogue indicators, each with its direction
(higher is better or lower is better). The mapping is plain YAML (:func:`parse_mapping`); the
comparison is :func:`compare` on plain numbers, so the rule can be tested without a database.

The rule, per sub-territory *z*, item and indicator (documented in docs/methods/perception.md):

* **Perception**: share of respondents of *z* agreeing, with its 95 % Wilson interval on the
  (Kish effective) base; suppressed (not shown, never flagged) under ``k`` = 10 respondents.
  It is *below* (*above*) the others when its interval lies entirely below (above) the interval of
  the respondents of the other sub-territories pooled. Overlapping intervals: no difference claimed.
* **Reality**: the indicator's standardised gap, oriented so that positive is better:
  ``g = direction × (value_z − value_territory) / sd(values of the sub-territories)``.
  *Better than average* when ``g ≥ threshold`` (default 0.5 standard deviation), *worse* when
  ``g ≤ −threshold``, *close to average* otherwise (or when a value is missing).
* **Flag**: perception below and reality better → ``perception_worse`` ("perception worse than
  reality"); perception above and reality worse → ``perception_better`` ("perception better than
  reality"); both in the same direction → ``consistent``; anything else (overlap, close to average,
  suppressed or missing) → ``none``. A flag is never raised without a significant perception gap.

For the whole territory the same rule reads the share against the midpoint (interval entirely above
or below 50 %) and the indicator against France (relative gap beyond ``france_tolerance``, default 5 %).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import yaml

from .formats.errors import FormatError
from .surveystats import DEFAULT_K, wilson_interval

#: Standardised gap (in standard deviations of the sub-territories' values) beyond which an indicator
#: reads as better or worse than the territory average.
THRESHOLD = 0.5
#: Relative gap to France beyond which the whole territory's indicator reads as better or worse.
FRANCE_TOLERANCE = 0.05

FLAGS = ("perception_worse", "perception_better", "consistent", "none")
FLAG_TEXT = {
    "perception_worse": ("Perception plus sombre que la réalité", "Perception worse than reality"),
    "perception_better": ("Perception plus flatteuse que la réalité", "Perception better than reality"),
    "consistent": ("Perception conforme aux statistiques", "Perception consistent with the statistics"),
    "none": ("Pas d'écart établi", "No established gap"),
}
DIRECTIONS = {"higher_is_better": 1, "lower_is_better": -1}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# ------------------------------------------------------------------------------------------ mapping


@dataclass
class IndicatorLink:
    """A catalogue indicator matched with a perception item; ``direction`` +1 (higher is better) or −1."""

    code: str
    direction: int


@dataclass
class PerceptionItem:
    """A survey question, the answer codes that mean agreeing, and the indicators it is read against."""

    key: str
    question: str
    agree: list[str]
    label: str
    indicators: list[IndicatorLink]
    axis: str = ""
    domain: str = ""


@dataclass
class Mapping_:
    """A parsed mapping: the survey it reads and its items."""

    survey: str
    items: list[PerceptionItem]
    swot_questions: dict[str, str] = field(default_factory=dict)  # multiple choice question → "S" or "W"
    classes: dict[str, dict] = field(default_factory=dict)  # "question", "question:option", "code:<name>" → axis, domain
    open_questions: dict[str, str] = field(default_factory=dict)  # open question → "S" (what attracts) or "W" (what holds back)


def parse_mapping(text: str, *, source: str = "mapping", polarity: Mapping[str, int] | None = None,
                  known: Sequence[str] | None = None) -> Mapping_:
    """Read a perception mapping (YAML) → :class:`Mapping_`; raises :class:`FormatError` naming the place.

    Shape::

        survey: perception-drome
        swot_questions: {atouts: S, faiblesses: W}      # optional
        open_questions: {attractive: S, freins: W}       # optional: open questions whose themes are S or W
        classes:                                         # optional: axis and OECD domain of SWOT proposals
          "atouts:nature": {axis: attractivite, domain: natural_environment}
          "code:Mobilités": {domain: connectedness}
        items:
          - question: hex_potential_emploi
            label: "On peut y trouver un emploi"
            agree: ["4", "5"]
            axis: attractivite                            # optional
            domain: economic_attractiveness               # optional
            indicators:
              - unemployment_rate                          # direction from the catalogue's polarity
              - {code: employment_growth, direction: higher_is_better}

    ``polarity`` (catalogue code → −1/0/+1) gives the default direction and must be non-zero when no
    direction is written; ``known`` lists the catalogue codes (unknown codes are errors).
    """
    try:
        data = yaml.load(text, Loader=_LOADER) or {}  # noqa: S506 - a safe loader (C when available)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FormatError(f"{source}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    if not isinstance(data, dict):
        raise FormatError(f"{source}: expected a mapping with 'survey' and 'items'")
    errors = []
    survey = data.get("survey")
    if not isinstance(survey, str) or not survey:
        errors.append(f"{source}, 'survey': the survey identifier (slug) is required")
    swot = data.get("swot_questions") or {}
    if not isinstance(swot, dict) or any(v not in ("S", "W") for v in swot.values()):
        errors.append(f"{source}, 'swot_questions': expected {{question: S or W}}")
        swot = {}
    open_questions = data.get("open_questions") or {}
    if not isinstance(open_questions, dict) or any(v not in ("S", "W") for v in open_questions.values()):
        errors.append(f"{source}, 'open_questions': expected {{question: S or W}}")
        open_questions = {}
    classes = data.get("classes") or {}
    if not isinstance(classes, dict) or any(not isinstance(v, dict) or set(v) - {"axis", "domain"}
                                            for v in classes.values()):
        errors.append(f"{source}, 'classes': expected {{key: {{axis: …, domain: …}}}}")
        classes = {}
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        errors.append(f"{source}, 'items': a non-empty list is required")
        raw_items = []
    items, seen = [], set()
    for index, raw in enumerate(raw_items, start=1):
        place = f"{source}, items[{index}]"
        if not isinstance(raw, dict):
            errors.append(f"{place}: expected a mapping")
            continue
        question = raw.get("question")
        if not isinstance(question, str) or not question:
            errors.append(f"{place}, 'question': required")
            continue
        key = str(raw.get("key") or question)
        if key in seen:
            errors.append(f"{place}, 'key': {key!r} appears twice (give each item its own key)")
        seen.add(key)
        agree = raw.get("agree")
        if not isinstance(agree, list) or not agree:
            errors.append(f"{place}, 'agree': list the answer codes that mean agreeing, e.g. [\"4\", \"5\"]")
            agree = []
        links = []
        raw_indicators = raw.get("indicators")
        if not isinstance(raw_indicators, list) or not raw_indicators:
            errors.append(f"{place}, 'indicators': at least one catalogue indicator is required")
            raw_indicators = []
        for j, entry in enumerate(raw_indicators, start=1):
            where = f"{place}, indicators[{j}]"
            code, direction = (entry, None) if isinstance(entry, str) else (
                (entry.get("code"), entry.get("direction")) if isinstance(entry, dict) else (None, None))
            if not isinstance(code, str) or not code:
                errors.append(f"{where}: expected a catalogue code or {{code, direction}}")
                continue
            if known is not None and code not in known:
                errors.append(f"{where}: unknown catalogue indicator {code!r}")
                continue
            if direction is None:
                sign = (polarity or {}).get(code, 0)
                if sign == 0:
                    errors.append(f"{where}: {code!r} has no polarity in the catalogue; write "
                                  "direction: higher_is_better or lower_is_better")
                    continue
            elif direction in DIRECTIONS:
                sign = DIRECTIONS[direction]
            else:
                errors.append(f"{where}, 'direction': {direction!r} is not higher_is_better or lower_is_better")
                continue
            links.append(IndicatorLink(code, int(sign)))
        items.append(PerceptionItem(key=key, question=question, agree=[str(a) for a in agree],
                                    label=str(raw.get("label") or question), indicators=links,
                                    axis=str(raw.get("axis") or ""), domain=str(raw.get("domain") or "")))
    if errors:
        raise FormatError(f"{len(errors)} problem(s) in {source}:\n  - " + "\n  - ".join(errors))
    return Mapping_(survey=survey, items=items, swot_questions={str(k): v for k, v in swot.items()},
                    classes={str(k): {"axis": str(v.get("axis") or ""), "domain": str(v.get("domain") or "")}
                             for k, v in classes.items()},
                    open_questions={str(k): v for k, v in open_questions.items()})


# --------------------------------------------------------------------------------------- perception


@dataclass
class Share:
    """Share agreeing (0–1) with its 95 % Wilson interval on the effective base; None when suppressed.

    ``n``: respondents who answered; ``agree``: of them, those agreeing (unweighted counts);
    ``n_effective``: Kish effective base used for the interval (``n`` when unweighted)."""

    share: float | None
    low: float | None
    high: float | None
    n: int
    agree: int | None
    n_effective: float
    suppressed: bool

    @property
    def margin(self) -> float | None:
        """Half-width of the interval, as a proportion."""
        return None if self.suppressed else (self.high - self.low) / 2


def share(agree: int, n: int, *, agree_weight: float | None = None, weight: float | None = None,
          weight_sq: float | None = None, k: int = DEFAULT_K) -> Share:
    """The share agreeing from totals: ``agree`` of ``n`` respondents, optionally weighted (sum of the
    weights of those agreeing, of all, and of the squared weights). Suppressed when ``n < k``."""
    if n < k or n == 0:
        return Share(None, None, None, int(n), None, float(n), True)
    if weight is None:
        p, n_eff = agree / n, float(n)
    else:
        if weight <= 0:
            return Share(None, None, None, int(n), None, 0.0, True)
        p = float(agree_weight) / weight
        n_eff = weight**2 / weight_sq if weight_sq else 0.0
    low, high = wilson_interval(p, n_eff)
    return Share(float(p), low, high, int(n), int(agree), float(n_eff), False)


def perception_gap(zone: Share, others: Share) -> str:
    """``below``, ``above`` or ``none``: the zone's interval entirely below / above the others'."""
    if zone.suppressed or others.suppressed:
        return "none"
    if zone.high < others.low:
        return "below"
    if zone.low > others.high:
        return "above"
    return "none"


def midpoint_gap(whole: Share, midpoint: float = 0.5) -> str:
    """``below``/``above``/``none``: the whole territory's interval entirely below / above the midpoint."""
    if whole.suppressed:
        return "none"
    if whole.high < midpoint:
        return "below"
    if whole.low > midpoint:
        return "above"
    return "none"


# -------------------------------------------------------------------------------------------- reality


@dataclass
class Standing:
    """Where a sub-territory's indicator value stands among the sub-territories.

    ``gap``: oriented standardised gap to the territory value (positive = better); ``rank``: 1 = best
    among ``of`` sub-territories with a value; ``reading``: better / worse / average / missing."""

    value: float | None
    territory_value: float | None
    gap: float | None
    rank: int | None
    of: int
    reading: str


def standings(values: Mapping[str, float | None], territory_value: float | None, direction: int, *,
              threshold: float = THRESHOLD) -> dict[str, Standing]:
    """Standing of each sub-territory (key → value, None when missing) against the territory value."""
    present = {z: float(v) for z, v in values.items() if v is not None and not math.isnan(v)}
    sd = _sd(list(present.values()))
    ordered = sorted(present, key=lambda z: -direction * present[z])
    rank = {z: i + 1 for i, z in enumerate(ordered)}
    result = {}
    for zone in values:
        if zone not in present or territory_value is None or not sd:
            result[zone] = Standing(present.get(zone), territory_value, None, rank.get(zone), len(present),
                                    "missing" if zone not in present or territory_value is None else "average")
            continue
        gap = direction * (present[zone] - territory_value) / sd
        reading = "better" if gap >= threshold else ("worse" if gap <= -threshold else "average")
        result[zone] = Standing(present[zone], territory_value, gap, rank[zone], len(present), reading)
    return result


def france_reading(value: float | None, france: float | None, direction: int, *,
                   tolerance: float = FRANCE_TOLERANCE) -> tuple[float | None, str]:
    """(oriented relative gap to France, reading) for the whole territory."""
    if value is None or france is None or france == 0:
        return None, "missing"
    gap = direction * (value - france) / abs(france)
    return gap, ("better" if gap > tolerance else "worse" if gap < -tolerance else "average")


def _sd(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def flag(perception: str, reality: str) -> str:
    """The divergence flag from a perception gap (below/above/none) and a reality reading."""
    if perception == "below" and reality == "better":
        return "perception_worse"
    if perception == "above" and reality == "worse":
        return "perception_better"
    if (perception, reality) in (("below", "worse"), ("above", "better")):
        return "consistent"
    return "none"


# -------------------------------------------------------------------------------------------- compare


def compare(item: PerceptionItem, *, zones: Mapping[str, Share], others: Mapping[str, Share], whole: Share,
            values: Mapping[str, Mapping[str, float | None]], territory: Mapping[str, float | None],
            france: Mapping[str, float | None], threshold: float = THRESHOLD,
            tolerance: float = FRANCE_TOLERANCE) -> dict:
    """One item compared per sub-territory and for the whole territory.

    Inputs: the agreement :class:`Share` of each zone (key → Share), of the respondents of the *other*
    zones for each zone, and of all respondents; indicator values per indicator code and zone key, for
    the territory and for France. Output::

        {"key", "question", "label", "whole": {"perception", "gap", "indicators": [...]},
         "zones": [{"zone", "perception", "gap", "others", "indicators": [{"code", "direction", "value",
                    "territory", "gap", "rank", "of", "reading", "flag"}], "flag"}]}

    A zone's ``flag`` is the most telling of its indicators' flags (a divergence before ``consistent``
    before ``none``).
    """
    rows = []
    standing_of = {link.code: standings(values.get(link.code, {}), territory.get(link.code), link.direction,
                                        threshold=threshold) for link in item.indicators}
    for zone, zone_share in zones.items():
        gap = perception_gap(zone_share, others[zone])
        indicators = []
        for link in item.indicators:
            standing = standing_of[link.code].get(zone) or Standing(None, territory.get(link.code), None, None, 0,
                                                                    "missing")
            indicators.append({"code": link.code, "direction": link.direction, **asdict(standing),
                               "flag": flag(gap, standing.reading)})
        rows.append({"zone": zone, "perception": asdict(zone_share), "others": asdict(others[zone]), "gap": gap,
                     "indicators": indicators, "flag": _strongest(i["flag"] for i in indicators)})
    whole_gap = midpoint_gap(whole)
    whole_indicators = []
    for link in item.indicators:
        rel, reading = france_reading(territory.get(link.code), france.get(link.code), link.direction,
                                      tolerance=tolerance)
        whole_indicators.append({"code": link.code, "direction": link.direction, "value": territory.get(link.code),
                                 "france": france.get(link.code), "gap": rel, "reading": reading,
                                 "flag": flag(whole_gap, reading)})
    return {"key": item.key, "question": item.question, "label": item.label, "axis": item.axis, "domain": item.domain,
            "whole": {"perception": asdict(whole), "gap": whole_gap, "indicators": whole_indicators,
                      "flag": _strongest(i["flag"] for i in whole_indicators)},
            "zones": rows}


def _strongest(flags) -> str:
    found = list(flags)
    for candidate in ("perception_worse", "perception_better", "consistent"):
        if candidate in found:
            return candidate
    return "none"


def pooled(shares: Sequence[tuple[int, int, float, float, float]], *, k: int = DEFAULT_K) -> Share:
    """A :class:`Share` from several cells ``(n, agree, weight, agree_weight, weight_sq)`` pooled."""
    n = sum(s[0] for s in shares)
    agree = sum(s[1] for s in shares)
    w = sum(s[2] for s in shares)
    aw = sum(s[3] for s in shares)
    w2 = sum(s[4] for s in shares)
    return share(agree, n, agree_weight=aw, weight=w, weight_sq=w2, k=k)
