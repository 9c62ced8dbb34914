"""Perception vs reality for a process: survey agreement per sub-territory and segment (SQL sums) next to
the matched catalogue indicators (``diagnostic.analysis``), compared by :mod:`atout.engine.perception`.

The mapping is YAML stored per process (:class:`~atout.strategy.models.PerceptionMap`, editable by the
team in the admin); the Drôme demo installs ``data/perception-drome.yaml``.
"""

from __future__ import annotations

import math
from pathlib import Path

from django.db import connection
from django.urls import reverse

from atout.consultation.models import Answer, Response, Survey
from atout.consultation.results import is_weighted
from atout.diagnostic.analysis import figures, published_values
from atout.diagnostic.catalogue_store import current_catalogue
from atout.engine import perception as engine
from atout.territories.models import Level

DEMO_FILE = Path(__file__).with_name("data") / "perception-drome.yaml"
#: Segments of the perception side (Response field → label); zones are always there.
SEGMENTS = {"age_band": "Tranche d'âge", "sex": "Sexe", "profile_status": "Statut"}
K = engine.DEFAULT_K


def parse(text: str, *, source: str = "mapping") -> engine.Mapping_:
    """A mapping checked against the process-wide catalogue (codes exist, directions known)."""
    catalogue = current_catalogue()
    return engine.parse_mapping(text, source=source, polarity={c: i.polarity for c, i in catalogue.items()},
                                known=list(catalogue))


def mapping_of(process) -> engine.Mapping_ | None:
    """The process's mapping, or None when it has none. Raises FormatError when it no longer parses."""
    from .models import PerceptionMap

    stored = PerceptionMap.objects.filter(process=process).first()
    return parse(stored.text, source=f"perception mapping of {process.slug}") if stored else None


def install_demo(process):
    """Store the demo's mapping for ``process`` (replacing an earlier example, never a team's own)."""
    from .models import PerceptionMap

    text = DEMO_FILE.read_text(encoding="utf-8")
    parse(text, source=DEMO_FILE.name)
    found = PerceptionMap.objects.filter(process=process).first()
    if found is not None and not found.example:
        return found
    found, _created = PerceptionMap.objects.update_or_create(process=process, defaults={"text": text, "example": True})
    return found


# ------------------------------------------------------------------------------------------ survey side


def agreement_cells(survey, question: str, agree: list[str], segment: str, weighted: bool) -> list[tuple]:
    """Sums per (zone code, segment value) of the submitted responses that answered ``question``:
    ``(zone, segment, n, agree, sum w, sum w·agree, sum w²)``. A respondent agrees when one of their
    answers to the question has a code in ``agree`` (so multiple choice questions count once)."""
    if segment not in SEGMENTS:
        raise ValueError(f"unknown segment {segment!r}: {', '.join(SEGMENTS)}")
    answer_table, response_table = Answer._meta.db_table, Response._meta.db_table
    territory_table = Response._meta.get_field("zone").related_model._meta.db_table
    weight = "r.weight" if weighted else "1.0"
    codes = ", ".join(["%s"] * len(agree))
    sql = f"""
        SELECT t.code, r.{segment}, COUNT(*), SUM(s.hit), SUM({weight}), SUM({weight} * s.hit), SUM({weight} * {weight})
        FROM (SELECT response_id, MAX(CASE WHEN choice IN ({codes}) THEN 1 ELSE 0 END) AS hit FROM {answer_table}
              WHERE survey_id = %s AND question = %s GROUP BY response_id) s
        JOIN {response_table} r ON r.id = s.response_id
        LEFT JOIN {territory_table} t ON t.id = r.zone_id
        WHERE r.status = %s {"AND r.weight IS NOT NULL" if weighted else ""}
        GROUP BY t.code, r.{segment}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*agree, survey.pk, question, Response.Status.SUBMITTED])
        return [(zone or "", seg or "", int(n), int(hits or 0), float(w or 0), float(aw or 0), float(w2 or 0))
                for zone, seg, n, hits, w, aw, w2 in cursor.fetchall()]


def _pool(cells, k=K) -> engine.Share:
    return engine.pooled([(c[2], c[3], c[4], c[5], c[6]) for c in cells], k=k)


# ------------------------------------------------------------------------------------------- the table


def perception_table(process, *, segment: str = "age_band", mapping: engine.Mapping_ | None = None) -> dict:
    """Every item of the mapping compared per sub-territory and for the whole territory.

    Returns ``{"process", "survey": {slug, title, n, weighted, simulated, url}, "segment", "zones": [{code,
    name, key, url}], "indicators": {code: {label, unit, source, url}}, "items": [compare() + "segments"]}``.
    Raises ValueError when the process has no mapping or the survey it names does not exist.
    """
    from atout.engine.formats.ptod import FRANCE_CODE

    mapping = mapping or mapping_of(process)
    if mapping is None:
        raise ValueError(f"process {process.slug!r} has no perception mapping (admin: « correspondances perception et réalité »)")
    survey = Survey.objects.filter(process=process, slug=mapping.survey).first()
    if survey is None:
        raise ValueError(f"perception mapping: no survey {mapping.survey!r} in process {process.slug!r}")
    weighted = is_weighted(survey)
    zones = list(process.subterritories.filter(level=Level.ZONE).order_by("name"))
    catalogue = current_catalogue()
    codes = list(dict.fromkeys(link.code for item in mapping.items for link in item.indicators))
    table = figures([*zones, process.territory], codes, catalogue=catalogue)
    published = published_values(catalogue, codes)
    france_row = published.loc[FRANCE_CODE] if not published.empty and FRANCE_CODE in published.index else None
    france = {c: _number(france_row.get(c)) if france_row is not None else None for c in codes}
    values = {c: {z.code: table[z.pk, c].value for z in zones} for c in codes}
    territory = {c: table[process.territory.pk, c].value for c in codes}
    indicators = {}
    for c in codes:
        entry = catalogue[c]
        indicators[c] = {"code": c, "label": entry.label.fr, "unit": entry.unit, "vintage": entry.vintage,
                         "source": table[process.territory.pk, c].source,
                         "url": reverse("diagnostic:indicator", kwargs={"slug": process.slug, "code": c}) + "?niveau=zone"}
    segment_labels = dict(Response._meta.get_field(segment).choices or [])
    items = []
    for item in mapping.items:
        cells = agreement_cells(survey, item.question, item.agree, segment, weighted)
        by_zone = {z.code: [c for c in cells if c[0] == z.code] for z in zones}
        zone_shares = {code: _pool(found) for code, found in by_zone.items()}
        others = {code: _pool([c for c in cells if c[0] and c[0] != code]) for code in by_zone}
        whole = _pool(cells)
        row = engine.compare(item, zones=zone_shares, others=others, whole=whole, values=values, territory=territory,
                             france=france)
        segment_rows = []
        for value in sorted({c[1] for c in cells if c[1]}):
            segment_rows.append({"value": value, "label": str(segment_labels.get(value, value)),
                                 "perception": _share_dict(_pool([c for c in cells if c[1] == value]))})
        row["segments"] = segment_rows
        items.append(row)
    n = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
    return {
        "process": process.slug, "segment": segment,
        "survey": {"slug": survey.slug, "title": survey.title_fr, "n": n.count(), "weighted": weighted,
                   "simulated": n.filter(simulated=True).exists(),
                   "url": reverse("consultation:results", kwargs={"slug": process.slug, "survey": survey.slug})},
        "zones": [{"code": z.code, "name": z.name, "key": z.key} for z in zones],
        "territory": {"code": process.territory.code, "name": process.territory.name, "key": process.territory.key},
        "indicators": indicators, "items": items, "threshold": engine.THRESHOLD,
        "france_tolerance": engine.FRANCE_TOLERANCE, "k": K,
    }


def _number(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _share_dict(share: engine.Share) -> dict:
    from dataclasses import asdict

    return asdict(share)


def find_row(table: dict, item_key: str, zone: str) -> tuple[dict, dict] | None:
    """(item, zone row or the item's ``whole`` when ``zone`` is empty) of a table, or None."""
    for item in table["items"]:
        if item["key"] != item_key:
            continue
        if not zone:
            return item, item["whole"]
        for row in item["zones"]:
            if row["zone"] == zone:
                return item, row
    return None


def describe(table: dict, item: dict, row: dict, zone_name: str) -> str:
    """A French sentence stating the perception, the indicators' standing and the flag."""
    p = row["perception"]
    if p["suppressed"]:
        head = f"« {item['label']} » ({zone_name}) : moins de {table['k']} répondants, part non publiée."
    else:
        head = (f"« {item['label']} » ({zone_name}) : {_pct(p['share'])} d'accord "
                f"(IC 95 % {_pct(p['low'])}–{_pct(p['high'])}, n = {p['n']}).")
    parts = []
    for ind in row["indicators"]:
        meta = table["indicators"][ind["code"]]
        if ind["value"] is None:
            parts.append(f"{meta['label']} : non disponible")
            continue
        if "france" in ind:
            reference = f"France {_num(ind['france'])}" if ind["france"] is not None else "France non disponible"
        else:
            reference = f"{table['territory']['name']} {_num(ind['territory_value'])}, rang {ind['rank']} sur {ind['of']}"
        parts.append(f"{meta['label']} : {_num(ind['value'])} {meta['unit']} ({reference} ; {READING_FR[ind['reading']]})")
    flag = engine.FLAG_TEXT[row["flag"]][0]
    return f"{head} {' ; '.join(parts)}. {flag}."


READING_FR = {"better": "mieux que la moyenne", "worse": "moins bien que la moyenne", "average": "proche de la moyenne",
              "missing": "comparaison impossible"}


def _pct(x) -> str:
    return f"{100 * x:.0f} %".replace(".", ",")


def _num(x) -> str:
    if x is None:
        return "—"
    return f"{x:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def evidence_from_row(process, table: dict, item_key: str, zone: str):
    """Turn one row of the table (an item for a zone, or for the whole territory when ``zone`` is empty)
    into an Evidence of kind ``perception`` (idempotent by key). Raises LookupError for an unknown row."""
    from django.contrib.contenttypes.models import ContentType

    from .models import Evidence

    found = find_row(table, item_key, zone)
    if found is None:
        raise LookupError(f"no perception row for item {item_key!r} and zone {zone!r}")
    item, row = found
    zone_name = next((z["name"] for z in table["zones"] if z["code"] == zone), table["territory"]["name"])
    p = row["perception"]
    survey = Survey.objects.get(process=process, slug=table["survey"]["slug"])
    sources = "; ".join(dict.fromkeys(table["indicators"][i["code"]]["source"] for i in row["indicators"]))
    vintages = ", ".join(sorted({table["indicators"][i["code"]]["vintage"] for i in row["indicators"]}))
    evidence, _created = Evidence.objects.update_or_create(
        process=process, key=f"perception:{item_key}:{zone or 'all'}",
        defaults={
            "kind": Evidence.Kind.PERCEPTION, "title": f"Perception et réalité — {item['label']} ({zone_name})"[:300],
            "summary": describe(table, item, row, zone_name),
            "value": None if p["suppressed"] else round(100 * p["share"], 1), "unit": "% d'accord",
            "n": p["n"], "margin": None if p["suppressed"] else round(100 * (p["high"] - p["low"]) / 2, 1),
            "source": f"Enquête « {table['survey']['title']} » ; {sources}"[:400], "vintage": vintages[:40],
            "public": True, "simulated": table["survey"]["simulated"],
            "origin_type": ContentType.objects.get_for_model(survey), "origin_id": survey.pk,
        },
    )
    return evidence
