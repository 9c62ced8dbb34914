from django.urls import path

from . import views

app_name = "consultation"
urlpatterns = [
    # Public answering
    path("<slug:slug>/q/<slug:survey>/", views.start, name="start"),
    path("<slug:slug>/q/<slug:survey>/invitation/<str:token>/", views.invitation, name="invitation"),
    path("<slug:slug>/q/<slug:survey>/r/<str:resume>/", views.resume, name="resume"),
    path("<slug:slug>/q/<slug:survey>/r/<str:resume>/page/<int:page>/", views.answer_page, name="page"),
    path("<slug:slug>/q/<slug:survey>/r/<str:resume>/recu/", views.receipt, name="receipt"),
    # The respondent's own answers
    path("<slug:slug>/mes-reponses/", views.my_responses, name="mine"),
    # Back office
    path("<slug:slug>/questionnaires/", views.survey_list, name="list"),
    path("<slug:slug>/questionnaires/importer/", views.upload, name="upload"),
    path("<slug:slug>/questionnaires/<slug:survey>/", views.builder, name="builder"),
    path("<slug:slug>/questionnaires/<slug:survey>/question/<str:name>/", views.edit_question, name="edit_question"),
    path("<slug:slug>/questionnaires/<slug:survey>/quotas/", views.quotas_page, name="quotas"),
    path("<slug:slug>/questionnaires/<slug:survey>/apercu/", views.preview, name="preview"),
    path("<slug:slug>/questionnaires/<slug:survey>/invitations/", views.invitations, name="invitations"),
    path("<slug:slug>/questionnaires/<slug:survey>/resultats/", views.results_page, name="results"),
    path("<slug:slug>/questionnaires/<slug:survey>/ponderation/", views.weighting, name="weighting"),
    path("<slug:slug>/questionnaires/<slug:survey>/export/<str:fmt>/", views.export, name="export"),
    path("<slug:slug>/questionnaires/<slug:survey>/xlsform/", views.export_xlsform, name="export_xlsform"),
]
