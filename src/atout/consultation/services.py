"""Survey operations: import and publish structures, start and submit responses, anti-abuse,
weighting and purge. Views and commands call these; each write is one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from atout.engine.formats.xlsform import Form, read_xlsform
from atout.engine.weighting import rake
from atout.territories.models import Level, Territory

from . import quotas
from .models import (
    Answer,
    Invitation,
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


@transaction.atomic
def import_form(form: Form, process, *, slug: str | None = None, status: str = Survey.Status.DRAFT) -> Survey:
    """Create (or give a new version to) the survey of ``process`` described by ``form``; publishes it."""
    slug = slug or slugify(form.id.replace("_", "-"))[:80] or "questionnaire"
    survey, _created = Survey.objects.get_or_create(
        process=process, slug=slug, defaults={"title_fr": form.title[:200], "status": status},
    )
    survey.title_fr = form.title[:200]
    survey.draft = form_to_dict(form)
    if status:
        survey.status = status
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


def current_form(survey: Survey) -> Form:
    return form_from_dict(survey.current_version.structure)


def read_form_file(path: Path) -> Form:
    return read_xlsform(path)


def process_communes(process) -> list[tuple[str, str]]:
    """(INSEE code, name) of the process territory's communes, by name."""
    return list(process.territory.communes().order_by("name").values_list("code", "name"))


# ---------------------------------------------------------------------------------------------
# Anti-abuse


def rate_key(address: str, today: dt.date | None = None) -> str:
    """HMAC of the network address with a salt that changes every day: never the address itself."""
    today = today or timezone.localdate()
    salt = hmac.new(settings.SECRET_KEY.encode(), f"atout-rate-{today.isoformat()}".encode(), hashlib.sha256).digest()
    return hmac.new(salt, address.encode(), hashlib.sha256).hexdigest()


def allow(key: str, limit: int, now: dt.datetime | None = None) -> bool:
    """Count one event for ``key`` in the current hour; False once ``limit`` is exceeded."""
    now = now or timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        updated = RateBucket.objects.filter(key=key, hour=hour).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    RateBucket.objects.create(key=key, hour=hour, count=1)
            except IntegrityError:  # another worker created it first
                RateBucket.objects.filter(key=key, hour=hour).update(count=F("count") + 1)
        count = RateBucket.objects.filter(key=key, hour=hour).values_list("count", flat=True).first() or 0
    if now.minute == 0 and now.second < 5:
        RateBucket.objects.filter(hour__lt=hour - dt.timedelta(hours=24)).delete()
    return count <= limit


def fingerprint(survey: Survey, answers: dict, key: str) -> str:
    """Same answers from the same (hashed) address: a duplicate."""
    canonical = json.dumps(answers, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{survey.pk}|{key}|{canonical}".encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Responses


def start_response(survey: Survey, *, user=None, invitation: Invitation | None = None) -> tuple[Response, str]:
    """A partial response and the secret of its resume link (only its hash is stored)."""
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


def answer_rows(survey: Survey, response: Response, form: Form, answers: dict) -> list[Answer]:
    """Typed answer rows for ``answers`` (question name → value); profile questions included."""
    rows: list[Answer] = []
    for question in form.questions():
        value = answers.get(question.name)
        if value is None or value == "" or value == [] or question.type == "note":
            continue
        base = {"survey": survey, "response": response, "question": question.name}
        if question.type in ("select_multiple", "rank"):
            rows += [Answer(**base, choice=str(code)[:100], position=i + 1) for i, code in enumerate(value)]
        elif question.type in ("select_one", "likert", "commune"):
            rows.append(Answer(**base, choice=str(value)[:100], number=_numeric(value)))
        elif question.type in ("score", "integer", "decimal"):
            rows.append(Answer(**base, number=float(value)))
        elif question.type == "date":
            rows.append(Answer(**base, date=dt.date.fromisoformat(str(value))))
        else:
            rows.append(Answer(**base, text=str(value)))
        other = answers.get(f"{question.name}_other")
        if question.or_other and other:
            rows.append(Answer(**base | {"question": f"{question.name}_other"}, text=str(other)))
    return rows


def _numeric(code) -> float | None:
    try:
        return float(code)
    except (TypeError, ValueError):
        return None


def profile_columns(answers: dict, communes_by_code: dict[str, Territory] | None = None) -> dict:
    """Response columns from the profile answers: commune → EPCI and zone through the geography."""
    values = {
        "age_band": answers.get("profil_age") or "",
        "sex": answers.get("profil_sexe") or "",
        "profile_status": answers.get("profil_statut") or "",
        "commune": None, "epci": None, "zone": None,
    }
    code = answers.get("profil_commune")
    if code:
        commune = (communes_by_code or {}).get(code) or Territory.objects.filter(level=Level.COMMUNE, code=code).first()
        if commune is not None:
            values["commune"] = commune
            groups = {g.level: g for g in commune.groups.filter(level__in=[Level.EPCI, Level.ZONE])}
            values["epci"] = groups.get(Level.EPCI)
            values["zone"] = groups.get(Level.ZONE)
    return values


def submit(response: Response, answers: dict, *, key: str = "") -> Response:
    """Store a response and its answers in one transaction; nothing is stored if anything fails.

    Refuses (``SubmissionRefused``) a closed survey, a used invitation, and a duplicate (same
    answers from the same hashed address within 24 hours). Submitting twice returns the first.
    A respondent of a full quota cell closed when full is screened out instead: the response is
    returned with status ``screened_out`` and no answer is stored.
    """
    with transaction.atomic():
        locked = Response.objects.select_for_update().select_related("survey", "version").get(pk=response.pk)
        if locked.status == Response.Status.SUBMITTED:
            return locked
        survey = locked.survey
        if survey.status != Survey.Status.OPEN:
            raise SubmissionRefused("closed")
        if locked.status == Response.Status.SCREENED_OUT:
            return locked
        profile = profile_columns(answers)
        # Checked again here, under a lock on the cell's quota: the cell may have filled up since
        # the profile page, and two respondents of the last place must not both get in.
        if quotas.full_quota(survey, profile, lock=True) is not None:
            _screen_out(locked, profile)
            return locked
        now = timezone.now()
        if locked.invitation_id is not None:
            if not Invitation.objects.filter(pk=locked.invitation_id, used_at__isnull=True).update(used_at=now):
                raise SubmissionRefused("invitation-used")
        print_ = fingerprint(survey, answers, key) if key else ""
        if print_ and Response.objects.filter(survey=survey, fingerprint=print_, submitted_at__gte=now - DUPLICATE_WINDOW).exists():
            raise SubmissionRefused("duplicate")
        form = form_from_dict(locked.version.structure)
        Answer.objects.bulk_create(answer_rows(survey, locked, form, answers), batch_size=500)
        for field, value in profile.items():
            setattr(locked, field, value)
        locked.status = Response.Status.SUBMITTED
        locked.submitted_at = now
        locked.receipt = new_receipt()
        locked.fingerprint = print_
        locked.progress = {}
        locked.save()
        return locked


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


def apply_weights(survey: Survey, margins: dict[str, dict[str, float]], *, trim=None):
    """Rake the submitted responses with a complete profile to ``margins`` (variable → category →
    target; variables among age_band, sex, zone) and store the weights (others get none).
    Output: the engine's RakingResult. Raises RakingError / ValueError with a clear message."""
    unknown = [v for v in margins if v not in WEIGHTING_VARIABLES]
    if unknown:
        raise ValueError(f"unknown weighting variable(s) {unknown}; expected among {sorted(WEIGHTING_VARIABLES)}")
    fields = [WEIGHTING_VARIABLES[v] for v in margins]
    submitted = Response.objects.filter(survey=survey, status=Response.Status.SUBMITTED)
    complete = submitted
    for field in fields:
        complete = complete.exclude(**{f"{field}__isnull": True}) if field.endswith("code") else complete.exclude(**{field: ""})
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
