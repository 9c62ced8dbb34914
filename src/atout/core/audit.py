"""The audit log of team actions: who changed what, when.

Three sources write :class:`~atout.core.models.AuditEntry` rows:

- **requests by a signed-in person**: :class:`AuditMiddleware` remembers the request in a context
  variable; generic ``post_save``/``post_delete`` handlers then record every create, update (with
  the changed fields, old → new) and delete of the domain models of atout's apps. Creating an import
  batch is recorded as an *import*, a status turning to open/published as a *publication*.
- **the command line**: :func:`cli_command` (used by :class:`atout.commands.GroupCommand`) records one
  entry per writing action (imports, exports, creations…) under the user name ``cli``; the rows the
  command writes are not logged one by one.
- **services**: :func:`record` writes one explicit entry.

Anonymous visitors' actions are not recorded, and neither is high-volume participant data (survey
responses and answers, votes, rate counters, deliveries…: :data:`EXCLUDED_MODELS`). No personal data
is written: values of personal or secret fields (:data:`HIDDEN_FIELDS`) and of whole personal models
(:data:`PERSONAL_MODELS`) are replaced by the mere fact that they changed.

When an account is deleted, by any path (its owner, the admin, a script), :func:`forget` erases the
person from the journal and from the admin's history (``django_admin_log``): see its docstring.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models, router
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from .models import AuditEntry

#: Models never recorded: high-volume participant data, computed results, counters, the log itself.
EXCLUDED_MODELS = {
    "core.AuditEntry", "core.LoginThrottle",
    "consultation.Response", "consultation.Answer", "consultation.RateBucket", "consultation.ResultsSnapshot",
    "consultation.Invitation",
    "opinion.Vote", "opinion.Participant", "opinion.Analysis",
    "diagnostic.Observation",
    "territories.Membership", "territories.GeographyImport",
    "fieldwork.ThemeAssignment",
    "community.EngagementEvent", "community.Registration", "community.Follow", "community.Notification",
    "community.Subscription", "community.Delivery", "community.Bounce", "community.LoginToken",
    "community.ConsentRecord", "community.Profile",
}
#: Models about a person: recorded with their number only, never their label or values.
PERSONAL_MODELS = {"community.Contact"}
#: Fields whose values are never written (secrets, names, contact details, free text that may name people,
#: machine data too large to be useful); only the fact that they changed.
HIDDEN_FIELDS = {
    "password", "token_hash", "resume_hash", "fingerprint", "receipt", "key", "anonymous_key", "secret",
    "email", "phone", "first_name", "last_name", "named_participants", "author", "transcript", "text",
    "contour", "structure", "draft", "result", "data",
}
#: Models whose creation is an import.
IMPORT_MODELS = {"diagnostic.ImportBatch", "fieldwork.ContributionImport"}
#: Status values that make an object public.
PUBLISHED_STATUSES = {"open", "published", "accepted"}
#: Actions of the command line that write (or export) and are therefore logged, with their kind.
CLI_ACTIONS = {
    "import": "import", "import-xlsform": "import", "import-responses": "import", "ingest": "import",
    "export": "export", "export-xlsform": "export",
    "create": "create", "token-create": "create", "invite": "create", "zones": "update", "update": "update",
    "token-revoke": "delete", "purge": "delete",
    # `actions progress` and `weights rake` only compute and print: nothing to journal.
    "weight": "update", "demo": "create",
}
VALUE_LENGTH = 120


@dataclass(frozen=True)
class Actor:
    user: object | None
    username: str
    #: Record every change of domain models (requests), or only explicit entries (command line).
    each_change: bool


_current: ContextVar = ContextVar("atout_audit_actor", default=None)


@dataclass
class Erasing:
    """Accounts deleted in this context (a request, a command): user name → pseudonym, and their
    things (object type → ids) whose deletion entries are written without any label (:func:`forget`)."""

    pseudonyms: dict
    things: dict


_erasing: ContextVar = ContextVar("atout_audit_erasing", default=None)


def current_actor() -> Actor | None:
    value = _current.get()
    if value is None or isinstance(value, Actor):
        return value
    user = getattr(value, "user", None)  # a request: its user is resolved only when something changes
    if user is None or not user.is_authenticated:
        return None
    return Actor(user, user.get_username(), True)


class AuditMiddleware:
    """Makes the request's user the author of the changes made while serving it.

    Place it after ``AuthenticationMiddleware``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(request)
        erasing = _erasing.set(None)
        try:
            return self.get_response(request)
        finally:
            _erasing.reset(erasing)
            _current.reset(token)


@contextmanager
def acting_as(actor: Actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


_UNSET = object()


def record(action: str, *, obj=None, object_type: str = "", object_id="", label: str = "", process=_UNSET,
           changes: dict | None = None, user=None, username: str | None = None) -> AuditEntry | None:
    """Write one explicit entry. The author is ``user``/``username`` if given, else the current actor
    (request user or ``cli``); without any author nothing is written and None is returned."""
    actor = current_actor()
    if user is None and username is None:
        if actor is None:
            return None
        user, username = actor.user, actor.username
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or obj.pk
        label = label or _label(obj)
        process = _process_id(obj) if process is _UNSET else process
    if process is _UNSET:
        process = None
    username = username or (user.get_username() if user else "")
    erasing = _erasing.get()
    if erasing is not None:  # an account is being deleted: its cascade is written without the person
        if username in erasing.pseudonyms:
            user, username = None, erasing.pseudonyms[username]
        if str(object_id or "") in erasing.things.get(object_type, ()):
            label = _anonymous_label(object_type, object_id)
            changes = {name: [None, None] for name in (changes or {})}
    return AuditEntry.objects.create(
        user=user if getattr(user, "pk", None) else None, username=username[:150],
        process_id=getattr(process, "pk", process), action=action, object_type=object_type[:100],
        object_id=str(object_id or "")[:64], object_label=label[:200], changes=changes or {})


@contextmanager
def cli_command(group: str, action: str, options: dict):
    """Run a command-line action as the ``cli`` user and log it afterwards if it writes."""
    with acting_as(Actor(None, "cli", False)):
        yield
        kind = CLI_ACTIONS.get(action)
        if kind is not None:
            process = _process_from_options(options)
            record(kind, object_type=f"cli.{group}", label=f"atout {group} {action}", process=process)


def _process_from_options(options: dict):
    process_model = _process_model()
    for name in ("process", "slug"):
        value = options.get(name)
        if isinstance(value, str) and value:
            found = process_model.objects.filter(slug=value).values_list("pk", flat=True).first()
            if found:
                return found
    return None


# ---------------------------------------------------------------------------------------------
# Generic recording of changes made in requests


def _process_model():
    """The model entries are filed under, read from the entry's own foreign key: core imports no feature app."""
    return AuditEntry._meta.get_field("process").related_model


def audited(model) -> bool:
    return model.__module__.startswith("atout.") and model._meta.label not in EXCLUDED_MODELS


def _label(instance) -> str:
    if instance._meta.label in PERSONAL_MODELS:
        return f"{instance._meta.verbose_name} #{instance.pk}"
    try:
        return str(instance)[:200]
    except Exception:  # a __str__ that needs a deleted relation
        return f"{instance._meta.verbose_name} #{instance.pk}"


def _process_id(instance):
    process_model = _process_model()
    if isinstance(instance, process_model):
        return instance.pk
    fields = {f.name: f for f in instance._meta.concrete_fields}
    if "process" in fields and isinstance(fields["process"], models.ForeignKey):
        return instance.process_id
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and hasattr(field.related_model, "process"):
            related_id = getattr(instance, field.attname)
            if related_id is not None:
                found = field.related_model._base_manager.filter(pk=related_id).values_list("process", flat=True).first()
                if found:
                    return found
    return None


def _plain(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= VALUE_LENGTH else text[:VALUE_LENGTH - 1] + "…"


def _tracked_fields(model):
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in _tracked_fields(type(instance))}


def _hidden(model, field) -> bool:
    return (model._meta.label in PERSONAL_MODELS or field.name in HIDDEN_FIELDS
            or isinstance(field, models.JSONField | models.BinaryField | models.FileField))


def _changes(model, old: dict | None, new: dict) -> dict:
    changes = {}
    for field in _tracked_fields(model):
        if field.name in {"updated", "updated_at", "modified"}:
            continue
        before = old.get(field.attname) if old is not None else None
        after = new.get(field.attname)
        if old is not None and before == after:
            continue
        if old is None and after in (None, "", [], {}):
            continue
        if _hidden(model, field):
            changes[field.name] = [None, None]
        else:
            changes[field.name] = [_plain(before), _plain(after)]
    return changes


def _on_pre_save(sender, instance, raw=False, **kwargs):
    if raw or not audited(sender) or instance._state.adding or instance.pk is None:
        return
    actor = current_actor()
    if actor is None or not actor.each_change:
        return
    names = [f.attname for f in _tracked_fields(sender)]
    instance._audit_before = sender._base_manager.filter(pk=instance.pk).values(*names).first()


def _on_post_save(sender, instance, created=False, raw=False, **kwargs):
    if raw or not audited(sender):
        return
    actor = current_actor()
    if actor is None or not actor.each_change:
        return
    old = None if created else instance.__dict__.pop("_audit_before", None)
    changes = _changes(sender, old, _values(instance))
    if created:
        action = AuditEntry.Action.IMPORT if sender._meta.label in IMPORT_MODELS else AuditEntry.Action.CREATE
    elif not changes:
        return
    elif "status" in changes and changes["status"][1] in PUBLISHED_STATUSES:
        action = AuditEntry.Action.PUBLISH
    else:
        action = AuditEntry.Action.UPDATE
    record(action, obj=instance, changes=changes, user=actor.user, username=actor.username)


def _on_post_delete(sender, instance, **kwargs):
    process_model = _process_model()
    if isinstance(instance, process_model):
        # Entries written while its contents were deleted point at it: keep them, without the link.
        AuditEntry.objects.filter(process_id=instance.pk).update(process=None)
    if not audited(sender):
        return
    actor = current_actor()
    if actor is None or not actor.each_change:
        return
    process_id = None if isinstance(instance, process_model) else _process_id(instance)
    record(AuditEntry.Action.DELETE, obj=instance, process=process_id, user=actor.user, username=actor.username)


# ---------------------------------------------------------------------------------------------
# Erasing a deleted account from the journal (GDPR)

#: How a deleted account signs its entries; the number is random, drawn once per deleted account.
PSEUDONYM = "compte supprimé #{}"
#: What replaces a text of the admin's history that named the person.
ERASED = "[supprimé]"


def personal_things(user) -> dict[str, set[str]]:
    """Object type → ids of the person's own things: everything deleted with the account (its roles,
    API tokens, ambassador profile and stories, priorities…, at any depth) and directory contacts
    linked to it. Called before the deletion; :func:`forget` empties the journal's labels of them."""
    from django.contrib.admin.utils import NestedObjects

    User = get_user_model()
    collector = NestedObjects(using=router.db_for_write(User))
    collector.collect([user])
    things = defaultdict(set)
    for model, instances in collector.data.items():
        if model is not User and audited(model):  # only what the journal may have written about
            things[model._meta.label].update(str(obj.pk) for obj in instances)
    for related in User._meta.related_objects:
        if related.related_model._meta.label in PERSONAL_MODELS:
            ids = related.related_model._base_manager.filter(**{related.field.name: user}).values_list("pk", flat=True)
            things[related.related_model._meta.label].update(str(pk) for pk in ids)
    return things


def remember_personal_things(user) -> None:
    """For a deletion that removes some of the person's things before the account itself (the
    community's account deletion): list them while they exist."""
    user._audit_things = personal_things(user)


def identifying_texts(user) -> list[str]:
    """The texts that name the person: e-mail address, user name when it is an e-mail address, full
    name. (A bare first name or a short user name would match unrelated labels.)"""
    full_name = f"{user.first_name} {user.last_name}".strip() if user.first_name and user.last_name else ""
    texts = [user.email, user.username if "@" in user.username else "", full_name]
    return sorted({t for t in texts if t and len(t) >= 5})


def _on_pre_delete_user(sender, instance, **kwargs):
    """Before an account is deleted (by any path): erase it from the journal, and have the entries
    that its deletion writes next (its roles, tokens, ambassador profile… deleted with it, in an order
    Django does not fix) written without it."""
    things = personal_things(instance)
    for label, ids in getattr(instance, "_audit_things", {}).items():
        things[label] |= ids
    erasing = _erasing.get()
    if erasing is None:
        erasing = Erasing({}, defaultdict(set))
        _erasing.set(erasing)
    pseudonym = PSEUDONYM.format(secrets.token_hex(4))
    erasing.pseudonyms[instance.username] = pseudonym
    for label, ids in things.items():
        erasing.things[label] |= ids
    forget(instance, pseudonym, things)


def forget(user, pseudonym: str, things: dict[str, set[str]]) -> None:
    """Erase an account about to be deleted from the journal and the admin's history.

    - Entries the person made are signed ``pseudonym`` (« compte supprimé #<8 hex digits> », drawn at
      random once per account: nothing links it to the person) instead of their user name.
    - Entries about the person's own things (:func:`personal_things`: roles, API tokens, ambassador
      profile, stories…) keep their action, type, number and date, but their label becomes
      « <type> #<number> » and their changed values are emptied (the changed field names stay).
    - Any other entry whose label or values contain the person's e-mail address, e-mail user name or
      full name is emptied the same way.
    - In the admin's history (``django_admin_log``), rows about the account or the person's things
      get the same labels, and texts naming the person become « [supprimé] ».

    What was done stays: when, what, on which object, in which process.
    """
    (AuditEntry.objects.filter(Q(user_id=user.pk) | Q(username=user.username))
     .update(username=pseudonym, user=None))
    texts = identifying_texts(user)
    about_things = Q(pk__in=[])
    for label, ids in things.items():
        about_things |= Q(object_type=label, object_id__in=ids)
    naming = Q(pk__in=[])
    journal = AuditEntry.objects.annotate(changes_text=Cast("changes", TextField()))
    for text in texts:
        # JSON values may be stored with \\u escapes (SQLite): look for both spellings.
        escaped = json.dumps(text)[1:-1]
        naming |= Q(object_label__icontains=text) | Q(changes_text__icontains=text) | Q(changes_text__icontains=escaped)
    for entry in journal.filter(about_things | naming):
        entry.object_label = _anonymous_label(entry.object_type, entry.object_id)
        entry.changes = {name: [None, None] for name in entry.changes}
        entry.save(update_fields=["object_label", "changes"])
    _forget_in_admin_history(user, pseudonym, things, texts)


def _anonymous_label(object_type: str, object_id) -> str:
    from django.apps import apps

    try:
        name = apps.get_model(object_type)._meta.verbose_name
    except (LookupError, ValueError):
        name = object_type
    return f"{name} #{object_id}"


def _forget_in_admin_history(user, pseudonym: str, things: dict[str, set[str]], texts: list[str]) -> None:
    from django.apps import apps
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    def names_person(value: str) -> bool:
        folded = value.casefold()
        return any(t.casefold() in folded for t in texts)

    def scrub(value):
        if isinstance(value, str):
            return ERASED if names_person(value) else value
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        return value

    rows = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(get_user_model()), object_id=str(user.pk))
    rows.update(object_repr=pseudonym)
    for label, ids in things.items():
        try:
            content_type = ContentType.objects.get_for_model(apps.get_model(label))
        except LookupError:
            continue
        for object_id in ids:
            (LogEntry.objects.filter(content_type=content_type, object_id=object_id)
             .update(object_repr=_anonymous_label(label, object_id)))
    naming = Q(pk__in=[])
    for text in texts:
        naming |= Q(object_repr__icontains=text) | Q(change_message__icontains=text)
        naming |= Q(change_message__icontains=json.dumps(text)[1:-1])
    for row in LogEntry.objects.filter(naming):
        if names_person(row.object_repr):
            row.object_repr = ERASED
        try:
            row.change_message = json.dumps(scrub(json.loads(row.change_message)))
        except ValueError:  # an old plain-text message
            row.change_message = ERASED if names_person(row.change_message) else row.change_message
        row.save(update_fields=["object_repr", "change_message"])


def connect() -> None:
    from django.apps import apps
    from django.conf import settings
    from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

    pre_save.connect(_on_pre_save, dispatch_uid="atout-audit-pre-save")
    post_save.connect(_on_post_save, dispatch_uid="atout-audit-post-save")
    # Deletions are listened to on the audited models only: a model no receiver listens to is deleted in
    # one statement, where a receiver for every model made Django load and signal each row (the demo's
    # 75,000 survey answers, when it rebuilds them).
    for model in apps.get_models():
        if audited(model):
            post_delete.connect(_on_post_delete, sender=model, dispatch_uid=f"atout-audit-post-delete:{model._meta.label}")
    pre_delete.connect(_on_pre_delete_user, sender=settings.AUTH_USER_MODEL, dispatch_uid="atout-audit-pre-delete-user")
