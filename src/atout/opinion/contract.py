"""The opinion app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    public=(
        "atout.opinion.models",
    ),
    # the process's homes (atout.processes.homes) ask for these by name
    provides={
        "home.statements_to_moderate": "atout.opinion.services.statements_to_moderate",
        "home.open_conversations": "atout.opinion.services.open_conversations",
    },
    demo=DemoStep("atout.opinion.demo.prepare"),
)
