"""``atout opinion``: opinion mapping of pol.is-style conversations.

``atout opinion analyze DIR [--json] [--seed N]`` reads a pol.is export folder and prints the groups,
each group's representative statements and the consensus statements.
``atout opinion export DIR --output DIR2`` reads an export folder and writes it back (a check that the
folder is readable and a normalised copy).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from atout.commands import GroupCommand, json_flag, progress_bar
from atout.engine.formats.errors import FormatError
from atout.engine.formats.polis import read_conversation, write_conversation
from atout.engine.opinion import analyze
from atout.engine.opinion import to_dict as opinion_to_dict


def _analyze_args(parser) -> None:
    parser.add_argument("folder", metavar="DIR", help="pol.is export folder (comments.csv, votes.csv, …)")
    json_flag(parser)
    parser.add_argument("--seed", type=int, default=0, help="random seed of k-means (default 0)")


def _export_args(parser) -> None:
    parser.add_argument("folder", metavar="DIR", help="pol.is export folder to read")
    parser.add_argument("--output", required=True, metavar="DIR2", help="folder to write the export to")
    json_flag(parser)


class Command(GroupCommand):
    help = "Opinion mapping: groups, representative and consensus statements of a pol.is-style conversation."

    actions = {
        "analyze": ("map a pol.is export folder: groups, representative and consensus statements", _analyze_args),
        "export": ("read a pol.is export folder and write it to another folder", _export_args),
    }
    offline_actions = frozenset({"analyze", "export"})

    def _read(self, folder: str):
        try:
            return read_conversation(Path(folder))
        except FormatError as exc:
            raise CommandError(str(exc)) from exc

    def do_analyze(self, *, folder: str, seed: int = 0, **options) -> dict:
        with progress_bar(2, "opinion analyze") as progress:
            conversation = self._read(folder)
            progress(1)
            result = analyze(conversation.votes, moderated_out=conversation.moderated_out, random_state=seed)
            progress(2)
        return opinion_to_dict(result)

    def render_analyze(self, data: dict) -> str:
        lines = []
        n_in = sum(1 for g in data["participants"].values() if g is not None)
        lines.append(f"{len(data['participants'])} participants, {n_in} in the conversation, {len(data['groups'])} groups")
        for group in data["groups"]:
            lines.append(f"group {group['id']}: {group['size']} participants")
            for r in group["representative"]:
                lines.append(
                    f"  statement {r['statement']}: {r['direction']} p={r['p']:.2f} repness={r['repness']:.2f} z={r['z']:.2f}"
                )
        for direction in ("agree", "disagree"):
            items = ", ".join(f"{c['statement']} (p={c['p']:.2f})" for c in data["consensus"][direction])
            lines.append(f"consensus {direction}: {items or 'none'}")
        return "\n".join(lines)

    def do_export(self, *, folder: str, output: str, **options) -> dict:
        conversation = self._read(folder)
        paths = write_conversation(conversation, Path(output))
        return {
            "written": [str(p) for p in paths],
            "participants": int(conversation.votes.shape[0]),
            "statements": len(conversation.statements),
            "votes": len(conversation.history),
        }
