from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "atout.opendata"
    label = "opendata"
