from django.apps import AppConfig


class DemoConfig(AppConfig):
    """``atout demo``: the Drôme demo, put together from every app's demo step (their contracts)."""

    name = "atout.demo"
    label = "demo"
