"""The actions app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    public=(
        "atout.actions.charts",
        "atout.actions.kpis",
        "atout.actions.models",
        "atout.actions.services",
    ),
    provides={
        "plan.objective_progress": "atout.actions.services.objective_progress",
    },
    # after opinion: the example plan cites the demo conversation
    demo=DemoStep("atout.actions.demo.prepare", after=("opinion",)),
)
