"""The strategy app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    public=(
        "atout.strategy.models",
        "atout.strategy.perception",
        "atout.strategy.services",
    ),
    provides={
        "compass.priority_weights": "atout.strategy.services.composite_weights",
    },
    # SWOT from the survey and the themes, on the example strategy (actions), with the community's accounts
    demo=DemoStep("atout.strategy.demo.prepare", after=("consultation", "actions", "community", "fieldwork")),
)
