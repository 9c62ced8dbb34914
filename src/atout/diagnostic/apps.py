from django.apps import AppConfig


class DiagnosticConfig(AppConfig):
    name = "atout.diagnostic"
    label = "diagnostic"
