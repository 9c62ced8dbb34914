"""``atout engagement``: who the process reached.

``atout engagement stats --process SLUG --json`` prints ``{"participants", "anonymous_contributions",
"by_channel", "by_category", "by_subterritory", "targets"}``: distinct known people (each counted
once whatever the number of channels), anonymous contributions, people per channel (with the
anonymous contributions of the channel), per category, per sub-territory (with population and reach
per 1,000 inhabitants) and progress towards the process's targets.
"""

from __future__ import annotations

from atout.commands import GroupCommand, json_flag
from atout.community.engagement import reach

from .stakeholders import get_process


def _stats_args(parser) -> None:
    parser.add_argument("--process", required=True, metavar="SLUG", help="the process (démarche) slug")
    json_flag(parser)


class Command(GroupCommand):
    help = "Engagement: distinct people reached by channel, category and sub-territory."
    actions = {"stats": ("distinct people reached, against targets and population", _stats_args)}

    def do_stats(self, *, process, **options):
        return reach(get_process(process)).as_dict()

    def render_stats(self, result):
        lines = [f"{result['participants']} distinct people, {result['anonymous_contributions']} anonymous contribution(s)"]
        lines += [f"  {channel}: {v['people']} people, {v['anonymous']} anonymous" for channel, v in result["by_channel"].items()]
        lines += [f"  {code}: {v['people']} people ({v['per_1000']} per 1,000)" for code, v in result["by_subterritory"].items()]
        lines += [f"  target {k}: {v['reached']} / {v['target']}" for k, v in result["targets"].items()]
        return "\n".join(lines)
