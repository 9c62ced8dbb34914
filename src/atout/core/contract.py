"""The core app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract

CONTRACT = Contract(
    public=(
        "atout.core.access",
        "atout.core.audit",
        "atout.core.contracts",
        "atout.core.files",
        "atout.core.jobs",
        "atout.core.login",
        "atout.core.models",
        "atout.core.planner",
        "atout.core.site",
        "atout.core.tasks",
        "atout.core.throttle",
        "atout.core.uploads",
        "atout.core.vocabularies",
    ),
)
