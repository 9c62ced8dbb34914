"""The opendata app's contract (see :mod:`atout.core.contracts`)."""

from atout.core.contracts import Contract

CONTRACT = Contract()
