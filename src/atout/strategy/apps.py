from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "atout.strategy"
    label = "strategy"
