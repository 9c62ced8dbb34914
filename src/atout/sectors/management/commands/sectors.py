"""``atout sectors``: the filières of a process and their official figures from the command line.

``atout sectors list --process SLUG [--json]`` prints each filière: slug, name, NAF codes, and its own
jobs and establishments when the offline files allow them (else why not).
``atout sectors show --process SLUG --filiere SLUG [--json]`` prints one filière in full: definition,
NAF codes with their labels, figures per broad sector (jobs 2016 and 2022, annual growth, share of jobs
vs France, location quotient, establishments), the reasons for absent figures, the sources, and its
linked actors, SWOT items, objectives, actions and KPIs.
"""

from __future__ import annotations

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag
from atout.processes.models import Process


def _process_arg(parser) -> None:
    parser.add_argument("--process", required=True, metavar="SLUG", help="the process (démarche) identifier")


def _list_args(parser) -> None:
    _process_arg(parser)
    json_flag(parser)


def _show_args(parser) -> None:
    _process_arg(parser)
    parser.add_argument("--filiere", required=True, metavar="SLUG", help="the filière identifier")
    json_flag(parser)


def _process(slug: str):
    try:
        return Process.objects.get(slug=slug)
    except Process.DoesNotExist as exc:
        raise CommandError(f"--process: no process {slug!r}") from exc


def _n(value, digits=0):
    return "n/a" if value is None else f"{value:,.{digits}f}"


class Command(GroupCommand):
    help = "Filières (excellence sectors): definition by NAF codes, official figures, links."

    actions = {
        "list": ("the filières of a process with their headline figures", _list_args),
        "show": ("one filière in full: NAF codes, figures per broad sector, links", _show_args),
    }

    def do_list(self, *, process: str, **options) -> dict:
        from atout.sectors import services
        from atout.sectors.models import Filiere

        target = _process(process)
        data, problem = services.sector_data(target)
        rows = []
        for filiere in Filiere.objects.filter(process=target):
            figures = services.indicators(filiere, data, problem)
            rows.append({"slug": filiere.slug, "name": filiere.name, "naf": filiere.naf_codes,
                         "own_figures": figures["own_figures"], "filiere": figures["filiere"],
                         "missing": figures["missing"]})
        return {"process": target.slug, "territory": target.territory.code, "data_problem": problem, "filieres": rows}

    def render_list(self, result: dict) -> str:
        lines = [f"{len(result['filieres'])} filière(s) — {result['process']}"]
        for row in result["filieres"]:
            if row["filiere"]:
                figures = f"jobs 2022 {_n(row['filiere']['jobs'][2022])}, establishments {_n(row['filiere']['establishments'])}"
            else:
                figures = "no own figure: " + ", ".join(row["missing"] or ["no NAF code"])
            lines.append(f"- {row['slug']}: {row['name']} [{', '.join(row['naf'])}] — {figures}")
        return "\n".join(lines)

    def do_show(self, *, process: str, filiere: str, **options) -> dict:
        from atout.sectors import services
        from atout.sectors.models import Filiere

        target = _process(process)
        try:
            item = Filiere.objects.get(process=target, slug=filiere)
        except Filiere.DoesNotExist as exc:
            raise CommandError(f"--filiere: no filière {filiere!r} in process {process!r}") from exc
        return {"process": target.slug, **services.jsonable(item, team=True)}

    def render_show(self, result: dict) -> str:
        lines = [f"{result['name']} ({result['slug']})", result["description"], "NAF:"]
        lines += [f"  {n['code']} {n['label']}" for n in result["naf"]]
        figures = result["indicators"]
        if figures["filiere"]:
            f = figures["filiere"]
            lines.append(f"Own figures: jobs 2022 {_n(f['jobs'][2022])}, share {_n(f['share'][2022], 2)} % "
                         f"(France {_n(f['france_share'][2022], 2)} %), establishments {_n(f['establishments'])}")
        for s in figures["sectors"]:
            lines.append(f"  {s['code']} {s['label']} ({s['coverage']}): jobs 2022 {_n(s['jobs'][2022])}, "
                         f"share {_n(s['share'][2022], 2)} % vs France {_n(s['france_share'][2022], 2)} %, "
                         f"LQ {_n(s['location_quotient'], 2)}, growth/yr {_n(s['jobs_annual_growth'], 2)} %, "
                         f"establishments {_n(s['establishments'])}")
        lines += [f"Note: {note}" for note in figures["notes"]]
        for key in ("organisations", "swot", "objectives", "actions", "kpis"):
            lines.append(f"{key}: {len(result[key])}")
        return "\n".join(line for line in lines if line)
