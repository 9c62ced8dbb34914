"""Survey operations: import and publish structures, start and submit responses, anti-abuse,
weighting and purge. Views and commands call these; each write is one transaction."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from atout.core.throttle import rate_key
from atout.engine import placenames
from atout.engine.formats.xlsform import Form, read_xlsform
from atout.engine.weighting import rake
from atout.processes.models import Process
from atout.territories.models import Level, Membership, Territory

from . import quotas, receipts
from .models import (
    Answer,
    Invitation,
    Quota,
    RateBucket,
    Response,
    Survey,
    SurveyVersion,
    new_receipt,
    new_token,
    token_hash,
)
from .structure import PROFILE_FIELDS, form_from_dict, form_to_dict, with_profile

DUPLICATE_WINDOW = dt.timedelta(hours=24)


class SubmissionRefused(Exception):
    """A submission that must not be stored (invitation already used, duplicate, survey closed)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


# ---------------------------------------------------------------------------------------------
# Structure


def form_slug(form: Form) -> str:
    """The survey slug an imported form gets by default: its form_id made a slug."""
    return slugify(form.id.replace("_", "-"))[:80] or "questionnaire"


@dataclass(frozen=True)
class VersionChanges:
    """What a new structure changes in the questions of a survey's published version (names, in
    questionnaire order): questions ``added``, ``removed``, and ``changed`` (same name, another
    type, wording, choices, condition or constraint)."""

    added: list[str]
    removed: list[str]
    changed: list[str]


def version_changes(survey: Survey, form: Form) -> VersionChanges:
    """The changes ``form`` (as it would be published, with the profile page) brings to the
    questions of the survey's published version (all added when it has none)."""
    new = {q.name: q for q in with_profile(form_from_dict(form_to_dict(form))).questions()}
    old = {}
    if survey.current_version_id is not None:
        old = {q.name: q for q in form_from_dict(survey.current_version.structure).questions()}
    return VersionChanges(added=[n for n in new if n not in old], removed=[n for n in old if n not in new],
                          changed=[n for n in new if n in old and new[n] != old[n]])


class SurveyIsOpen(Exception):
    """Importing would replace the published version of a survey that respondents are answering;
    ``survey`` is that survey, ``changes`` the :class:`VersionChanges` the import would bring."""

    def __init__(self, survey: Survey, changes: VersionChanges):
        self.survey, self.changes = survey, changes
        super().__init__(f"survey '{survey.slug}' is open")


@transaction.atomic
def import_form(form: Form, process, *, slug: str | None = None, status: str | None = None,
                layout: str | None = None, new_version: bool = False) -> Survey:
    """Create the survey of ``process`` described by ``form``, or give it a new version, and publish it.

    ``slug``: by default :func:`form_slug`. ``status`` (Survey.Status), when given, is set; otherwise a
    new survey is a draft and an existing one keeps its status. ``layout`` (Survey.Layout), when given,
    sets how it is presented to respondents. A survey that is open keeps its respondents on its
    published version unless ``new_version`` says to replace it (:class:`SurveyIsOpen` otherwise,
    nothing changed); responses already collected keep the version they answered."""
    slug = slug or form_slug(form)
    survey = Survey.objects.select_for_update().filter(process=process, slug=slug).first()
    if survey is None:
        survey = Survey(process=process, slug=slug, status=status or Survey.Status.DRAFT)
    elif survey.status == Survey.Status.OPEN and survey.current_version_id is not None and not new_version:
        raise SurveyIsOpen(survey, version_changes(survey, form))
    survey.title_fr = form.title[:200]
    survey.draft = form_to_dict(form)
    if status:
        survey.status = status
    if layout:
        survey.layout = layout
    survey.save()
    publish(survey)
    return survey


@transaction.atomic
def publish(survey: Survey) -> SurveyVersion:
    """Freeze the draft (with the built-in profile page) as a new version; answers keep theirs."""
    form = with_profile(form_from_dict(survey.draft))
    last = survey.versions.order_by("-number").first()
    structure = form_to_dict(form)
    if last is not None and last.structure == structure:
        version = last
    else:
        version = SurveyVersion.objects.create(survey=survey, number=(last.number + 1) if last else 1, structure=structure)
    survey.current_version = version
    survey.save(update_fields=["current_version"])
    return version


def is_public_result(survey: Survey) -> bool:
    """The one publication rule of survey results: they are public once the survey is closed with a
    published questionnaire; before (draft or still open), only the process team sees them.

    Every channel that shows results to someone outside the team reads this rule: the public results
    page, the API and the open-data package (:mod:`atout.opendata.services`)."""
    return survey.status == Survey.Status.CLOSED and survey.current_version_id is not None


def current_form(survey: Survey) -> Form:
    return version_form(survey.current_version_id)


#: Parsed structures of published versions, by version id. A published version never changes
#: (edits make a new version), so a parsed form stays valid for the life of the process.
_VERSION_FORMS: dict[int, Form] = {}


def version_form(version_id: int) -> Form:
    """The parsed structure of a published version (read and parsed once per process and version)."""
    form = _VERSION_FORMS.get(version_id)
    if form is None:
        if len(_VERSION_FORMS) > 256:
            _VERSION_FORMS.clear()
        structure = SurveyVersion.objects.values_list("structure", flat=True).get(pk=version_id)
        form = _VERSION_FORMS[version_id] = form_from_dict(structure)
    return form


def read_form_file(path: Path) -> Form:
    return read_xlsform(path)


@dataclass(frozen=True)
class Places:
    """The communes of a process territory, for commune questions and profile columns."""

    #: (INSEE code, name), by name: the options of a commune question.
    communes: list[tuple[str, str]]
    #: INSEE code → (commune, its EPCI or None, its zone or None).
    by_code: dict[str, tuple[Territory, Territory | None, Territory | None]]


#: Kept a few minutes per territory and process: every answering page and every submission needs
#: them, and the geography only changes with an import (a new commune shows within PLACES_TTL).
PLACES_TTL = 300.0
_PLACES: dict[int, tuple[float, Places]] = {}


def process_places(process) -> Places:
    """The communes of ``process``'s territory with their EPCI and zone (cached PLACES_TTL seconds)."""
    now = time.monotonic()
    cached = _PLACES.get(process.territory_id)
    if cached is not None and now - cached[0] < PLACES_TTL:
        return cached[1]
    light = ("id", "level", "code", "name")  # not the contours
    communes = list(process.territory.communes().only(*light).order_by("name"))
    groups: dict[int, dict[str, Territory]] = {}
    links = Membership.objects.filter(commune__in=[c.pk for c in communes], group__level__in=[Level.EPCI, Level.ZONE])
    for link in links.select_related("group").only("commune_id", *(f"group__{f}" for f in light)):
        groups.setdefault(link.commune_id, {})[link.group.level] = link.group
    places = Places(
        communes=placenames.sorted_places((c.code, c.name) for c in communes),
        by_code={c.code: (c, groups.get(c.pk, {}).get(Level.EPCI), groups.get(c.pk, {}).get(Level.ZONE)) for c in communes},
    )
    _PLACES[process.territory_id] = (now, places)
    return places


def clear_caches() -> None:
    """Forget the parsed versions, the places and the receipt shells of this process (tests; after
    a geography import the places refresh by themselves within PLACES_TTL)."""
    _VERSION_FORMS.clear()
    _PLACES.clear()
    receipts.clear()


def process_communes(process) -> list[tuple[str, str]]:
    """(INSEE code, name) of the process territory's communes, by name."""
    return process_places(process).communes


# ---------------------------------------------------------------------------------------------
# Anti-abuse


def allow(key: str, limit: int, now: dt.datetime | None = None) -> bool:
    """Count one event for ``key`` in the current hour; False once ``limit`` is exceeded.

    One statement (an upsert returning the new count), so concurrent workers never lose a count
    and a submission pays a single round trip for it."""
    now = now or timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    table = connection.ops.quote_name(RateBucket._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, hour, count) VALUES (%s, %s, 1) "
            f"ON CONFLICT (key, hour) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [key, connection.ops.adapt_datetimefield_value(hour)])
        count = cursor.fetchone()[0]
    _forget_old_buckets(now)
    return count <= limit


def _forget_old_buckets(now: dt.datetime) -> None:
    # In the first seconds of each hour only: a delete per submission would cost more than the count.
    if now.minute == 0 and now.second < 5:
        hour = now.replace(minute=0, second=0, microsecond=0)
        RateBucket.objects.filter(hour__lt=hour - dt.timedelta(hours=24)).delete()


def fingerprint(survey: Survey, answers: dict, key: str) -> str:
    """Same answers from the same (hashed) address: a duplicate."""
    canonical = json.dumps(answers, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{survey.pk}|{key}|{canonical}".encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Responses


def start_response(survey: Survey, *, address: str | None = None, user=None,
                   invitation: Invitation | None = None) -> tuple[Response, str]:
    """A partial response and the secret of its resume link (only its hash is stored).

    ``address`` (the respondent's network address, only its daily HMAC used): the start is counted
    against ``survey.rate_limit``; past it, ``SubmissionRefused("rate")`` and nothing is stored."""
    if address is not None and not allow(rate_key(address), survey.rate_limit):
        raise SubmissionRefused("rate")
    token = new_token()
    response = Response.objects.create(
        survey=survey, version=survey.current_version, resume_hash=token_hash(token),
        user=user if user is not None and user.is_authenticated else None,
        invitation=invitation, consent_at=timezone.now(),
    )
    return response, token


def find_invitation(survey: Survey, token: str) -> Invitation | None:
    return Invitation.objects.filter(survey=survey, token_hash=token_hash(token)).first()


def create_invitations(survey: Survey, count: int, label: str = "") -> list[str]:
    """``count`` new single-use invitation tokens (returned once; only hashes are stored)."""
    tokens = [new_token() for _ in range(count)]
    Invitation.objects.bulk_create([Invitation(survey=survey, token_hash=token_hash(t), label=label) for t in tokens])
    return tokens


#: Columns of an answer row besides its survey and response (see :func:`answer_values`).
ANSWER_COLUMNS = ("question", "choice", "number", "text", "date", "position")
#: The answer rows as one array parameter per column (PostgreSQL): one statement whatever their number.
ANSWER_ARRAYS = "unnest(%s::varchar[], %s::varchar[], %s::float8[], %s::text[], %s::date[], %s::smallint[])"


def answer_values(form: Form, answers: dict) -> list[tuple]:
    """Typed answer rows for ``answers`` (question name → value), profile questions included, as
    tuples in the order of ANSWER_COLUMNS."""
    rows: list[tuple] = []
    for question in form.questions():
        value = answers.get(question.name)
        if value is None or value == "" or value == [] or question.type == "note":
            continue
        name = question.name
        if question.type in ("select_multiple", "rank"):
            rows += [(name, str(code)[:100], None, "", None, i + 1) for i, code in enumerate(value)]
        elif question.type in ("select_one", "likert", "commune"):
            rows.append((name, str(value)[:100], _numeric(value), "", None, 0))
        elif question.type in ("score", "integer", "decimal"):
            rows.append((name, "", float(value), "", None, 0))
        elif question.type == "date":
            rows.append((name, "", None, "", dt.date.fromisoformat(str(value)), 0))
        else:
            rows.append((name, "", None, str(value), None, 0))
        other = answers.get(f"{name}_other")
        if question.or_other and other:
            rows.append((f"{name}_other", "", None, str(other), None, 0))
    return rows


def answer_rows(survey: Survey, response: Response, form: Form, answers: dict) -> list[Answer]:
    """The rows of :func:`answer_values` as Answer objects (for bulk_create)."""
    return [Answer(survey=survey, response=response, **dict(zip(ANSWER_COLUMNS, row, strict=True)))
            for row in answer_values(form, answers)]


def insert_answers(survey_id: int, response_id: int, rows: list[tuple]) -> None:
    """Write answer rows in one statement, without building model objects: this runs for every
    submission, where the ORM's per-object work cost more than the database's (bench/submissions_load.py)."""
    if not rows:
        return
    table = connection.ops.quote_name(Answer._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ("survey_id", "response_id", *ANSWER_COLUMNS))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            question, choice, number, text, date, position = (list(c) for c in zip(*rows, strict=True))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, %s, * FROM {ANSWER_ARRAYS}",
                [survey_id, response_id, question, choice, number, text, date, position])
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                               [(survey_id, response_id, *row) for row in rows])


def _numeric(code) -> float | None:
    try:
        return float(code)
    except (TypeError, ValueError):
        return None


def profile_columns(answers: dict, places: Places | None = None) -> dict:
    """Response columns from the profile answers: commune → EPCI and zone through the geography
    (``places``, when given, saves the lookups)."""
    values = {
        "age_band": answers.get("profil_age") or "",
        "sex": answers.get("profil_sexe") or "",
        "profile_status": answers.get("profil_statut") or "",
        "commune": None, "epci": None, "zone": None,
    }
    code = answers.get("profil_commune")
    if code and places is not None and code in places.by_code:
        values["commune"], values["epci"], values["zone"] = places.by_code[code]
    elif code:
        commune = Territory.objects.filter(level=Level.COMMUNE, code=code).first()
        if commune is not None:
            values["commune"] = commune
            groups = {g.level: g for g in commune.groups.filter(level__in=[Level.EPCI, Level.ZONE])}
            values["epci"] = groups.get(Level.EPCI)
            values["zone"] = groups.get(Level.ZONE)
    return values


#: The two ways a submission is stored, with the same outcome (the same rows, the same refusals):
#: "statement", one SQL statement on PostgreSQL (:func:`_store_in_one_statement`), and "orm", the
#: steps in one transaction under locks (:func:`_store`). :func:`store_submission` picks one.
STATEMENT, ORM = "statement", "orm"


def storage_paths(survey: Survey, *, partial: Response | None = None, address: str | None = None,
                  invitation: Invitation | None = None) -> list[str]:
    """The storage paths able to store this submission on this database, the one used first.

    The one statement stores a whole public response counted for the rate limit, on PostgreSQL,
    when no invitation is to be used and no quota closes when full (those need their locked steps)."""
    paths = []
    if partial is None and address is not None and invitation is None and connection.vendor == "postgresql" \
            and not _has_closed_quotas(survey):
        paths.append(STATEMENT)
    paths.append(ORM)
    return paths


def store_submission(survey: Survey, answers: dict, *, partial: Response | None = None, address: str | None = None,
                     user=None, invitation: Invitation | None = None, storage: str | None = None) -> Response:
    """Store a submitted response and its answers, all or nothing: the one entry point of the
    answering views (and of scripts) for storing answers.

    Inputs: ``answers`` (question name → value, checked by :mod:`.answering`); ``partial``: the paged
    layout's response, started on the consent page (where its user, invitation and rate count were
    recorded), or None for a whole response sent in one request (the one-page layout: consent is
    recorded now, and the submission is counted against ``survey.rate_limit`` for ``address``);
    ``address``: the respondent's network address, used only through its daily HMAC
    (:func:`rate_key`) for the rate count and the duplicate check — None for neither (scripts,
    imports); ``storage``: None picks the first of :func:`storage_paths`, tests name one to compare.

    Output: the response, ``submitted`` (with its receipt) or ``screened_out`` (a full quota cell
    closed when full: no answer stored). Submitting a partial response twice returns the first.
    Raises :class:`SubmissionRefused`: "closed", "rate", "duplicate" (same answers from the same
    address within 24 hours), "invitation-used"."""
    paths = storage_paths(survey, partial=partial, address=address, invitation=invitation)
    path = storage or paths[0]
    if path not in paths:
        raise ValueError(f"storage {path!r} cannot store this submission on {connection.vendor} (possible: {paths})")
    key = rate_key(address) if address is not None else ""
    places = process_places(survey.process)
    if partial is not None:
        return _complete(partial, answers, key=key, places=places)
    if survey.status != Survey.Status.OPEN:
        raise SubmissionRefused("closed")
    now = timezone.now()
    response = Response(survey=survey, version_id=survey.current_version_id, consent_at=now, invitation=invitation,
                        user=user if user is not None and user.is_authenticated else None)
    if path == STATEMENT:
        return _store_in_one_statement(response, answers, key=key, rate_limit=survey.rate_limit, places=places, now=now)
    if key and not allow(key, survey.rate_limit, now):
        raise SubmissionRefused("rate")
    with transaction.atomic():
        return _store(response, answers, key=key, places=places, now=now)


def _complete(response: Response, answers: dict, *, key: str, places: Places | None) -> Response:
    """Store a partial response's answers (the paged layout), under a lock on the response."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().select_related("survey", "version").get(pk=response.pk)
        if locked.status == Response.Status.SUBMITTED:
            return locked
        if locked.survey.status != Survey.Status.OPEN:
            raise SubmissionRefused("closed")
        if locked.status == Response.Status.SCREENED_OUT:
            return locked
        return _store(locked, answers, key=key, places=places)


def find_survey(process_slug: str, slug: str) -> Survey | None:
    """The survey ``slug`` of the process ``process_slug`` with its process (``survey.process``),
    without its draft (the builder's JSON, loaded only if asked for), and whether a quota screens
    respondents out (``closed_quotas``); None if either is missing.

    Every answering request starts here: one plain query for both, prepared on PostgreSQL, which
    costs a fraction of the two queries built by the ORM (bench/submissions_load.py)."""
    with _reused_statement_cursor() as cursor:
        cursor.execute(_survey_sql(), [process_slug, slug])
        row = cursor.fetchone()
    if row is None:
        return None
    survey_columns, process_columns = _survey_columns()
    survey = _from_row(Survey, survey_columns, row[:len(survey_columns)])
    survey.process = _from_row(Process, process_columns, row[len(survey_columns):-1])
    survey.closed_quotas = bool(row[-1])
    return survey


def _from_row(model, columns: list[tuple], values) -> models.Model:
    """A ``model`` instance from a row of plain SQL, its values converted as the ORM would (SQLite
    returns dates as text and booleans as 0/1); ``columns`` from :func:`_columns`."""
    converted = []
    for (_name, column, converters), value in zip(columns, values, strict=True):
        for convert in converters:
            value = convert(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [name for name, _c, _v in columns], converted)


def _columns(model, leave_out=()) -> list[tuple]:
    """(attribute, column, converters) of each column of ``model`` but ``leave_out``."""
    found = []
    for field in model._meta.concrete_fields:
        if field.name not in leave_out:
            column = field.get_col(model._meta.db_table)
            found.append((field.attname, column,
                          connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
    return found


@functools.cache
def _survey_columns() -> tuple[list, list]:
    # The draft (a large JSON) only matters to the builder: left out, read if ever asked for.
    return _columns(Survey, leave_out=("draft",)), _columns(Process)


@functools.cache
def _survey_sql() -> str:
    quote = connection.ops.quote_name
    survey, quota, process = (quote(m._meta.db_table) for m in (Survey, Quota, Process))
    survey_columns, process_columns = _survey_columns()
    selected = ", ".join(f"{quote(column.alias)}.{quote(column.target.column)}"
                         for _name, column, _c in survey_columns + process_columns)
    return (f"SELECT {selected}, EXISTS (SELECT 1 FROM {quota} "
            f"WHERE {quota}.survey_id = {survey}.id AND {quota}.close_when_full) "
            f"FROM {survey} JOIN {process} ON {process}.id = {survey}.process_id "
            f"WHERE {process}.slug = %s AND {survey}.slug = %s")


def _has_closed_quotas(survey: Survey) -> bool:
    """Whether a quota of the survey screens respondents out (known when read by ``find_survey``)."""
    known = getattr(survey, "closed_quotas", None)
    return bool(known) if known is not None else survey.quotas.filter(close_when_full=True).exists()


def _store_in_one_statement(response: Response, answers: dict, *, key: str, rate_limit: int, places: Places | None,
                            now: dt.datetime) -> Response:
    """PostgreSQL, no invitation, no closing quota: the rate count, the duplicate check, the response
    row and its answer rows in ONE statement (hence one transaction and one round trip). Same
    outcome as ``allow`` then ``_store``; this is the path of every public one-page submission,
    where each statement cost more than the work it did (bench/submissions_load.py)."""
    survey = response.survey
    _mark_submitted(response, profile_columns(answers, places), fingerprint(survey, answers, key), now)
    fields = _response_fields()
    row = [field.get_db_prep_save(field.pre_save(response, True), connection) for field in fields]
    answer_columns = [list(c) for c in zip(*answer_values(version_form(response.version_id), answers), strict=True)]
    hour = now.replace(minute=0, second=0, microsecond=0)
    params = [key, hour, survey.pk, response.fingerprint, now - DUPLICATE_WINDOW, *row, rate_limit,
              survey.pk, *(answer_columns or [[]] * len(ANSWER_COLUMNS))]
    with _reused_statement_cursor() as cursor:
        cursor.execute(_one_statement_sql(), params)
        count, response.pk, duplicate = cursor.fetchone()
    _forget_old_buckets(now)
    if count > rate_limit:
        raise SubmissionRefused("rate")
    if duplicate:
        raise SubmissionRefused("duplicate")
    response._state.adding = False
    return response


def _reused_statement_cursor():
    """A Django cursor (queries logged and errors wrapped as usual) for a statement run again and
    again. On PostgreSQL its parameters are bound by the server, so that psycopg prepares the
    statement on each connection (from its fifth run) and PostgreSQL stops parsing and planning it
    each time: about a third of the database's work for the storing statement, four fifths for the
    survey's query (bench/submissions_load.py). Django binds on the client unless the
    ``server_side_binding`` option is set, and that option would apply to every query."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = ServerBindingCursor(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


@functools.cache
def _response_fields() -> tuple:
    return tuple(f for f in Response._meta.concrete_fields if not f.primary_key)


@functools.cache
def _one_statement_sql() -> str:
    """The statement of :func:`_store_in_one_statement`, built from the models (so a new column
    of Response is written without touching it). Parameters are cast to their column's type."""
    quote = connection.ops.quote_name
    rate, response, answer = (quote(m._meta.db_table) for m in (RateBucket, Response, Answer))
    fields = _response_fields()
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(f"%s::{re.sub(r'[(].*[)]', '', f.db_type(connection))}" for f in fields)
    answer_columns = ", ".join(quote(c) for c in ("survey_id", "response_id", *ANSWER_COLUMNS))
    return (
        f"WITH bump AS (INSERT INTO {rate} (key, hour, count) VALUES (%s, %s, 1) ON CONFLICT (key, hour) "
        f"DO UPDATE SET count = {rate}.count + 1 RETURNING count), "
        f"duplicate AS (SELECT 1 FROM {response} WHERE survey_id = %s AND fingerprint = %s AND submitted_at >= %s "
        f"LIMIT 1), "
        f"stored AS (INSERT INTO {response} ({columns}) SELECT {values} "
        f"WHERE (SELECT count FROM bump) <= %s AND NOT EXISTS (SELECT 1 FROM duplicate) RETURNING id), "
        f"written AS (INSERT INTO {answer} ({answer_columns}) SELECT %s, stored.id, a.* FROM stored, "
        f"{ANSWER_ARRAYS} AS a) "
        f"SELECT (SELECT count FROM bump), (SELECT id FROM stored), EXISTS (SELECT 1 FROM duplicate)"
    )


def _store(response: Response, answers: dict, *, key: str, places: Places | None,
           now: dt.datetime | None = None) -> Response:
    """Inside the caller's transaction: quota check, invitation use, duplicate check, then the
    response row (submitted, with its profile columns and receipt) and its answer rows."""
    survey = response.survey
    profile = profile_columns(answers, places)
    # Checked again here, under a lock on the cell's quota: the cell may have filled up since
    # the profile page, and two respondents of the last place must not both get in.
    if quotas.full_quota(survey, profile, lock=True) is not None:
        _screen_out(response, profile)
        return response
    now = now or timezone.now()
    if response.invitation_id is not None:
        if not Invitation.objects.filter(pk=response.invitation_id, used_at__isnull=True).update(used_at=now):
            raise SubmissionRefused("invitation-used")
    print_ = fingerprint(survey, answers, key) if key else ""
    if print_ and Response.objects.filter(survey=survey, fingerprint=print_, submitted_at__gte=now - DUPLICATE_WINDOW).exists():
        raise SubmissionRefused("duplicate")
    _mark_submitted(response, profile, print_, now)
    response.save()
    insert_answers(survey.pk, response.pk, answer_values(version_form(response.version_id), answers))
    return response


def _mark_submitted(response: Response, profile: dict, print_: str, now: dt.datetime) -> None:
    """Set what a submitted response holds besides its answers (not saved)."""
    for field, value in profile.items():
        setattr(response, field, value)
    response.status = Response.Status.SUBMITTED
    response.submitted_at = now
    response.receipt = new_receipt()
    response.fingerprint = print_
    response.progress = {}


def _screen_out(response: Response, profile: dict) -> None:
    """Record a respondent refused by a full quota cell: the profile columns are kept (the
    screen-outs are counted per cell), the answers given so far are erased, nothing else stored."""
    for field, value in profile.items():
        setattr(response, field, value)
    response.status = Response.Status.SCREENED_OUT
    response.progress = {}
    # Counted anonymously: not kept in the respondent's account (who could not see or delete it).
    response.user = None
    response.save()


def screen_out_if_full(response: Response, answers: dict) -> Response | None:
    """At the profile page: when the respondent's cell is full and closed, screen the response out
    and return it; otherwise None (and nothing changes)."""
    profile = profile_columns(answers)
    if quotas.full_quota(response.survey, profile) is None:
        return None
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status != Response.Status.PARTIAL:
            return locked
        _screen_out(locked, profile)
    return locked


# ---------------------------------------------------------------------------------------------
# Weighting


WEIGHTING_VARIABLES = {"age_band": "age_band", "sex": "sex", "zone": "zone__code"}


def apply_weights(survey: Survey, margins: dict[str, dict[str, float]], *, trim=None, responses=None):
    """Rake the submitted responses with a complete profile to ``margins`` (variable → category →
    target; variables among age_band, sex, zone) and store the weights (others get none).
    ``responses``: only these responses of the survey (a barometer wave, one audience of it) are
    raked and have their weights replaced; the others keep theirs.
    Output: the engine's RakingResult. Raises RakingError / ValueError with a clear message."""
    unknown = [v for v in margins if v not in WEIGHTING_VARIABLES]
    if unknown:
        raise ValueError(f"unknown weighting variable(s) {unknown}; expected among {sorted(WEIGHTING_VARIABLES)}")
    fields = [WEIGHTING_VARIABLES[v] for v in margins]
    submitted = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
    complete = _complete_profiles(survey, fields)
    if responses is not None:
        submitted = submitted.filter(pk__in=responses.values("pk"))
        complete = complete.filter(pk__in=responses.values("pk"))
    rows = list(complete.values_list("id", *fields))
    if not rows:
        raise ValueError("no submitted response has a complete profile for these variables")
    sample = {variable: [row[i + 1] for row in rows] for i, variable in enumerate(margins)}
    result = rake(sample, margins, trim=trim)
    with transaction.atomic():
        submitted.update(weight=None)
        objects = [Response(id=row[0], weight=float(w)) for row, w in zip(rows, result.weights, strict=True)]
        Response.objects.bulk_update(objects, ["weight"], batch_size=1000)
    return result


def clear_weights(survey: Survey) -> None:
    Response.objects.filter(survey=survey).update(weight=None)


def _complete_profiles(survey: Survey, fields: list[str]):
    """Submitted responses with a value for every one of ``fields`` (Response columns): those raked."""
    complete = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
    for field in fields:
        complete = complete.exclude(**{f"{field}__isnull": True}) if field.endswith("code") else complete.exclude(**{field: ""})
    return complete


def sample_shares(survey: Survey, variables: list[str]) -> dict[str, dict[str, float]]:
    """Unweighted shares of the respondents raked on ``variables`` (complete profiles):
    variable → category → share of them; the "before" of a weighting."""
    from django.db.models import Count

    fields = [WEIGHTING_VARIABLES[v] for v in variables]
    complete = _complete_profiles(survey, fields)
    total = complete.count()
    shares: dict[str, dict[str, float]] = {}
    for variable, field in zip(variables, fields, strict=True):
        counts = complete.values_list(field).annotate(n=Count("id")).order_by()
        shares[variable] = {str(category): n / total for category, n in counts} if total else {}
    return shares


# ---------------------------------------------------------------------------------------------
# Weighting to the territory's INSEE margins

#: The weighting variables whose population margins the offline INSEE data holds.
INSEE_WEIGHTING_VARIABLES = ("age_band", "zone")


class MarginsUnavailable(ValueError):
    """INSEE margins cannot be given as asked; ``variable`` names the variable at fault ("" if none)."""

    def __init__(self, message: str, variable: str = ""):
        self.variable = variable
        super().__init__(message)


def sex_margins_missing() -> str:
    return _("La population par sexe (et par sexe et âge) n'est pas dans les données INSEE hors ligne : "
             "la pondération INSEE ne peut pas porter sur le sexe. Pour pondérer aussi par sexe, "
             "déposez un fichier de marges.")


def insee_margins(survey: Survey, variables) -> dict[str, dict[str, float]]:
    """Population margins of the survey's territory from the INSEE census, for :func:`apply_weights`.

    Input: weighting variables among age_band and zone (``sex`` is refused: the offline INSEE
    data has no population by sex). Output: variable → category (age band; sub-territory code) →
    persons aged 15 and over (``quotas.INSEE_SOURCE``), summed over the communes of the process's
    territory lying in a sub-territory when zone is used, so that every margin has the same total.
    Raises :class:`MarginsUnavailable` naming what is missing (sex, the INSEE file, sub-territories).
    """
    chosen = list(dict.fromkeys(str(v).strip() for v in variables if str(v).strip()))
    if not chosen:
        raise MarginsUnavailable(_("Choisissez au moins une variable de pondération parmi : %(v)s.")
                                 % {"v": ", ".join(INSEE_WEIGHTING_VARIABLES)})
    unknown = [v for v in chosen if v not in WEIGHTING_VARIABLES]
    if unknown:
        raise MarginsUnavailable(_("Variable de pondération inconnue : %(v)s (possibles : %(ok)s).")
                                 % {"v": unknown[0], "ok": ", ".join(INSEE_WEIGHTING_VARIABLES)}, unknown[0])
    if "sex" in chosen:
        raise MarginsUnavailable(sex_margins_missing(), "sex")
    try:
        return quotas.insee_margins(survey.process, chosen)
    except quotas.QuotaInputError as exc:
        raise MarginsUnavailable(str(exc), chosen[0] if len(chosen) == 1 else "") from None


def insee_weighting_options(survey: Survey) -> dict[str, dict]:
    """Each weighting variable (age_band, sex, zone) → ``{"available", "margin", "reason"}``: its
    INSEE margin (category → persons aged 15+) when the offline data gives one, else why not."""
    options = {}
    for variable in WEIGHTING_VARIABLES:
        try:
            margin = insee_margins(survey, [variable])[variable]
        except MarginsUnavailable as exc:
            options[variable] = {"available": False, "margin": None, "reason": str(exc)}
        else:
            options[variable] = {"available": True, "margin": margin, "reason": ""}
    return options


def margin_rows(survey: Survey, margins: dict[str, dict[str, float]], result=None,
                before: dict[str, dict[str, float]] | None = None) -> list[dict]:
    """Rows to show the margins used: variable, category (code and label), population (persons),
    share of the population, and after a raking (``result``) the respondents' share before
    (``before``, see :func:`sample_shares`) and the weighted share achieved."""
    names = quotas.category_names(survey, list(margins))
    rows = []
    for variable, targets in margins.items():
        total = sum(targets.values())
        for category, population in targets.items():
            row = {"variable": variable, "variable_label": _(quotas.VARIABLE_LABELS[variable]), "category": category,
                   "label": names.get((variable, category), category), "population": population,
                   "share": population / total if total else None}
            if result is not None:
                row["before"] = (before or {}).get(variable, {}).get(category, 0.0)
                row["achieved"] = result.achieved[variable][category]
            rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------
# Retention


def purge(today: dt.date | None = None) -> dict:
    """Past their survey's retention date: free-text answers erased, partial responses deleted,
    links to accounts and invitations cut. Idempotent: a second run changes nothing.
    Output: counts of what changed."""
    today = today or timezone.localdate()
    due = Survey.objects.filter(retention_until__isnull=False, retention_until__lt=today)
    texts = Answer.objects.filter(survey__in=due).exclude(text="")
    counts = {"surveys": due.count()}
    with transaction.atomic():
        counts["texts_erased"] = texts.update(text="")
        counts["partial_deleted"] = Response.objects.filter(survey__in=due, status=Response.Status.PARTIAL).delete()[0]
        counts["responses_unlinked"] = Response.objects.filter(survey__in=due).exclude(
            user__isnull=True, resume_hash__isnull=True).update(user=None, resume_hash=None)
        due.filter(purged_at__isnull=True).update(purged_at=timezone.now())
    return counts


PROFILE_QUESTION_NAMES = tuple(PROFILE_FIELDS)


def open_surveys(process) -> list[Survey]:
    """The surveys of ``process`` open to everyone (the public home's calls to take part)."""
    return list(Survey.objects.filter(process=process, status=Survey.Status.OPEN, mode=Survey.Mode.OPEN)
                .order_by("title_fr"))
