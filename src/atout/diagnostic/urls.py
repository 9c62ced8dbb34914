from django.urls import path

from . import views

app_name = "diagnostic"
urlpatterns = [
    path("<slug:slug>/", views.portrait, name="portrait"),
    path("<slug:slug>/indicateurs/", views.indicators, name="indicators"),
    path("<slug:slug>/indicateurs/<slug:code>/", views.indicator, name="indicator"),
    path("<slug:slug>/indicateurs/<slug:code>/csv/", views.indicator_csv, name="indicator_csv"),
    path("<slug:slug>/comparaison/", views.benchmark, name="benchmark"),
    path("<slug:slug>/constats/", views.findings, name="findings"),
    path("<slug:slug>/boussole/", views.compass, name="compass"),
    path("<slug:slug>/synthese/", views.summary, name="summary"),
    path("<slug:slug>/import/", views.import_data, name="import"),
]
