"""atout: a territory's attractiveness strategy, from evidence to action."""

__version__ = "0.1.0"
