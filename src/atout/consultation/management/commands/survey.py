"""``atout survey``: questionnaires from the command line.

- ``import-xlsform FILE --process SLUG [--slug S] [--status draft|open|closed] [--layout pages|single]
  [--new-version] --json`` → ``{"survey", "questions", "groups", "languages", "version", "layout",
  "questions_added", "questions_removed", "questions_changed"}``; an invalid or unsupported file fails
  with every problem by sheet, row and column, and nothing is imported. A new survey is a draft unless
  ``--status`` says otherwise; an existing one keeps its status. Replacing the published version of an
  open survey needs ``--new-version`` (it stays open; responses keep their version).
- ``export-xlsform SURVEY --output FILE.xlsx``
- ``results SURVEY [--segment zone ...] [--rebuild] --json``: frequencies / means with 95 % intervals,
  weighted when weights exist, cells under 10 respondents suppressed; from the stored sums, brought
  up to date automatically (``--rebuild`` recomputes them from every answer row).
- ``export SURVEY --output FILE.csv|.xlsx [--excel]``: stable columns, streamed; a survey too wide
  (or long) for one Excel sheet fails for .xlsx, saying so, and writes nothing (CSV has no such limit).
- ``import-responses FILE --survey SLUG --format limesurvey|kobo``: all-or-nothing.
- ``weight SURVEY --margins MARGINS.csv | --insee age_band,zone [--trim LOW,HIGH] --json``: rake to
  ``variable,category,target`` or to the territory's INSEE margins (persons aged 15+ by age band and
  sub-territory; no population by sex offline) → ``{"weighted", "iterations", "deff", "effective_n",
  "achieved", "margins_source", ...}``; with ``--insee`` also ``"variables"``, ``"margins"`` (persons),
  ``"targets"`` (shares) and ``"unavailable"`` (variable → why the offline data cannot weight on it).
- ``invite SURVEY --count N --output LINKS.csv [--base-url URL]``: single-use invitation links.
- ``purge``: past their retention date, free texts erased (idempotent).
- ``quotas SURVEY [--process SLUG] [--generate age_band,zone --total N [--close]] --json`` →
  ``{"cells": [{"cell", "target", "count", "fill_rate", ...}], "total": {...}}``: live fill rates of
  the quota cells; ``--generate`` first replaces the quotas by targets proportional to the INSEE
  population (aged 15+) of the cells crossing the given variables (age_band, zone, epci).

SURVEY is a survey slug, or ``PROCESS/SLUG`` when several processes use the same slug.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse

from atout.commands import GroupCommand, json_flag
from atout.consultation import exports, quotas, results, services
from atout.consultation.management.commands.weights import parse_trim, read_margins
from atout.consultation.models import Survey
from atout.consultation.structure import form_from_dict
from atout.engine.formats.cells import safe_row
from atout.engine.formats.errors import FormatError
from atout.engine.formats.xlsform import write_xlsform
from atout.engine.weighting import RakingError
from atout.processes.models import Process


def _import_args(parser):
    parser.add_argument("file", help="XLSForm .xlsx file")
    parser.add_argument("--process", required=True, help="slug of the process the survey belongs to")
    parser.add_argument("--slug", default=None, help="survey slug (default: the form_id setting)")
    parser.add_argument("--status", default=None, choices=["draft", "open", "closed"],
                        help="status after import (default: draft for a new survey, unchanged for an existing one)")
    parser.add_argument("--layout", default=None, choices=["pages", "single"],
                        help="one page per group (default for a new survey) or every question on one page")
    parser.add_argument("--new-version", dest="new_version", action="store_true",
                        help="replace the published version of a survey that is open (it stays open; "
                             "responses already collected keep their version)")
    json_flag(parser)


def _survey_arg(parser):
    parser.add_argument("survey", help="survey slug, or PROCESS/SLUG")


def _export_xlsform_args(parser):
    _survey_arg(parser)
    parser.add_argument("--output", required=True, help="XLSForm .xlsx file to write")
    json_flag(parser)


def _results_args(parser):
    _survey_arg(parser)
    parser.add_argument("--segment", action="append", choices=sorted(results.SEGMENTS), default=None,
                        help="crosstab single-choice questions by this segment (repeatable)")
    parser.add_argument("--language", default="fr", choices=["fr", "en"])
    parser.add_argument("--rebuild", action="store_true",
                        help="recompute the stored sums from every answer row first (normally automatic)")
    json_flag(parser)


def _export_args(parser):
    _survey_arg(parser)
    parser.add_argument("--output", required=True, help=".csv or .xlsx file to write")
    parser.add_argument("--excel", action="store_true", help="CSV for Excel: ';' separator and a byte-order mark")
    json_flag(parser)


def _import_responses_args(parser):
    parser.add_argument("file", help="CSV export of LimeSurvey or Kobo")
    parser.add_argument("--survey", required=True, help="survey slug, or PROCESS/SLUG")
    parser.add_argument("--format", required=True, choices=["limesurvey", "kobo"], dest="source")
    json_flag(parser)


def _weight_args(parser):
    _survey_arg(parser)
    parser.add_argument("--margins", default=None, help="CSV variable,category,target (variables: age_band, sex, zone)")
    parser.add_argument("--insee", default=None, metavar="VARIABLES",
                        help="rake to the territory's INSEE margins over these variables instead, e.g. age_band,zone")
    parser.add_argument("--trim", default=None, metavar="LOW,HIGH")
    json_flag(parser)


def _invite_args(parser):
    _survey_arg(parser)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--output", required=True, help="CSV of links to write")
    parser.add_argument("--label", default="")
    parser.add_argument("--base-url", dest="base_url", default="http://127.0.0.1:8000")
    json_flag(parser)


def _quotas_args(parser):
    _survey_arg(parser)
    parser.add_argument("--process", default=None, help="slug of the survey's process")
    parser.add_argument("--generate", default=None, metavar="VARIABLES",
                        help="replace the quotas by INSEE targets over these variables, e.g. age_band,zone")
    parser.add_argument("--total", type=int, default=None, help="sample size the generated targets sum to")
    parser.add_argument("--close", action="store_true", help="generated cells close when full")
    json_flag(parser)


def _purge_args(parser):
    json_flag(parser)


def _open_survey_message(refused) -> str:
    """Why an import into an open survey was refused, what it would change, and how to go on."""
    survey, changes = refused.survey, refused.changes
    answered = survey.responses.filter(status="submitted").count()
    listed = "; ".join(f"{what}: {', '.join(names)}" for what, names in (
        ("added", changes.added), ("removed", changes.removed), ("changed", changes.changed)) if names) or "no question changes"
    return (f"survey '{survey.slug}' of process '{survey.process.slug}' is open ({answered} responses, version "
            f"{survey.current_version.number}): importing would publish a new version to its respondents ({listed}). "
            f"Add --new-version to do so (the survey stays open; responses already collected keep their version).")


def find_survey(reference: str) -> Survey:
    process, _sep, slug = reference.rpartition("/")
    surveys = Survey.objects.filter(slug=slug)
    if process:
        surveys = surveys.filter(process__slug=process)
    found = list(surveys.select_related("process", "current_version")[:2])
    if not found:
        raise CommandError(f"no survey '{reference}'")
    if len(found) > 1:
        raise CommandError(f"several surveys are called '{slug}': write PROCESS/{slug}")
    if found[0].current_version is None:
        raise CommandError(f"survey '{reference}' has no published version")
    return found[0]


class Command(GroupCommand):
    help = "Surveys: XLSForm import/export, results, response exports and imports, weighting, purge."
    actions = {
        "import-xlsform": ("import an XLSForm questionnaire into a process", _import_args),
        "export-xlsform": ("write a survey as an XLSForm", _export_xlsform_args),
        "results": ("frequencies and means with 95 % confidence intervals", _results_args),
        "export": ("export responses (CSV or XLSX, stable columns)", _export_args),
        "import-responses": ("import responses exported from LimeSurvey or Kobo", _import_responses_args),
        "weight": ("rake respondents to population margins and store the weights", _weight_args),
        "invite": ("create single-use invitation links", _invite_args),
        "purge": ("apply the retention dates: erase free texts of expired surveys", _purge_args),
        "quotas": ("quota cells: targets and live fill rates (optionally generated from INSEE margins)", _quotas_args),
    }

    def do_import_xlsform(self, *, file, process, slug=None, status=None, layout=None, new_version=False, **options):
        try:
            owner = Process.objects.get(slug=process)
        except Process.DoesNotExist:
            raise CommandError(f"no process '{process}'") from None
        try:
            form = services.read_form_file(Path(file))
        except FormatError as exc:
            raise CommandError(str(exc)) from None
        existing = Survey.objects.filter(process=owner, slug=slug or services.form_slug(form)).first()
        changes = services.version_changes(existing or Survey(process=owner), form)  # before the import publishes
        try:
            survey = services.import_form(form, owner, slug=slug, status=status, layout=layout, new_version=new_version)
        except services.SurveyIsOpen as exc:
            raise CommandError(_open_survey_message(exc)) from None
        return {"survey": survey.slug, "questions": len(form.questions()), "groups": len(form.groups()),
                "languages": form.languages, "version": survey.current_version.number, "layout": survey.layout,
                "status": survey.status, "questions_added": changes.added, "questions_removed": changes.removed,
                "questions_changed": changes.changed}

    def do_export_xlsform(self, *, survey, output, **options):
        found = find_survey(survey)
        form = form_from_dict(found.current_version.structure)
        write_xlsform(form, Path(output))
        return {"survey": found.slug, "output": str(output), "questions": len(form.questions())}

    def do_results(self, *, survey, segment=None, language="fr", rebuild=False, **options):
        return results.survey_results(find_survey(survey), language=language, segments=segment or [], rebuild=rebuild)

    def do_export(self, *, survey, output, excel=False, **options):
        found = find_survey(survey)
        path = Path(output)
        if path.suffix.lower() == ".xlsx":
            try:
                count = exports.write_xlsx(found, path)
            except exports.TooLargeForXlsx as exc:
                raise CommandError(f"{found.slug}: the export does not fit one Excel sheet ({exc}): export it as CSV "
                                   f"instead, e.g. --output {path.with_suffix('.csv').name} (add --excel for Excel)") from None
        elif path.suffix.lower() == ".csv":
            count = exports.write_csv(found, path, excel=excel)
        else:
            raise CommandError(f"{output}: the output must end in .csv or .xlsx")
        return {"survey": found.slug, "output": str(path), "responses": count,
                "columns": exports.columns(exports.export_questions(found))}

    def do_import_responses(self, *, file, survey, source, **options):
        found = find_survey(survey)
        try:
            return {"survey": found.slug, **exports.import_responses(Path(file), found, source)}
        except FormatError as exc:
            raise CommandError(str(exc)) from None

    def do_weight(self, *, survey, margins=None, insee=None, trim=None, **options):
        if (margins is None) == (insee is None):
            raise CommandError("give exactly one of --margins FILE (a variable,category,target CSV) "
                               "or --insee VARIABLES (the territory's INSEE margins, e.g. age_band,zone)")
        found = find_survey(survey)
        bounds = parse_trim(trim)
        if insee is not None:
            return self._weight_insee(found, insee, bounds)
        targets = read_margins(Path(margins))
        try:
            result = services.apply_weights(found, targets, trim=bounds)
        except (RakingError, ValueError) as exc:
            raise CommandError(f"{margins}: {exc}") from None
        return {"survey": found.slug, "weighted": len(result.weights), "iterations": result.iterations,
                "deff": result.deff, "effective_n": result.effective_n, "achieved": result.achieved,
                "margins_source": str(margins)}

    def _weight_insee(self, found: Survey, insee: str, bounds) -> dict:
        """Rake to the INSEE margins of the survey's territory; the output names the variables used,
        the margins (persons) and the variables the offline INSEE data cannot weight on."""
        variables = [v.strip() for v in insee.split(",") if v.strip()]
        try:
            margins = services.insee_margins(found, variables)
        except services.MarginsUnavailable as exc:
            raise CommandError(f"--insee {insee}: {exc}") from None
        try:
            result = services.apply_weights(found, margins, trim=bounds)
        except (RakingError, ValueError) as exc:
            raise CommandError(f"--insee {insee}: {exc}") from None
        options = services.insee_weighting_options(found)
        return {"survey": found.slug, "weighted": len(result.weights), "iterations": result.iterations,
                "deff": result.deff, "effective_n": result.effective_n, "achieved": result.achieved,
                "margins_source": quotas.INSEE_SOURCE, "margins_file": quotas.INSEE_AGE_FILE,
                "variables": list(margins), "margins": margins, "targets": result.targets,
                "unavailable": {v: o["reason"] for v, o in options.items() if not o["available"]}}

    def do_invite(self, *, survey, count, output, label="", base_url="", **options):
        found = find_survey(survey)
        if count < 1:
            raise CommandError("--count must be at least 1")
        with transaction.atomic():
            tokens = services.create_invitations(found, count, label)
        with open(output, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["link"])
            for token in tokens:
                path = reverse("consultation:invitation", kwargs={"slug": found.process.slug, "survey": found.slug, "token": token})
                writer.writerow(safe_row([base_url.rstrip("/") + path]))
        return {"survey": found.slug, "invitations": count, "output": str(output)}

    def do_purge(self, **options):
        return services.purge()

    def do_quotas(self, *, survey, process=None, generate=None, total=None, close=False, **options):
        reference = f"{process}/{survey}" if process else survey
        owner, _sep, slug = reference.rpartition("/")
        surveys = Survey.objects.filter(slug=slug).select_related("process")
        if owner:
            surveys = surveys.filter(process__slug=owner)
        found = list(surveys[:2])
        if not found:
            raise CommandError(f"no survey '{reference}'")
        if len(found) > 1:
            raise CommandError(f"several surveys are called '{slug}': add --process")
        target = found[0]
        if generate is not None:
            if total is None:
                raise CommandError("--generate needs --total (the sample size the targets sum to)")
            try:
                quotas.generate(target, [v.strip() for v in generate.split(",") if v.strip()], total, close_when_full=close)
            except quotas.QuotaInputError as exc:
                raise CommandError(f"--generate {generate}: {exc}") from None
        elif total is not None:
            raise CommandError("--total is only used with --generate")
        return {"survey": target.slug, "process": target.process.slug, **quotas.fill_rates(target)}

    def render_quotas(self, result) -> str:
        lines = [f"{'cell':<40} {'target':>7} {'count':>7} {'fill':>6}"]
        for cell in result["cells"]:
            rate = "—" if cell["fill_rate"] is None else f"{cell['fill_rate']:.0%}"
            lines.append(f"{cell['label'][:40]:<40} {cell['target']:>7} {cell['count']:>7} {rate:>6}")
        total = result["total"]
        rate = "—" if total["fill_rate"] is None else f"{total['fill_rate']:.0%}"
        lines.append(f"{'total':<40} {total['target']:>7} {total['count']:>7} {rate:>6}")
        return "\n".join(lines)
