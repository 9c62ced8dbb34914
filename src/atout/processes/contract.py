"""The processes app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract

CONTRACT = Contract(
    public=(
        "atout.processes.demo",
        "atout.processes.models",
        "atout.processes.roles",
    ),
)
