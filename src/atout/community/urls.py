from django.urls import path

from . import views

app_name = "community"
urlpatterns = [
    # Site-wide pages first: their fixed prefixes must not be read as a process slug.
    path("compte/", views.account, name="account"),
    path("compte/inscription/", views.signup, name="signup"),
    path("compte/lien/", views.link, name="link"),
    path("compte/lien/<str:token>/", views.login_link, name="login_link"),
    path("compte/donnees/", views.my_data, name="my_data"),
    path("compte/donnees.json", views.my_data_json, name="my_data_json"),
    path("compte/supprimer/", views.delete_account, name="delete_account"),
    path("lettre/confirmer/<str:token>/", views.confirm, name="confirm"),
    path("lettre/desabonnement/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("inscription/<str:token>/", views.registration, name="registration"),
    path("<slug:slug>/participer/", views.participate, name="participate"),
    path("<slug:slug>/suivre/", views.follow, name="follow"),
    path("<slug:slug>/evenements/", views.events, name="events"),
    path("<slug:slug>/evenements.ics", views.events_ical, name="events_ical"),
    path("<slug:slug>/evenements/<int:event>/", views.event, name="event"),
    path("<slug:slug>/evenements/<int:event>/presences/", views.attendance, name="attendance"),
    path("<slug:slug>/lettre/", views.subscribe, name="subscribe"),
    path("<slug:slug>/lettres/", views.newsletters, name="newsletters"),
    path("<slug:slug>/ambassadeurs/", views.wall, name="wall"),
    path("<slug:slug>/ambassadeurs/devenir/", views.ambassador_signup, name="ambassador_signup"),
    path("<slug:slug>/ambassadeurs/recit/", views.story_new, name="story_new"),
    path("<slug:slug>/ambassadeurs/photo/<int:story>/", views.story_photo, name="story_photo"),
    path("<slug:slug>/ambassadeurs/kit/", views.brand_kit, name="brand_kit"),
    path("<slug:slug>/ambassadeurs/moderation/", views.moderation, name="moderation"),
    path("<slug:slug>/tableau-de-bord/", views.dashboard, name="dashboard"),
    path("<slug:slug>/acteurs/", views.stakeholders, name="stakeholders"),
]
