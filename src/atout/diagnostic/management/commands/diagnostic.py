"""``atout diagnostic``: strengths and weaknesses of a territory.

- ``atout diagnostic findings --territory CODE --peers departements|region|similar [--json]``: a
  département against the départements (PTOD values); an EPCI, a zone or a commune against its
  siblings, from values aggregated from its communes.
"""

from __future__ import annotations

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag
from atout.engine.findings import FINDING_KEYS
from atout.engine.formats.errors import FormatError

from ...analysis import PEER_SETS, findings_for
from .indicators import resolve_territory


def _findings_arguments(parser) -> None:
    parser.add_argument("--territory", required=True, help="territory code (26, dep:26, epci:…, zone:…)")
    parser.add_argument("--peers", default="departements", choices=PEER_SETS, help="the comparison base")
    parser.add_argument("--k", type=int, default=10, help="with --peers similar: how many similar territories")
    json_flag(parser)


class Command(GroupCommand):
    help = "Statistical diagnostic: strengths and weaknesses with their evidence."
    actions = {"findings": ("strengths and weaknesses against a peer set", _findings_arguments)}

    def do_findings(self, territory, peers="departements", k=10, **options):
        place = resolve_territory(territory)
        try:
            result = findings_for(place, peers, k=k)
        except (ValueError, FormatError) as exc:
            raise CommandError(str(exc)) from exc
        findings = [{**{key: f[key] for key in FINDING_KEYS}, "unit": f["unit"], "percentile": f["percentile"],
                     "statement": f["statement"]} for f in result["findings"]]
        return {"territory": place.key, "name": place.name, "peers": peers, "basis": result["basis"],
                "findings": findings}

    def render_findings(self, result) -> str:
        marks = {"strength": "+", "weakness": "-", "neutral": " "}
        lines = [f"{result['name']} — {result['basis']}"]
        lines += [f" {marks[f['kind']]} [{f['aspect']}] {f['statement']['fr']}  ({f['source']})"
                  for f in result["findings"]]
        return "\n".join(lines)
