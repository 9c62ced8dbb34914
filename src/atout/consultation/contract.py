"""The consultation app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    public=(
        "atout.consultation.barometer",
        "atout.consultation.demo",
        "atout.consultation.models",
        "atout.consultation.quotas",
        "atout.consultation.results",
        "atout.consultation.structure",
    ),
    demo=(
        DemoStep("atout.consultation.demo.prepare"),
        # after the plan (and what reshapes it): its KPIs follow the example action A2
        DemoStep("atout.consultation.barometer_demo.prepare", after=("actions", "strategy", "sectors"), name="barometer"),
    ),
)
