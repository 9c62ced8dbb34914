"""``atout coding``: agreement between two human coders, and the coding project export.

``atout coding agreement --process SLUG [--coders USER_A,USER_B] --json`` prints, on the transcripts
and documents both coded (units: their paragraphs)::

    {"process", "coder_a", "coder_b", "texts": [...], "units", "kappa", "alpha", "observed",
     "kappa_reading", "alpha_reading",
     "codes": [{"code", "units", "coder_a", "coder_b", "both", "observed", "kappa", "alpha", ...}],
     "disagreements": [{"unit", "text", "paragraph", "code", "coder_a", "coder_b", "arbitration"}]}

Default coders: the two people with the most codings. ``atout coding export --process SLUG --format
qdpx|qdc|csv [--output PATH]`` writes the REFI-QDA project (.qdpx: codebook, texts, coded passages,
coders by pseudonym), the REFI-QDA codebook (.qdc) or the codebook as CSV.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag
from atout.processes.models import Process

FORMATS = ("qdpx", "qdc", "csv")


def _add_agreement_arguments(parser) -> None:
    parser.add_argument("--process", required=True, metavar="SLUG")
    parser.add_argument("--coders", default=None, metavar="USER_A,USER_B",
                        help="user names of the two coders (default: the two with the most codings)")
    json_flag(parser)


def _add_export_arguments(parser) -> None:
    parser.add_argument("--process", required=True, metavar="SLUG")
    parser.add_argument("--format", dest="file_format", choices=FORMATS, default="qdpx")
    parser.add_argument("--output", default=None, metavar="PATH", help="file to write (default: <slug>.<format>)")
    json_flag(parser)


def _process(slug):

    found = Process.objects.filter(slug=slug).first()
    if found is None:
        raise CommandError(f"no process with slug {slug!r}")
    return found


class Command(GroupCommand):
    help = "Human coding: agreement between two coders (Cohen's kappa, Krippendorff's alpha), project export."
    actions = {
        "agreement": ("agreement of two coders per code, with the disagreements", _add_agreement_arguments),
        "export": ("export the codebook and codings (REFI-QDA .qdpx or .qdc, CSV)", _add_export_arguments),
    }

    def do_agreement(self, *, process, coders=None, **options):
        from ...agreement import as_json
        from ...agreement import coders as coders_of

        target = _process(process)
        people = coders_of(target)
        if coders:
            names = [n.strip() for n in coders.split(",") if n.strip()]
            by_name = {u.username: u for u, _n in people}
            if len(names) != 2 or names[0] == names[1]:
                raise CommandError("--coders takes two different user names separated by a comma")
            missing = [n for n in names if n not in by_name]
            if missing:
                raise CommandError(f"{missing[0]!r} coded no transcript or document of {process!r}")
            first, second = by_name[names[0]], by_name[names[1]]
        elif len(people) < 2:
            raise CommandError(f"{process!r}: fewer than two people coded transcripts or documents")
        else:
            first, second = people[0][0], people[1][0]
        return {**as_json(target, first, second), "coder_a_user": first.username, "coder_b_user": second.username}

    def render_agreement(self, result: dict) -> str:
        lines = [f"{result['coder_a_user']} vs {result['coder_b_user']}: {result['units']} paragraph(s), "
                 f"kappa {result['kappa']}, alpha {result['alpha']}"]
        lines += [f"  {c['code']}: kappa {c['kappa']}, alpha {c['alpha']}" for c in result["codes"]]
        lines.append(f"{len(result['disagreements'])} disagreement(s)")
        return "\n".join(lines)

    def do_export(self, *, process, file_format="qdpx", output=None, **options):
        from ... import exports
        from ...agreement import qdpx

        target = _process(process)
        content = {"qdpx": lambda: qdpx(target), "qdc": lambda: exports.codebook_qdc(target),
                   "csv": lambda: exports.codebook_csv(target)}[file_format]()
        path = Path(output or f"{target.slug}.{file_format}")
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        return {"process": target.slug, "format": file_format, "file": str(path), "bytes": len(data)}

    def render_export(self, result: dict) -> str:
        return f"{result['file']} written ({result['bytes']} bytes)"
