from django.apps import AppConfig


class OpinionConfig(AppConfig):
    name = "atout.opinion"
    label = "opinion"
