"""The fieldwork app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    public=(
        "atout.fieldwork.coding",
        "atout.fieldwork.models",
        "atout.fieldwork.themeruns",
    ),
    demo=DemoStep("atout.fieldwork.demo.prepare"),
)
