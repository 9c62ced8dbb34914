"""The consultation app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    public=(
        "atout.consultation.demo",
        "atout.consultation.models",
        "atout.consultation.quotas",
        "atout.consultation.results",
        "atout.consultation.structure",
    ),
    demo=DemoStep("atout.consultation.demo.prepare"),
)
