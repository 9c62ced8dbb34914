"""The sectors app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    public=(
        "atout.sectors.models",
        "atout.sectors.services",
    ),
    # after community, plan and strategy: filières link actors, SWOT, actions, KPIs
    demo=DemoStep("atout.sectors.demo.prepare", after=("community", "actions", "strategy")),
)
