"""``atout barometer``: a survey repeated in waves, from the command line.

- ``create --process SLUG --slug S [--title T] [--the "la Drôme"] [--in "dans la Drôme"] [--the-en "the Drôme"]
  [--alias Drôme ...] [--region 84] --json``: a new survey made of the notoriety and image question
  bank (awareness, place-brand hexagon, intentions, NPS, pride), for the process's territory →
  ``{"survey", "questions", "version", "audiences"}``.
- ``waves --survey SURVEY --json`` → ``{"survey", "waves": [{"slug", "label", "year", "status", "responses", ...}]}``.
- ``add-wave --survey SURVEY --wave SLUG --label L --year Y [--start D] [--end D]``: a planned wave.
- ``open --survey SURVEY --wave SLUG``: the wave opens (and the survey with it); one open wave at a time.
- ``close --survey SURVEY --wave SLUG``: the wave and the survey close, the responses collected meanwhile
  belong to the wave, the KPIs fed by the survey are refreshed → ``{"wave", "responses", "kpis"}``.
- ``compare --survey SURVEY --waves W1,W2 [--audience A] --json``: per measure (question) the two
  estimates with their intervals, effective bases and design effects, the difference (second − first),
  its 95 % interval and p-value (proportions as shares 0–1, means in the answers' unit, NPS in points).
- ``trend --survey SURVEY [--audience A] [--include-open] --json``: each measure across the closed waves.
- ``weight --survey SURVEY --wave SLUG --margins MARGINS.csv [--audience A] [--trim LOW,HIGH] --json``:
  rake one wave's respondents (of one audience) to their own ``variable,category,target`` margins
  (age_band, sex, zone); the survey's other respondents keep their weights →
  ``{"wave", "audience", "weighted", "iterations", "deff", "effective_n", "achieved"}``.

SURVEY is a survey slug, or ``PROCESS/SLUG`` when several processes use the same slug. Audiences:
resident, non_resident, talent, company, visitor.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag
from atout.consultation import barometer
from atout.consultation.management.commands.survey import find_survey
from atout.engine.banks import notoriety
from atout.processes.models import Process


def _survey_opt(parser):
    parser.add_argument("--survey", required=True, help="survey slug, or PROCESS/SLUG")


def _create_args(parser):
    parser.add_argument("--process", required=True, help="slug of the process")
    parser.add_argument("--slug", required=True, help="slug of the new survey")
    parser.add_argument("--title", default="", help="title (default: Baromètre d'image — <territory>)")
    parser.add_argument("--the", dest="the_fr", default="", help='the territory with its article, e.g. "la Drôme"')
    parser.add_argument("--in", dest="in_fr", default="", help='"in the territory", e.g. "dans la Drôme"')
    parser.add_argument("--the-en", dest="the_en", default="", help='in English, e.g. "the Drôme"')
    parser.add_argument("--alias", action="append", default=[], help="a name that counts in unaided answers (repeatable)")
    parser.add_argument("--region", default="", help="INSEE code of the territory's region (when the geography lacks it)")
    json_flag(parser)


def _waves_args(parser):
    _survey_opt(parser)
    json_flag(parser)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"'{value}' is not a date (YYYY-MM-DD)") from None


def _add_wave_args(parser):
    _survey_opt(parser)
    parser.add_argument("--wave", required=True, help="slug of the new wave (e.g. 2026)")
    parser.add_argument("--label", required=True, help='how the wave is named (e.g. "Vague 2026")')
    parser.add_argument("--year", required=True, type=int, help="the year the wave measures")
    parser.add_argument("--start", default=None, help="fieldwork start (YYYY-MM-DD)")
    parser.add_argument("--end", default=None, help="fieldwork end (YYYY-MM-DD)")
    json_flag(parser)


def _wave_args(parser):
    _survey_opt(parser)
    parser.add_argument("--wave", required=True, help="slug of the wave")
    json_flag(parser)


def _audience(parser):
    parser.add_argument("--audience", default=None, choices=list(notoriety.AUDIENCES),
                        help="only the respondents of this audience (notoriety barometers)")


def _compare_args(parser):
    _survey_opt(parser)
    parser.add_argument("--waves", required=True, help="two wave slugs: FIRST,SECOND")
    _audience(parser)
    json_flag(parser)


def _weight_args(parser):
    _survey_opt(parser)
    parser.add_argument("--wave", required=True, help="slug of the wave")
    parser.add_argument("--margins", required=True, help="variable,category,target CSV (age_band, sex, zone)")
    _audience(parser)
    parser.add_argument("--trim", default=None, help="LOW,HIGH bounds of the weights (e.g. 0.3,3)")
    json_flag(parser)


def _trend_args(parser):
    _survey_opt(parser)
    _audience(parser)
    parser.add_argument("--include-open", action="store_true", help="include the wave still open")
    json_flag(parser)


class Command(GroupCommand):
    help = "Barometers: a survey repeated in waves, the change between waves and its significance, trends."
    actions = {
        "create": ("create a barometer survey from the notoriety and image question bank", _create_args),
        "waves": ("list the waves of a survey", _waves_args),
        "add-wave": ("add a planned wave to a survey", _add_wave_args),
        "open": ("open a wave (the survey takes responses for it)", _wave_args),
        "close": ("close a wave: its responses are stamped, linked KPIs refreshed", _wave_args),
        "compare": ("compare two waves: estimates, difference, 95 % interval, p-value", _compare_args),
        "trend": ("each measure across the closed waves, with its slope per year", _trend_args),
        "weight": ("rake one wave (one audience) to its own margins", _weight_args),
    }

    def _run(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except barometer.BarometerError as exc:
            raise CommandError(str(exc)) from None

    def do_create(self, *, process, slug, title="", the_fr="", in_fr="", the_en="", alias=(), region="", **options):
        owner = Process.objects.select_related("territory__parent").filter(slug=process).first()
        if owner is None:
            raise CommandError(f"no process '{process}'")
        names = self._run(barometer.names_for, owner, the_fr=the_fr, in_fr=in_fr, the_en=the_en, aliases=alias, region=region)
        survey = self._run(barometer.create_barometer, owner, slug, names, title=title)
        form = barometer.services.current_form(survey)
        return {"survey": survey.slug, "process": owner.slug, "questions": len(form.questions()),
                "version": survey.current_version.number, "status": survey.status,
                "audiences": list(notoriety.AUDIENCES), "measures": [m.name for m in barometer.measures(form)]}

    def do_waves(self, *, survey, **options):
        found = find_survey(survey)
        return {"survey": found.slug, "waves": barometer.wave_rows(found)}

    def render_waves(self, result) -> str:
        lines = [f"{result['survey']}: {len(result['waves'])} wave(s)"]
        lines += [f"  {w['slug']:<12} {w['year']} {w['status']:<8} {w['responses']:>6} responses  {w['label']}"
                  for w in result["waves"]]
        return "\n".join(lines)

    def do_add_wave(self, *, survey, wave, label, year, start=None, end=None, **options):
        found = find_survey(survey)
        made = self._run(barometer.add_wave, found, slug=wave, label=label, year=year,
                         start=_date(start) if start else None, end=_date(end) if end else None)
        return {"survey": found.slug, "wave": made.slug, "status": made.status}

    def do_open(self, *, survey, wave, **options):
        found = find_survey(survey)
        opened = self._run(barometer.open_wave, self._run(barometer.find_wave, found, wave))
        return {"survey": found.slug, "wave": opened.slug, "status": opened.status}

    def do_close(self, *, survey, wave, **options):
        found = find_survey(survey)
        return {"survey": found.slug, **self._run(barometer.close_wave, self._run(barometer.find_wave, found, wave))}

    def do_compare(self, *, survey, waves, audience=None, **options):
        parts = [w.strip() for w in waves.split(",") if w.strip()]
        if len(parts) != 2:
            raise CommandError(f"--waves: give exactly two wave slugs separated by a comma, got '{waves}'")
        return self._run(barometer.compare, find_survey(survey), parts[0], parts[1], audience=audience)

    def render_compare(self, result) -> str:
        lines = [f"{result['survey']}: {result['first_wave']} → {result['second_wave']}"]
        for row in result["measures"]:
            scale = 100 if row["kind"] == "proportion" else 1
            first, second = row["first"]["estimate"], row["second"]["estimate"]
            if row["difference"] is None:
                lines.append(f"  {row['measure']:<28} {row['reading']}")
                continue
            lines.append(f"  {row['measure']:<28} {first * scale:8.1f} → {second * scale:8.1f}  "
                         f"Δ {row['difference'] * scale:+7.1f} [{row['low'] * scale:+.1f}; {row['high'] * scale:+.1f}]  "
                         f"p = {row['p_value']:.3g}  {row['reading']}")
        return "\n".join(lines)

    def do_trend(self, *, survey, audience=None, include_open=False, **options):
        return self._run(barometer.trend, find_survey(survey), audience=audience, include_open=include_open)

    def do_weight(self, *, survey, wave, margins, audience=None, trim=None, **options):
        from atout.consultation.management.commands.weights import parse_trim, read_margins
        from atout.engine.weighting import RakingError

        found = find_survey(survey)
        target = self._run(barometer.find_wave, found, wave)
        targets = read_margins(Path(margins))
        try:
            result = barometer.weight_wave(target, targets, audience=audience, trim=parse_trim(trim))
        except barometer.BarometerError as exc:
            raise CommandError(str(exc)) from None
        except (RakingError, ValueError) as exc:
            raise CommandError(f"{margins}: {exc}") from None
        return {"survey": found.slug, "wave": target.slug, "audience": audience or "", "weighted": len(result.weights),
                "iterations": result.iterations, "deff": result.deff, "effective_n": result.effective_n,
                "achieved": result.achieved}
