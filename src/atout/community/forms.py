"""Forms of the community pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from atout.core.uploads import UploadField, check_upload
from atout.territories.models import Level, Territory

from .models import Ambassador, Category, Newsletter, Purpose, Story

ACCOUNT_PURPOSES = (Purpose.NEWSLETTER, Purpose.INVITATIONS, Purpose.RESEARCH)


class CommuneField(forms.CharField):
    """A commune typed by its INSEE code or its exact name (ambiguous names ask for the code)."""

    def __init__(self, *args, prefer=None, **kwargs):
        #: A territory whose communes win when a name is shared (three French communes are named Valence).
        self.prefer = prefer
        kwargs.setdefault("label", _("Commune"))
        kwargs.setdefault("help_text", _("Nom ou code INSEE de votre commune, par exemple Dieulefit ou 26114."))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        communes = Territory.objects.filter(level=Level.COMMUNE)
        found = list(communes.filter(code=value.strip().upper())[:1]) or list(communes.filter(name__iexact=value.strip())[:3])
        if not found:
            raise forms.ValidationError(_("Commune inconnue : saisissez son nom exact ou son code INSEE."))
        if len(found) > 1 and self.prefer is not None:
            found = list(self.prefer.communes().filter(name__iexact=value.strip())[:3]) or found
        if len(found) > 1:
            raise forms.ValidationError(_("Plusieurs communes portent ce nom : saisissez son code INSEE."))
        return found[0]


def prepare_commune(value) -> str:
    return value.code if isinstance(value, Territory) else (value or "")


class ConsentFields(forms.Form):
    newsletter = forms.BooleanField(required=False, label=_("Recevoir la lettre d'information"))
    invitations = forms.BooleanField(required=False, label=_("Être invité·e aux réunions et ateliers"))
    research = forms.BooleanField(required=False, label=_("Être contacté·e pour des études"))

    def consents(self) -> dict[str, bool]:
        return {purpose: bool(self.cleaned_data.get(purpose)) for purpose in ACCOUNT_PURPOSES}


class SignupForm(ConsentFields):
    email = forms.EmailField(label=_("Courriel"))
    password = forms.CharField(label=_("Mot de passe (facultatif)"), required=False, widget=forms.PasswordInput,
                               help_text=_("Sans mot de passe, vous vous connecterez par un lien reçu par courriel."))
    category = forms.ChoiceField(label=_("Vous êtes"), choices=Category.choices, initial=Category.CITIZEN)
    commune = CommuneField(required=False)
    field_order = ["email", "password", "category", "commune", "newsletter", "invitations", "research"]

    def clean_email(self):
        # Whether the address has an account is never said here (services.sign_up answers by e-mail).
        return self.cleaned_data["email"].lower()

    def clean_password(self):
        password = self.cleaned_data.get("password") or None
        if password:
            validate_password(password)
        return password


class LinkForm(forms.Form):
    email = forms.EmailField(label=_("Courriel"))


class ProfileForm(ConsentFields):
    category = forms.ChoiceField(label=_("Vous êtes"), choices=Category.choices)
    commune = CommuneField(required=False)
    field_order = ["category", "commune", "newsletter", "invitations", "research"]


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=200)
    email = forms.EmailField(label=_("Courriel"))


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Courriel"))
    category = forms.ChoiceField(label=_("Vous êtes (facultatif)"), choices=[("", "—"), *Category.choices], required=False)
    commune = CommuneField(required=False)

    def __init__(self, *args, process=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].prefer = process.territory if process else None


class AmbassadorForm(forms.ModelForm):
    commune = CommuneField()
    consent_publish = forms.BooleanField(label=_("J'accepte que mon nom affiché, ma commune et mes récits validés soient publiés sur ce site."))

    class Meta:
        model = Ambassador
        fields = ["display_name", "kind", "commune", "motto"]

    def __init__(self, *args, process=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].prefer = process.territory if process else None


class StoryForm(forms.ModelForm):
    class Meta:
        model = Story
        fields = ["title", "text", "photo", "consent_publish"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    def clean_consent_publish(self):
        if not self.cleaned_data.get("consent_publish"):
            raise forms.ValidationError(_("Sans votre accord, le récit ne peut pas être publié."))
        return True

    def clean_photo(self):
        """A JPEG or PNG by its content (Pillow reads its header), under the size and pixel limits,
        renamed after its content: a random name and the extension of what it is (.png, .jpg),
        whatever it was called."""
        from .services import PHOTO_MAX_BYTES, photo_name

        photo = self.cleaned_data.get("photo")
        if not photo or not hasattr(photo, "size"):
            return photo
        try:
            kind = check_upload(photo, ["jpeg", "png"], max_bytes=PHOTO_MAX_BYTES)
        except forms.ValidationError as exc:
            if exc.code == "too_large":
                raise forms.ValidationError(_("Photo trop lourde : %(mb)s Mo au plus.") % {"mb": PHOTO_MAX_BYTES // (1024 * 1024)}) from exc
            if exc.code in ("wrong_type", "empty", "unsafe_archive"):
                raise forms.ValidationError(_("Ce fichier n'est pas une photo JPEG ou PNG.")) from exc
            raise
        photo.name = photo_name(kind)
        return photo


class StoryModerationForm(forms.Form):
    story = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("publish", _("Publier")), ("reject", _("Écarter"))])
    reason = forms.CharField(label=_("Motif"), max_length=300, required=False)


class ImportForm(forms.Form):
    file = UploadField(kinds=["csv", "xlsx"], label=_("Fichier CSV ou XLSX"))


class NewsletterForm(forms.ModelForm):
    class Meta:
        model = Newsletter
        fields = ["subject", "body", "category", "subterritory"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, process=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subterritory"].queryset = process.subterritories.order_by("name") if process else Territory.objects.none()
