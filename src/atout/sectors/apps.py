from django.apps import AppConfig


class SectorsConfig(AppConfig):
    name = "atout.sectors"
    label = "sectors"
    verbose_name = "Filières"
