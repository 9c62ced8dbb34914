"""``atout strategy``: perception vs reality and SWOT proposals from the command line.

``atout strategy perception --process SLUG [--segment age_band|sex|profile_status] [--mapping FILE] [--json]``
prints, for each perception item, the share agreeing (95 % Wilson interval, n) for the whole territory, per
sub-territory and per segment, the matched indicators (value, territory value, rank, standardised gap,
reading) and the divergence flag. ``--mapping FILE`` reads a YAML mapping instead of the stored one.
``atout strategy propose --process SLUG --source survey:<slug>|themes:<run id> [--json]`` generates SWOT
proposals from a survey's results or a theme run (idempotent).
``atout strategy priorities --process SLUG [--reading everyone|balanced] [--json]`` prints the stakeholder
prioritisation: mode, respondents, per orientation the mean points, share, mean Borda score and share of first
places, the segments, the segment-balanced reading and the compass weights derived from it.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag
from atout.consultation.models import Survey
from atout.engine.formats.errors import FormatError
from atout.fieldwork.models import ThemeRun
from atout.processes.models import Process


def _process_arg(parser) -> None:
    parser.add_argument("--process", required=True, metavar="SLUG", help="the process (démarche) identifier")


def _perception_args(parser) -> None:
    _process_arg(parser)
    parser.add_argument("--segment", default="age_band", choices=["age_band", "sex", "profile_status"],
                        help="respondent segment for the perception side (default age_band)")
    parser.add_argument("--mapping", metavar="FILE", help="YAML mapping to use instead of the process's stored one")
    json_flag(parser)


def _propose_args(parser) -> None:
    _process_arg(parser)
    parser.add_argument("--source", required=True, metavar="SOURCE", help="survey:<slug> or themes:<theme run id>")
    json_flag(parser)


def _priorities_args(parser) -> None:
    _process_arg(parser)
    parser.add_argument("--reading", default="everyone", choices=["everyone", "balanced"],
                        help="reading used for the composite weights: every respondent counts once (default) "
                             "or every segment of 10+ respondents weighs the same")
    json_flag(parser)


def _process(slug: str) -> Process:
    try:
        return Process.objects.get(slug=slug)
    except Process.DoesNotExist as exc:
        raise CommandError(f"--process: no process {slug!r}") from exc


def _r(value, digits=4):
    return None if value is None else round(value, digits)


def _share(p: dict) -> dict:
    return {"share": _r(p["share"]), "low": _r(p["low"]), "high": _r(p["high"]), "n": p["n"], "agree": p["agree"],
            "suppressed": p["suppressed"]}


class Command(GroupCommand):
    help = "Strategy: perception vs reality, SWOT proposals."

    actions = {
        "perception": ("compare survey perception items with the matched indicators per sub-territory", _perception_args),
        "propose": ("generate SWOT proposals from a survey (survey:<slug>) or a theme run (themes:<id>)", _propose_args),
        "priorities": ("stakeholder prioritisation results and the composite weights they give", _priorities_args),
    }

    def do_perception(self, *, process: str, segment: str = "age_band", mapping: str | None = None, **options) -> dict:
        from atout.strategy import perception

        target = _process(process)
        parsed = None
        if mapping:
            path = Path(mapping)
            if not path.is_file():
                raise CommandError(f"{mapping}: no such file")
            try:
                parsed = perception.parse(path.read_text(encoding="utf-8"), source=str(path))
            except FormatError as exc:
                raise CommandError(str(exc)) from exc
        try:
            table = perception.perception_table(target, segment=segment, mapping=parsed)
        except (ValueError, FormatError) as exc:
            raise CommandError(str(exc)) from exc
        items = []
        for item in table["items"]:
            whole = item["whole"]
            items.append({
                "key": item["key"], "question": item["question"], "label": item["label"],
                "whole": {"perception": _share(whole["perception"]), "gap": whole["gap"], "flag": whole["flag"],
                          "indicators": [{"code": i["code"], "direction": i["direction"], "value": _r(i["value"]),
                                          "france": _r(i["france"]), "gap": _r(i["gap"]), "reading": i["reading"],
                                          "flag": i["flag"]} for i in whole["indicators"]]},
                "zones": [{"zone": z["zone"], "perception": _share(z["perception"]), "others": _share(z["others"]),
                           "gap": z["gap"], "flag": z["flag"],
                           "indicators": [{"code": i["code"], "direction": i["direction"], "value": _r(i["value"]),
                                           "territory": _r(i["territory_value"]), "rank": i["rank"], "of": i["of"],
                                           "gap": _r(i["gap"]), "reading": i["reading"], "flag": i["flag"]}
                                          for i in z["indicators"]]} for z in item["zones"]],
                "segments": [{"value": s["value"], "label": s["label"], "perception": _share(s["perception"])}
                             for s in item["segments"]],
            })
        return {"process": table["process"], "survey": table["survey"], "segment": segment, "zones": table["zones"],
                "territory": table["territory"], "threshold": table["threshold"],
                "france_tolerance": table["france_tolerance"], "k": table["k"],
                "indicators": {c: {k: v for k, v in meta.items() if k != "url"} for c, meta in table["indicators"].items()},
                "items": items}

    def render_perception(self, result: dict) -> str:
        names = {z["code"]: z["name"] for z in result["zones"]}
        lines = [f"{result['survey']['title']} — {result['survey']['n']} responses"]
        for item in result["items"]:
            lines.append(f"« {item['label']} »")
            rows = [(result["territory"]["name"], item["whole"])] + [(names[z["zone"]], z) for z in item["zones"]]
            for name, row in rows:
                p = row["perception"]
                share = "suppressed" if p["suppressed"] else f"{100 * p['share']:.0f} % [{100 * p['low']:.0f}–{100 * p['high']:.0f}] n={p['n']}"
                indicators = ", ".join(f"{i['code']}={i['value']} ({i['reading']})" for i in row["indicators"])
                lines.append(f"  {name}: {share} — {indicators} — {row['flag']}")
        return "\n".join(lines)

    def do_propose(self, *, process: str, source: str, **options) -> dict:
        from atout.strategy import services

        target = _process(process)
        kind, _sep, ref = source.partition(":")
        if kind == "survey":
            survey = Survey.objects.filter(process=target, slug=ref).first()
            if survey is None:
                raise CommandError(f"--source: no survey {ref!r} in process {process!r}")
            items = services.propose_from_survey(target, survey)
        elif kind == "themes" and ref.isdigit():
            run = ThemeRun.objects.filter(process=target, pk=int(ref)).first()
            if run is None:
                raise CommandError(f"--source: no theme run {ref!r} in process {process!r}")
            items = services.propose_from_themes(target, run)
        else:
            raise CommandError(f"--source: expected survey:<slug> or themes:<id>, got {source!r}")
        return {"items": [{"id": i.pk, "kind": i.kind, "title": i.title, "status": i.status,
                           "subterritory": i.subterritory.code if i.subterritory else None,
                           "axis": i.axis.code if i.axis else None, "domain": i.domain,
                           "evidence": [e.key for e in i.linked_evidence()]} for i in items]}

    def render_propose(self, result: dict) -> str:
        return "\n".join(f"[{i['kind']}] {i['title']} ({i['status']}{', ' + i['subterritory'] if i['subterritory'] else ''})"
                         for i in result["items"]) or "no proposal"

    def do_priorities(self, *, process: str, reading: str = "everyone", **options) -> dict:
        from atout.strategy import services
        from atout.strategy.models import Orientation

        target = _process(process)
        mode = services.prioritisation_mode(target)
        points, ranking = services.allocation_results(target), services.ranking_results(target)
        by_points = {r["orientation"].pk: r for r in points["rows"]}
        by_rank = {r["orientation"].pk: r for r in ranking["rows"]}
        orientations = []
        for o in Orientation.objects.filter(process=target).select_related("axis"):
            p, r = by_points.get(o.pk, {}), by_rank.get(o.pk, {})
            orientations.append({"id": o.pk, "axis": o.axis.code, "title": o.title, "pillar": o.domain or None,
                                 "mean_points": _r(p.get("mean")), "share": _r(p.get("share")),
                                 "borda": _r(r.get("borda")), "first_places": _r(r.get("first_places")),
                                 "borda_share": _r(r.get("share"))})

        def segments(results, key):
            return [{"label": s["label"], "n": s["n"], "suppressed": s[key][0] is None if s[key] else True,
                     key: [_r(v) for v in s[key]]} for s in results["segments"]]

        def balanced(results, key):
            b = results["balanced"]
            return {"segments": b["segments"], "respondents": b["respondents"],
                    "orientations": [{"id": row["orientation"].pk, key: _r(row["mean"]), "share": _r(row["share"])}
                                     for row in b["rows"]]}

        return {
            "process": target.slug, "mode": mode,
            "respondents": {"points": points["respondents"], "ranking": ranking["respondents"]},
            "simulated": points["simulated"] or ranking["simulated"],
            "orientations": orientations,
            "segments": {"points": segments(points, "means"), "ranking": segments(ranking, "borda")},
            "balanced": {"points": balanced(points, "mean_points"), "ranking": balanced(ranking, "borda")},
            "reading": reading,
            "composite_weights": {k: _r(v) for k, v in services.composite_weights(target, reading=reading).items()},
        }

    def render_priorities(self, result: dict) -> str:
        lines = [f"{result['process']}: mode {result['mode']}, {result['respondents']['points']} allocations, "
                 f"{result['respondents']['ranking']} rankings{' (SIMULATED)' if result['simulated'] else ''}"]
        for o in result["orientations"]:
            lines.append(f"  {o['title']}: points {o['mean_points']} (share {o['share']}), Borda {o['borda']} "
                         f"(first {o['first_places']}) → {o['pillar'] or 'no pillar'}")
        weights = result["composite_weights"]
        lines.append("composite weights: " + (", ".join(f"{k}={v}" for k, v in weights.items()) or "none"))
        return "\n".join(lines)
