"""``atout themes``: French open answers → themes, from the command line.

``atout themes analyze FILE --text-column NAME [--id-column NAME] [--format csv|json|decidim]
[--themes K] [--seed N] [--segment-column NAME ...] --json`` prints::

    {"themes": [{"id", "label", "terms", "size", "quotes", "tonality"}, ...],
     "answers": {"<answer id>": [<theme ids, strongest first>]},
     "k", "seed", "k_scores", "parameters", "quality", "tonality", ["spread"]}

FILE is a CSV (``,``, ``;`` or tab), a JSON list of objects, or a Decidim open-data export read
as published (``--format decidim``, detected from its header when ``--format`` is omitted). For
Decidim files ``--text-column`` names the Decidim column: ``body`` (comments, proposals),
``title`` or ``title/fr``, ``description/fr`` (debates); ids are Decidim's ``id``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag, progress_bar
from atout.engine.formats.contributions import read_contributions_csv, read_contributions_json
from atout.engine.formats.decidim import Contribution, is_decidim_file, read_decidim
from atout.engine.formats.errors import FormatError

FORMATS = ("csv", "json", "decidim")
# Decidim column names accepted by --text-column, and which field of a contribution they mean.
DECIDIM_TEXT_COLUMNS = {"body": "text", "text": "text", "description/fr": "text", "description": "text",
                        "title": "title", "title/fr": "title"}


def _add_analyze_arguments(parser) -> None:
    parser.add_argument("file", help="CSV, JSON or Decidim open-data export of answers")
    parser.add_argument("--text-column", dest="text_column", required=True, help="column holding the text")
    parser.add_argument("--id-column", dest="id_column", default=None,
                        help="column of answer ids (default: 1-based row numbers; Decidim: id)")
    parser.add_argument("--format", dest="file_format", choices=FORMATS, default=None,
                        help="file format (default: from the extension and header)")
    parser.add_argument("--themes", type=int, default=None, metavar="K",
                        help="number of themes (default: chosen by coherence between 4 and 15)")
    parser.add_argument("--seed", type=int, default=0, help="random seed: same seed, same themes")
    parser.add_argument("--segment-column", dest="segment_columns", action="append", default=[],
                        metavar="NAME", help="column to split theme sizes by (repeatable), e.g. commune")
    json_flag(parser)


class Command(GroupCommand):
    help = "Open-text analysis: themes of French answers, with quotes and tonality."
    actions = {"analyze": ("find the themes of French open answers (multi-label, seeded)", _add_analyze_arguments)}

    def do_analyze(self, *, file, text_column, id_column=None, file_format=None, themes=None, seed=0,
                   segment_columns=(), **options):
        from atout.engine import themes as engine

        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if themes is not None and themes < 1:
            raise CommandError("--themes must be at least 1")
        file_format = file_format or detect_format(path)
        contributions = read_answers(path, file_format, text_column, id_column, list(segment_columns))
        if not contributions:
            raise CommandError(f"{path.name}: no answers to analyse")
        texts = [c.text for c in contributions]
        ids = [c.id for c in contributions]
        with progress_bar(100, "themes") as progress:
            try:
                result = engine.discover_themes(texts, ids, k=themes, seed=seed, progress=progress)
            except ValueError as exc:
                raise CommandError(f"{path.name}: {exc}") from None
        output = result.as_dict()
        output["quality"] = engine.quality(engine.top_unigram_keys(result.term_weights, result.corpus), result.corpus)
        output["tonality"] = dict(Counter(result.tonality))
        if segment_columns:
            segments = {name: [c.segments.get(name, "") for c in contributions] for name in segment_columns}
            output["spread"] = engine.spread(result, segments).to_dict(orient="records")
        output["source"] = {"file": path.name, "format": file_format, "answers": len(contributions)}
        return output

    def render_analyze(self, result) -> str:
        lines = [f"{result['source']['answers']} answers, {len(result['themes'])} themes (seed {result['seed']})"]
        for theme in result["themes"]:
            lines.append(f"  {theme['id']:>2}. {theme['label']}  — {theme['size']} answers, {theme['tonality']}")
            for quote in theme["quotes"][:1]:
                lines.append(f"      « {quote[:160]} »")
        lines.append("(use --json for every answer's themes)")
        return "\n".join(lines)


def detect_format(path: Path) -> str:
    """``json`` by extension, ``decidim`` by header, else ``csv``."""
    if path.suffix.lower() == ".json":
        return "json"
    return "decidim" if is_decidim_file(path) else "csv"


def read_answers(path: Path, file_format: str, text_column: str, id_column: str | None,
                 segment_columns: list[str]) -> list[Contribution]:
    """Contributions of FILE in the given format; reader errors become command errors."""
    try:
        if file_format == "decidim":
            return _decidim_answers(path, text_column, id_column, segment_columns)
        reader = read_contributions_json if file_format == "json" else read_contributions_csv
        return reader(path, text_column, id_column, segment_columns)
    except FormatError as exc:
        raise CommandError(str(exc)) from None


def _decidim_answers(path: Path, text_column: str, id_column: str | None,
                     segment_columns: list[str]) -> list[Contribution]:
    if text_column not in DECIDIM_TEXT_COLUMNS:
        raise CommandError(
            f"{path.name}: --text-column {text_column!r} is not a Decidim text column "
            f"(use one of {', '.join(DECIDIM_TEXT_COLUMNS)})")
    if id_column not in (None, "id"):
        raise CommandError(f"{path.name}: Decidim exports are identified by their 'id' column")
    contributions = read_decidim(path)
    field = DECIDIM_TEXT_COLUMNS[text_column]
    known = {"kind", "author", "thread", "alignment", "depth", "parent", *{k for c in contributions for k in c.segments}}
    unknown = [s for s in segment_columns if s not in known]
    if unknown:
        raise CommandError(f"{path.name}: unknown segment column(s) {', '.join(unknown)} "
                           f"(Decidim segments: {', '.join(sorted(known))})")
    out = []
    for c in contributions:
        segments = {"kind": c.kind, "author": c.author, "thread": c.thread_id or "",
                    "alignment": "" if c.alignment is None else str(c.alignment),
                    "depth": "" if c.depth is None else str(c.depth), "parent": c.parent_id or "", **c.segments}
        text = c.title if field == "title" else c.text
        out.append(Contribution(id=c.id, text=text, kind=c.kind, segments={k: segments.get(k, "") for k in segment_columns}))
    return out
