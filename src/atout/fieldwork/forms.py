"""Forms of the fieldwork pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from atout.core.uploads import UploadField
from atout.engine import placenames

from .models import Code, ContributionImport, Document, ParticipantCategory, ParticipantGroup, Session


class SessionForm(forms.ModelForm):
    """A session; the named list is offered to the team only (``private`` False hides it)."""

    class Meta:
        model = Session
        fields = ["title", "kind", "date", "place", "named_participants", "transcript"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "transcript": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, process, private: bool, **kwargs):
        super().__init__(*args, **kwargs)
        place = self.fields["place"]
        place.queryset = process.territory.communes()
        # Accent-aware order (a database sorts "Étoile-sur-Rhône" after "Vinsobres").
        communes = sorted(place.queryset.only("pk", "code", "name"), key=lambda t: placenames.sort_key(t.name))
        place.choices = [("", "---------"), *((t.pk, f"{t.name} ({t.code})") for t in communes)]
        if not private:
            del self.fields["named_participants"]
        for category, label in ParticipantCategory.choices:
            current = self.instance.participant_groups.filter(category=category).first() if self.instance.pk else None
            self.fields[f"count_{category}"] = forms.IntegerField(
                label=label, min_value=0, required=False, initial=current.count if current else None)
            self.fields[f"consent_{category}"] = forms.ChoiceField(
                label=_("Consentement — %(category)s") % {"category": label},
                choices=ParticipantGroup.Consent.choices, required=False,
                initial=current.consent if current else ParticipantGroup.Consent.ORAL)

    def participant_fields(self):
        return [(self[f"count_{c}"], self[f"consent_{c}"]) for c, _label in ParticipantCategory.choices]

    def save_participants(self, session: Session) -> None:
        for category, _label in ParticipantCategory.choices:
            count = self.cleaned_data.get(f"count_{category}")
            if count:
                ParticipantGroup.objects.update_or_create(
                    session=session, category=category,
                    defaults={"count": count, "consent": self.cleaned_data.get(f"consent_{category}") or ParticipantGroup.Consent.ORAL},
                )
            else:
                ParticipantGroup.objects.filter(session=session, category=category).delete()


class TranscriptUploadForm(forms.Form):
    file = UploadField(kinds=["text", "docx", "odt"], label=_("Fichier (.txt, .md, .docx, .odt)"))


class AttachmentForm(forms.Form):
    file = UploadField(kinds=["png", "jpeg", "pdf", "docx", "odt", "text"],
                       label=_("Fichier (photo PNG/JPEG, PDF, .docx, .odt, texte)"))
    label = forms.CharField(label=_("Intitulé"), max_length=200, required=False)


class CodeForm(forms.ModelForm):
    class Meta:
        model = Code
        fields = ["name", "definition", "parent", "swot", "axis"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, codebook, **kwargs):
        super().__init__(*args, **kwargs)
        self.codebook = codebook
        self.fields["parent"].queryset = codebook.codes.all()
        self.fields["axis"].queryset = codebook.process.axes.all()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if self.codebook.codes.filter(name=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Un code de ce nom existe déjà dans la grille."))
        return name


class ContributionImportForm(forms.Form):
    file = UploadField(kinds=["csv"], label=_("Fichier CSV"))
    platform = forms.ChoiceField(label=_("Format"), choices=ContributionImport.Platform.choices)
    text_column = forms.CharField(label=_("Colonne du texte (CSV générique)"), required=False, max_length=100)
    id_column = forms.CharField(label=_("Colonne des identifiants (CSV générique, facultatif)"), required=False, max_length=100)
    segment_columns = forms.CharField(label=_("Colonnes de segments, séparées par des virgules (facultatif)"),
                                      required=False, max_length=300)
    label = forms.CharField(label=_("Intitulé de ce lot"), max_length=200, required=False)
    note = forms.CharField(label=_("Note (origine, précautions de lecture)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ThemeRunForm(forms.Form):
    label = forms.CharField(label=_("Intitulé"), max_length=200, required=False)
    k = forms.IntegerField(label=_("Nombre de thèmes (vide : choisi par cohérence entre 4 et 15)"), min_value=1,
                           max_value=40, required=False)
    seed = forms.IntegerField(label=_("Graine aléatoire"), initial=0, min_value=0)
    batches = forms.ModelMultipleChoiceField(label=_("Lots de contributions"), queryset=ContributionImport.objects.none(),
                                             required=False, widget=forms.CheckboxSelectMultiple)
    transcripts = forms.BooleanField(label=_("Inclure les paragraphes des comptes rendus de terrain"), required=False,
                                     initial=True)

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batches"].queryset = process.contribution_imports.all()



class DocumentImportForm(forms.Form):
    file = UploadField(kinds=["pdf", "docx", "odt"], label=_("Fichier (PDF, .docx, .odt)"))
    type = forms.ChoiceField(label=_("Type de document"), choices=Document.Type.choices)
    title = forms.CharField(label=_("Titre (par défaut : celui du fichier)"), max_length=300, required=False)
    author = forms.CharField(label=_("Auteur ou organisme"), max_length=200, required=False)
    year = forms.IntegerField(label=_("Année"), min_value=1800, max_value=2100, required=False)
    note = forms.CharField(label=_("Note de lecture"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
