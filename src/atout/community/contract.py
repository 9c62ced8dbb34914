"""The community app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    public=(
        "atout.community.demo",
        "atout.community.models",
    ),
    # the process's homes (atout.processes.homes) ask for these by name
    provides={
        "home.stories_to_moderate": "atout.community.services.stories_to_moderate",
        "home.upcoming_events": "atout.community.services.upcoming_events",
    },
    # after opinion: it attaches simulated voters to simulated accounts
    demo=DemoStep("atout.community.demo.prepare", after=("opinion",)),
)
