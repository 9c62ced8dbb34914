from django import forms
from django.utils.translation import gettext_lazy as _

from atout.core.uploads import UploadField

from .models import Conversation, Participant


class StatementForm(forms.Form):
    text = forms.CharField(
        label=_("Votre affirmation"), min_length=5, max_length=280,
        help_text=_("Une phrase courte, sur laquelle d'autres pourront être d'accord ou non (280 caractères au plus)."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 280}),
    )


class ProfileForm(forms.ModelForm):
    commune_code = forms.CharField(label=_("Commune de résidence (code INSEE ou nom)"), required=False, max_length=100)

    class Meta:
        model = Participant
        fields = ["age_band", "status"]

    def __init__(self, *args, territory=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory
        if self.instance.commune_id:
            self.fields["commune_code"].initial = self.instance.commune.name

    def clean_commune_code(self):
        value = self.cleaned_data["commune_code"].strip()
        if not value:
            return None
        communes = self.territory.communes()
        found = communes.filter(code=value).first() or communes.filter(name__iexact=value).first()
        if found is None:
            raise forms.ValidationError(_("Commune inconnue dans ce territoire : saisissez son nom exact ou son code INSEE."))
        return found

    def save(self, commit=True):
        self.instance.commune = self.cleaned_data.get("commune_code")
        return super().save(commit)


class ConversationForm(forms.ModelForm):
    seeds = forms.CharField(
        label=_("Affirmations de départ"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Une affirmation par ligne."),
    )

    class Meta:
        model = Conversation
        fields = ["slug", "question", "question_en", "description", "moderation", "participant_statements"]

    def __init__(self, *args, process=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.process = process

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in {"nouvelle", "importer"}:
            raise forms.ValidationError(_("Cet identifiant est réservé : choisissez-en un autre."))
        if Conversation.objects.filter(process=self.process, slug=slug).exists():
            raise forms.ValidationError(_("Une conversation porte déjà cet identifiant dans cette démarche."))
        return slug


class PolisImportForm(forms.Form):
    slug = forms.SlugField(label=_("Identifiant de la conversation"), max_length=60)
    archive = UploadField(
        kinds=["zip"],
        label=_("Export pol.is (archive .zip)"),
        help_text=_("Archive d'un export pol.is, de toute version : summary.csv, comments.csv, votes.csv et "
                    "participants-votes.csv (ou participant-votes.csv)."),
    )


class ModerationForm(forms.Form):
    statement = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("accept", _("Publier")), ("reject", _("Écarter"))])
    reason = forms.CharField(label=_("Motif"), required=False, max_length=300)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Indiquez le motif : il est conservé et peut être communiqué à l'auteur."))
        return data
