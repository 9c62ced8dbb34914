from django.urls import path

from . import editing, views

app_name = "processes"
urlpatterns = [
    path("", views.chooser, name="chooser"),
    path("invitation/<str:token>/", editing.invitation, name="invitation"),
    path("<slug:slug>/", views.home, name="home"),
    path("<slug:slug>/equipe/", views.team, name="team"),
    path("<slug:slug>/equipe/demarche/", editing.edit_process, name="edit"),
    path("<slug:slug>/equipe/axes/", editing.edit_axes, name="axes"),
    path("<slug:slug>/equipe/membres/", editing.members, name="members"),
    path("<slug:slug>/equipe/membres/<int:pk>/", editing.member_change, name="member_change"),
]
