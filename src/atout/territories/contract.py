"""The territories app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract

CONTRACT = Contract(
    public=(
        "atout.territories.importer",
        "atout.territories.maps",
        "atout.territories.models",
        "atout.territories.services",
    ),
)
