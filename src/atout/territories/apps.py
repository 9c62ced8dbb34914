from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "atout.territories"
    label = "territories"
