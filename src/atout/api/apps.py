from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "atout.api"
    label = "api"
