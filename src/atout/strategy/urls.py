from django.urls import path

from . import views

app_name = "strategy"
urlpatterns = [
    path("<slug:slug>/", views.strategy, name="strategy"),
    path("<slug:slug>/afom/", views.swot, name="swot"),
    path("<slug:slug>/afom/decision/", views.curate, name="curate"),
    path("<slug:slug>/priorites/", views.priorities, name="priorities"),
    path("<slug:slug>/priorites/repartir/", views.prioritise, name="prioritise"),
    path("<slug:slug>/preuves/", views.evidence_list, name="evidence_list"),
    path("<slug:slug>/preuves/<int:pk>/", views.evidence, name="evidence"),
]
