"""The community app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract, DemoStep

CONTRACT = Contract(
    public=(
        "atout.community.demo",
        "atout.community.models",
    ),
    # after opinion: it attaches simulated voters to simulated accounts
    demo=DemoStep("atout.community.demo.prepare", after=("opinion",)),
)
