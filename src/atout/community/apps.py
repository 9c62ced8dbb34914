from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "atout.community"
    label = "community"
