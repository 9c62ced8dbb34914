"""Opinion conversations: votes in, engine analysis out, pol.is files both ways.

Views, API and the CLI all go through these functions.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from atout.engine import opinion as engine
from atout.engine.formats import polis
from atout.engine.formats.errors import FormatError

from .models import Analysis, Conversation, Participant, Statement, Vote

#: Above this many participants the map draws a seeded sample of points (the table keeps everyone).
MAP_POINTS = 3000


# --- taking part ------------------------------------------------------------------------------


def participant_for(conversation: Conversation, request, *, create: bool) -> Participant | None:
    """The participant behind a request: by account when signed in, else by hashed session key."""
    if request.user.is_authenticated:
        found = conversation.participants.filter(user=request.user).first()
        if found or not create:
            return found
        return _new_participant(conversation, user=request.user)
    if not request.session.session_key:
        if not create:
            return None
        request.session.save()
    key = Participant.key_for(request.session.session_key)
    found = conversation.participants.filter(anonymous_key=key).first()
    if found or not create:
        return found
    return _new_participant(conversation, anonymous_key=key)


def _new_participant(conversation: Conversation, **fields) -> Participant:
    with transaction.atomic():
        # Lock the conversation row so two first votes at once get distinct numbers.
        Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
        number = (conversation.participants.aggregate(m=Max("number"))["m"] or -1) + 1
        return Participant.objects.create(conversation=conversation, number=number, **fields)


def next_statement(conversation: Conversation, participant: Participant | None) -> Statement | None:
    """The next published statement this participant has not voted on (oldest first)."""
    statements = conversation.statements.filter(status=Statement.Status.ACCEPTED)
    if participant is not None:
        statements = statements.exclude(votes__participant=participant)
    return statements.order_by("number").first()


def record_vote(participant: Participant, statement: Statement, value: int) -> Vote:
    if value not in (Vote.AGREE, Vote.PASS, Vote.DISAGREE):
        raise ValueError("a vote is 1 (agree), -1 (disagree) or 0 (pass)")
    if statement.conversation_id != participant.conversation_id or statement.status != Statement.Status.ACCEPTED:
        raise ValueError("this statement cannot be voted on")
    return Vote.objects.create(participant=participant, statement=statement, value=value, created=timezone.now())


def submit_statement(conversation: Conversation, participant: Participant, text: str) -> Statement:
    """A participant's statement: published at once under post-moderation, else waiting."""
    text = " ".join(text.split())
    status = Statement.Status.ACCEPTED if conversation.moderation == Conversation.Moderation.POST else Statement.Status.PENDING
    with transaction.atomic():
        Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
        number = (conversation.statements.aggregate(m=Max("number"))["m"] or -1) + 1
        return Statement.objects.create(
            conversation=conversation, number=number, text=text, author=participant, status=status, created=timezone.now()
        )


def add_seed_statements(conversation: Conversation, texts: list[str]) -> list[Statement]:
    with transaction.atomic():
        start = (conversation.statements.aggregate(m=Max("number"))["m"] or -1) + 1
        now = timezone.now()
        return Statement.objects.bulk_create(
            Statement(conversation=conversation, number=start + i, text=" ".join(t.split()), seed=True,
                      status=Statement.Status.ACCEPTED, created=now)
            for i, t in enumerate(t for t in texts if t.strip())
        )


def moderate(statement: Statement, *, accept: bool, reason: str, user) -> Statement:
    statement.status = Statement.Status.ACCEPTED if accept else Statement.Status.REJECTED
    statement.moderation_reason = reason.strip()
    statement.moderated_by = user
    statement.save(update_fields=["status", "moderation_reason", "moderated_by"])
    return statement


# --- analysis ---------------------------------------------------------------------------------


def vote_matrix(conversation: Conversation) -> engine.VoteMatrix:
    """The participants × statements matrix of the latest votes, ids being pol.is-style numbers."""
    rows = np.array(
        list(Vote.objects.filter(statement__conversation=conversation)
             .values_list("participant__number", "statement__number", "value", "created")),
        dtype=object,
    )
    participant_ids = list(conversation.participants.values_list("number", flat=True))
    statement_ids = list(conversation.statements.values_list("number", flat=True))
    if len(rows) == 0:
        return engine.VoteMatrix.from_votes([], [], [], participant_ids=participant_ids, statement_ids=statement_ids)
    stamps = np.array([c.timestamp() for c in rows[:, 3]], dtype=np.float64)
    return engine.VoteMatrix.from_votes(
        rows[:, 0].astype(np.int64), rows[:, 1].astype(np.int64), rows[:, 2].astype(np.int64),
        timestamp=stamps, participant_ids=participant_ids, statement_ids=statement_ids,
    )


def excluded_statements(conversation: Conversation) -> list[int]:
    """Statements the analysis leaves out: rejected ones and those still waiting for moderation."""
    return list(conversation.statements.exclude(status=Statement.Status.ACCEPTED).values_list("number", flat=True))


def run_analysis(conversation: Conversation, *, seed: int = 0) -> Analysis:
    matrix = vote_matrix(conversation)
    result = engine.analyze(matrix, moderated_out=excluded_statements(conversation), random_state=seed)
    return Analysis.objects.create(
        conversation=conversation,
        parameters={"seed": seed, **result.parameters},
        votes_count=matrix.n_votes,
        result=result_as_dict(result, seed=seed),
    )


def result_as_dict(result: engine.OpinionResult, *, seed: int = 0) -> dict:
    """The stored form of an analysis: the CLI's JSON shape plus what the map needs."""
    points = np.flatnonzero(result.groups >= 0)
    if len(points) > MAP_POINTS:
        points = np.sort(np.random.default_rng(seed).choice(points, MAP_POINTS, replace=False))
    return {
        **engine.to_dict(result),
        "in_conversation": int(result.in_conversation.sum()),
        "participants_total": int(len(result.participant_ids)),
        "points": [[round(float(result.projections[i, 0]), 4), round(float(result.projections[i, 1]), 4),
                    int(result.groups[i])] for i in points],
        "silhouettes": {str(k): float(v) for k, v in result.silhouettes.items()},
        "explained_variance": [float(v) for v in result.explained_variance],
    }


# --- pol.is files -----------------------------------------------------------------------------


def import_polis(process, folder: Path, *, slug: str, question: str = "") -> Conversation:
    """Create a conversation from a pol.is export folder, all or nothing."""
    data = polis.read_conversation(folder)
    if Conversation.objects.filter(process=process, slug=slug).exists():
        raise FormatError(f"a conversation '{slug}' already exists in this process", path=folder)
    topic = question or data.summary.get("topic") or data.summary.get("conversation-description") or slug
    with transaction.atomic():
        conversation = Conversation.objects.create(
            process=process, slug=slug, question=topic[:300], description=data.summary.get("conversation-description", ""),
            source=f"pol.is open data ({data.summary.get('url', Path(folder).name)})",
            status=Conversation.Status.CLOSED,
        )
        moderation = {polis.MODERATED_OUT: Statement.Status.REJECTED, polis.UNMODERATED: Statement.Status.ACCEPTED,
                      polis.ACCEPTED: Statement.Status.ACCEPTED}
        statements = Statement.objects.bulk_create(
            Statement(conversation=conversation, number=s.id, text=s.text, status=moderation[s.moderated],
                      created=_from_millis(s.timestamp))
            for s in data.statements
        )
        participants = Participant.objects.bulk_create(
            Participant(conversation=conversation, number=int(pid)) for pid in data.votes.participant_ids
        )
        by_statement = {s.number: s.pk for s in statements}
        by_participant = {p.number: p.pk for p in participants}
        history = data.history
        Vote.objects.bulk_create(
            (
                Vote(participant_id=by_participant[int(p)], statement_id=by_statement[int(s)], value=int(v),
                     created=_from_millis(int(t)))
                for p, s, v, t in zip(history.participant, history.statement, history.vote, history.timestamp, strict=True)
            ),
            batch_size=5000,
        )
    return conversation


def export_polis(conversation: Conversation, folder: Path) -> list[Path]:
    """Write the conversation in the pol.is open-data format (votes with their history)."""
    statements = list(conversation.statements.order_by("number"))
    counts = {}
    matrix = vote_matrix(conversation)
    dense = matrix.votes.tocsc()
    for j, sid in enumerate(matrix.statement_ids):
        column = dense.getcol(j)
        counts[int(sid)] = (int((column.data == 1).sum()), int((column.data == -1).sum()))
    status = {Statement.Status.REJECTED: polis.MODERATED_OUT, Statement.Status.PENDING: polis.UNMODERATED,
              Statement.Status.ACCEPTED: polis.ACCEPTED}
    votes = list(Vote.objects.filter(statement__conversation=conversation).order_by("created", "pk")
                 .values_list("created", "statement__number", "participant__number", "value"))
    analysis = conversation.latest_analysis()
    groups = {int(k): v for k, v in (analysis.result.get("participants", {}) if analysis else {}).items()}
    data = polis.PolisConversation(
        summary={"topic": conversation.question, "url": "", "conversation-description": conversation.description},
        statements=[
            polis.Statement(
                id=s.number, text=s.text, author_id=s.author.number if s.author_id else -1, moderated=status[s.status],
                timestamp=int(s.created.timestamp() * 1000), datetime=_polis_datetime(s.created),
                agrees=counts.get(s.number, (0, 0))[0], disagrees=counts.get(s.number, (0, 0))[1],
            )
            for s in statements
        ],
        votes=matrix,
        history=polis.VoteHistory(
            timestamp=np.array([int(v[0].timestamp() * 1000) for v in votes], dtype=np.int64),
            datetime=np.array([_polis_datetime(v[0]) for v in votes], dtype=object),
            statement=np.array([v[1] for v in votes], dtype=np.int64),
            participant=np.array([v[2] for v in votes], dtype=np.int64),
            vote=np.array([v[3] for v in votes], dtype=np.int8),
        ),
        polis_groups={int(p): groups.get(int(p)) for p in matrix.participant_ids},
    )
    return polis.write_conversation(data, folder)


def export_zip(conversation: Conversation, target) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        paths = export_polis(conversation, Path(tmp))
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in paths:
                archive.write(path, arcname=path.name)


def _from_millis(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def _polis_datetime(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)")


# --- team home --------------------------------------------------------------------------------


def statements_to_moderate(process) -> list[dict]:
    """Conversations of ``process`` with statements waiting for a moderation decision, most waiting first:
    ``[{"conversation", "count"}]`` (for the team home)."""
    from django.db.models import Count, Q

    rows = (Conversation.objects.filter(process=process)
            .annotate(count=Count("statements", filter=Q(statements__status=Statement.Status.PENDING)))
            .filter(count__gt=0).order_by("-count", "question"))
    return [{"conversation": c, "count": c.count} for c in rows]


def open_conversations(process) -> list:
    """The conversations of ``process`` open to votes (the public home's calls to take part)."""
    return list(Conversation.objects.filter(process=process, status=Conversation.Status.OPEN))
