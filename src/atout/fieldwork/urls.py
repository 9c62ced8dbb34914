from django.urls import path

from . import views

app_name = "fieldwork"
urlpatterns = [
    path("<slug:slug>/", views.sessions, name="sessions"),
    path("<slug:slug>/seances/nouvelle/", views.session_new, name="session_new"),
    path("<slug:slug>/seances/<int:session>/", views.session, name="session"),
    path("<slug:slug>/seances/<int:session>/modifier/", views.session_edit, name="session_edit"),
    path("<slug:slug>/seances/<int:session>/transcription/", views.transcript_upload, name="transcript_upload"),
    path("<slug:slug>/seances/<int:session>/pieces/", views.attachment_upload, name="attachment_upload"),
    path("<slug:slug>/seances/<int:session>/coder/", views.code_session, name="code_session"),
    path("<slug:slug>/pieces/<int:attachment>/", views.attachment, name="attachment"),
    path("<slug:slug>/grille/", views.codebook, name="codebook"),
    path("<slug:slug>/grille/<int:code>/", views.code, name="code"),
    path("<slug:slug>/analyse/", views.analysis, name="analysis"),
    path("<slug:slug>/export/grille.csv", views.export_codebook_csv, name="export_codebook_csv"),
    path("<slug:slug>/export/extraits.csv", views.export_excerpts_csv, name="export_excerpts_csv"),
    path("<slug:slug>/export/grille.qdc", views.export_codebook_qdc, name="export_codebook_qdc"),
    path("<slug:slug>/contributions/", views.contributions, name="contributions"),
    path("<slug:slug>/contributions/<int:batch>/", views.batch, name="batch"),
    path("<slug:slug>/contributions/coder/<int:contribution>/", views.code_contribution, name="code_contribution"),
    path("<slug:slug>/reponses/", views.answers, name="answers"),
    path("<slug:slug>/reponses/<int:answer>/", views.code_answer, name="code_answer"),
    path("<slug:slug>/themes/", views.themes, name="themes"),
    path("<slug:slug>/themes/publics/", views.public_themes, name="public_themes"),
    path("<slug:slug>/themes/<int:run>/", views.theme_run, name="theme_run"),
    path("<slug:slug>/themes/<int:run>/modifier/", views.theme_edit, name="theme_edit"),
    path("<slug:slug>/themes/<int:run>/<int:theme>/", views.theme, name="theme"),
    path("<slug:slug>/documents/", views.document_list, name="documents"),
    path("<slug:slug>/documents/importer/", views.document_import, name="document_import"),
    path("<slug:slug>/documents/<int:document>/", views.document, name="document"),
    path("<slug:slug>/extraits/<int:excerpt>/preuve/", views.excerpt_evidence, name="excerpt_evidence"),
    path("<slug:slug>/accord/", views.agreement, name="agreement"),
    path("<slug:slug>/accord/arbitrer/", views.arbitrate, name="arbitrate"),
    path("<slug:slug>/export/projet.qdpx", views.export_qdpx, name="export_qdpx"),
]
