from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "atout.web"
    label = "web"
