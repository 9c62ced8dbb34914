"""The actions app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    # after opinion: the example plan cites the demo conversation
    demo=DemoStep("atout.actions.demo.prepare", after=("opinion",)),
)
