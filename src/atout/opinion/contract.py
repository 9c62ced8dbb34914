"""The opinion app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    public=(
        "atout.opinion.models",
    ),
    demo=DemoStep("atout.opinion.demo.prepare"),
)
