from django.urls import path

from . import views

app_name = "strategy"
urlpatterns = [
    path("<slug:slug>/", views.strategy, name="strategy"),
    path("<slug:slug>/positionnement/", views.positioning_edit, name="positioning_edit"),
    path("<slug:slug>/positionnement/versions/", views.positioning_history, name="positioning_history"),
    path("<slug:slug>/afom/", views.swot, name="swot"),
    path("<slug:slug>/afom/decision/", views.curate, name="curate"),
    path("<slug:slug>/afom/document.<str:fmt>", views.swot_export, name="swot_export"),
    path("<slug:slug>/afom/proposer/", views.swot_propose, name="swot_propose"),
    path("<slug:slug>/perception/", views.perception, name="perception"),
    path("<slug:slug>/perception/preuve/", views.perception_evidence, name="perception_evidence"),
    path("<slug:slug>/priorites/", views.priorities, name="priorities"),
    path("<slug:slug>/priorites/repartir/", views.prioritise, name="prioritise"),
    path("<slug:slug>/priorites/classer/", views.rank, name="rank"),
    path("<slug:slug>/priorites/mode/", views.prioritisation_mode, name="prioritisation_mode"),
    path("<slug:slug>/preuves/", views.evidence_list, name="evidence_list"),
    path("<slug:slug>/preuves/<int:pk>/", views.evidence, name="evidence"),
]
