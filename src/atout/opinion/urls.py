from django.urls import path

from . import views

app_name = "opinion"
urlpatterns = [
    path("<slug:slug>/", views.conversations, name="conversations"),
    path("<slug:slug>/nouvelle/", views.new, name="new"),
    path("<slug:slug>/importer/", views.import_polis, name="import"),
    path("<slug:slug>/<slug:conversation>/", views.conversation, name="conversation"),
    path("<slug:slug>/<slug:conversation>/proposer/", views.propose, name="propose"),
    path("<slug:slug>/<slug:conversation>/profil/", views.profile, name="profile"),
    path("<slug:slug>/<slug:conversation>/carte/", views.results, name="results"),
    path("<slug:slug>/<slug:conversation>/groupe/<int:group>/", views.group, name="group"),
    path("<slug:slug>/<slug:conversation>/moderation/", views.moderation, name="moderation"),
    path("<slug:slug>/<slug:conversation>/analyser/", views.analyze, name="analyze"),
    path("<slug:slug>/<slug:conversation>/export.zip", views.export, name="export"),
]
