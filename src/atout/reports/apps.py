from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "atout.reports"
    label = "reports"
