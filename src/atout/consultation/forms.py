"""Forms of the surveys' back office: new surveys, XLSForm uploads, the builder (settings, pages,
questions), invitations, quotas and weighting.

Each form reads and checks its part of the POST data and puts every problem at its field (the
templates show it there and in a summary at the top). The domain checks shared with the command
line stay where they were — :mod:`.editing` (questions), :mod:`.quotas` (cells and targets),
:mod:`.services` (margins, versions) — and report here through ``add_error``.
"""

from __future__ import annotations

import math
import re

from django import forms
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from atout.core.uploads import UploadField
from atout.engine.formats.xlsform import Form, Question

from . import editing, quotas, services
from .models import Survey
from .structure import PROFILE_FIELDS, PROFILE_GROUP, form_from_dict, form_to_dict

#: Crossings offered for targets generated from INSEE population margins.
GENERATE_CHOICES = [
    ("age_band", _("Tranche d'âge")), ("zone", _("Sous-territoire")),
    ("age_band,zone", _("Tranche d'âge × sous-territoire")), ("epci", _("EPCI")),
    ("age_band,epci", _("Tranche d'âge × EPCI")),
]


def field_errors(form: forms.Form) -> dict[str, str]:
    """The first message of each field in error (``form`` for the form's own), for the templates
    that draw their fields by hand (each message beside its field, all of them in the summary)."""
    return {"form" if name == NON_FIELD_ERRORS else name: str(errors[0])
            for name, errors in form.errors.items()}


class NumberField(forms.CharField):
    """A number typed the French way or the English way (« 2,5 » or « 2.5 »); None when empty."""

    default_error_messages = {"invalid": _("Saisissez un nombre.")}

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            number = float(text.replace("\u202f", "").replace(" ", "").replace(",", "."))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not math.isfinite(number):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


# ---------------------------------------------------------------------------------------------
# Surveys and XLSForm uploads


class NewSurveyForm(forms.Form):
    """A new empty survey of ``process``: its title and identifier (the end of its address)."""

    title = forms.CharField(max_length=200, error_messages={"required": _("Donnez un titre et un identifiant.")})
    new_slug = forms.CharField(max_length=80, error_messages={"required": _("Donnez un titre et un identifiant.")})

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.process = process

    def clean_new_slug(self) -> str:
        slug = re.sub(r"[^a-z0-9-]", "-", self.cleaned_data["new_slug"].lower()).strip("-")
        if not slug:
            raise forms.ValidationError(_("Donnez un titre et un identifiant."))
        if Survey.objects.filter(process=self.process, slug=slug).exists():
            raise forms.ValidationError(_("L'identifiant « %(slug)s » est déjà pris."), params={"slug": slug})
        return slug


class XLSFormUploadForm(forms.Form):
    file = UploadField(kinds=["xlsx"], error_messages={"required": _("Choisissez un fichier .xlsx.")})


#: How long a confirmation to replace an open survey's version stays valid (seconds).
CONFIRMATION_MAX_AGE = 3600
_CONFIRMATION_SALT = "atout.consultation.new-version"


def confirmation_token(survey: Survey, form: Form) -> str:
    """A signed token holding ``form`` and the version of ``survey`` it is to replace, for the
    confirmation step of an upload (nothing is kept on the server in between)."""
    return signing.dumps({"survey": survey.pk, "version": survey.current_version_id, "form": form_to_dict(form)},
                         salt=_CONFIRMATION_SALT, compress=True)


class NewVersionConfirmForm(forms.Form):
    """The confirmation that an uploaded form replaces the published version of an open survey of
    ``process``. Valid, ``survey`` and ``new_form`` are what to import."""

    confirmation = forms.CharField()

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.process = process
        self.survey: Survey | None = None
        self.new_form: Form | None = None

    def clean_confirmation(self) -> str:
        token = self.cleaned_data["confirmation"]
        try:
            data = signing.loads(token, salt=_CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
        except signing.SignatureExpired:
            raise forms.ValidationError(_("La confirmation a expiré : déposez à nouveau le fichier.")) from None
        except signing.BadSignature:
            raise forms.ValidationError(_("Confirmation invalide : déposez à nouveau le fichier.")) from None
        survey = Survey.objects.filter(process=self.process, pk=data["survey"]).first()
        if survey is None or survey.current_version_id != data["version"]:
            raise forms.ValidationError(_("Le questionnaire a changé depuis le dépôt du fichier : déposez-le à nouveau "
                                          "pour voir ce qu'il change."))
        self.survey, self.new_form = survey, form_from_dict(data["form"])
        return token


# ---------------------------------------------------------------------------------------------
# The builder


class SettingsForm(forms.Form):
    """Settings and consent texts of a survey; a field left out keeps its value for the title,
    status, mode and layout."""

    title_fr = forms.CharField(required=False, max_length=200)
    title_en = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(required=False, choices=Survey.Status.choices)
    mode = forms.ChoiceField(required=False, choices=Survey.Mode.choices)
    layout = forms.ChoiceField(required=False, choices=Survey.Layout.choices)
    consent_purpose = forms.CharField(required=False)
    consent_controller = forms.CharField(required=False, max_length=300)
    consent_retention = forms.CharField(required=False, max_length=300)
    retention_until = forms.DateField(required=False, input_formats=["%Y-%m-%d"],
                                      error_messages={"invalid": _("Date de conservation invalide (AAAA-MM-JJ).")})

    def shown_values(self, survey: Survey) -> dict:
        """What the fields show: the data sent, or the survey's settings."""
        if self.is_bound:
            return self.data
        values = {field: getattr(survey, field) for field in self.base_fields}
        values["retention_until"] = survey.retention_until.isoformat() if survey.retention_until else ""
        return values

    def apply(self, survey: Survey) -> None:
        """Set the checked values on ``survey`` (not saved)."""
        data = self.cleaned_data
        for field in ("title_fr", "status", "mode", "layout"):
            if data[field]:
                setattr(survey, field, data[field])
        for field in ("title_en", "consent_purpose", "consent_controller", "consent_retention", "retention_until"):
            setattr(survey, field, data[field])


class QuestionForm(forms.Form):
    """A question of the draft ``draft``: a new one (``original`` None: its type and page chosen
    here) or an edit of ``original`` (its type kept). Valid, ``question`` is the question built
    (:func:`editing.build_question` checks names, expressions, choices and bounds)."""

    type = forms.ChoiceField(choices=editing.QUESTION_TYPE_CODES, error_messages={
        "required": _("Type de question inconnu."), "invalid_choice": _("Type de question inconnu.")})
    name = forms.CharField(required=False)
    label_fr = forms.CharField(required=False)
    label_en = forms.CharField(required=False)
    hint_fr = forms.CharField(required=False)
    hint_en = forms.CharField(required=False)
    required = forms.BooleanField(required=False)
    relevant = forms.CharField(required=False)
    constraint = forms.CharField(required=False)
    constraint_message_fr = forms.CharField(required=False)
    constraint_message_en = forms.CharField(required=False)
    choices = forms.CharField(required=False, strip=False)
    minimum = NumberField(required=False)
    maximum = NumberField(required=False)
    page = forms.CharField(required=False)

    def __init__(self, *args, draft: Form, original: Question | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.draft, self.original = draft, original
        self.question: Question | None = None
        if original is not None:
            del self.fields["type"], self.fields["page"]

    def clean(self):
        values = super().clean()
        question, errors = editing.build_question(self.draft, values, original=self.original)
        for field, message in errors.items():
            if field not in self.errors:  # a field that could not be read says so already
                self.add_error(field if field in self.fields else None, message)
        if not self.errors:
            self.question = question
        return values

    def shown_values(self) -> dict:
        """What the fields show: the data sent, or for an edit not sent yet the question's values."""
        if self.is_bound:
            return self.data
        return editing.form_values(self.original) if self.original is not None else {}


class PageForm(forms.Form):
    """A new page of the draft ``draft``: its name (made safe; ``pageN`` when empty) and title."""

    page_name = forms.CharField(required=False)
    page_label = forms.CharField(required=False)

    def __init__(self, *args, draft: Form, **kwargs):
        super().__init__(*args, **kwargs)
        self.draft = draft

    def clean_page_name(self) -> str:
        name = re.sub(r"[^A-Za-z0-9_]", "_", self.cleaned_data["page_name"]) or f"page{len(self.draft.groups()) + 1}"
        if name in editing.all_names(self.draft) or name in PROFILE_FIELDS or name == PROFILE_GROUP:
            raise forms.ValidationError(_("Le nom « %(name)s » est déjà utilisé."), params={"name": name})
        return name


class ItemForm(forms.Form):
    """The question or page a builder button acts on (move, delete)."""

    item = forms.CharField()


# ---------------------------------------------------------------------------------------------
# Invitations


class InvitationsForm(forms.Form):
    count = forms.IntegerField(min_value=1, max_value=10000, error_messages={
        key: _("Entre 1 et 10 000 invitations à la fois.") for key in ("required", "invalid", "min_value", "max_value")})
    label = forms.CharField(required=False, max_length=200)


# ---------------------------------------------------------------------------------------------
# Quotas


class QuotaForm(forms.Form):
    """A quota cell set by hand for ``survey``: a category for one or more profile variables, a
    target and whether the cell closes when full. Valid, ``cell`` is the checked cell."""

    target = forms.IntegerField(min_value=0, error_messages={
        key: _("L'objectif doit être un nombre entier positif.") for key in ("required", "invalid", "min_value")})
    close_when_full = forms.BooleanField(required=False)

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.cell: dict[str, str] = {}
        for variable in quotas.VARIABLES:
            self.fields[variable] = forms.CharField(required=False)

    def clean(self):
        values = super().clean()
        chosen = {v: values.get(v) or "" for v in quotas.VARIABLES}
        try:
            self.cell = quotas.clean_cell(self.survey, chosen)
        except quotas.QuotaInputError as exc:
            # A category at fault is shown at its variable; "choose at least one" concerns them all.
            self.add_error(exc.field if chosen.get(exc.field) else None, str(exc))
        return values


class QuotaGenerateForm(forms.Form):
    """Targets generated from the INSEE population: the crossing, the total sample size and whether
    the cells close when full."""

    variables = forms.ChoiceField(choices=GENERATE_CHOICES, error_messages={
        "required": _("Choisissez un croisement."), "invalid_choice": _("Choisissez un croisement.")})
    total = forms.IntegerField(min_value=1, error_messages={
        key: _("La taille d'échantillon doit être un nombre entier positif.")
        for key in ("required", "invalid", "min_value")})
    close_when_full = forms.BooleanField(required=False)


class QuotaCellForm(forms.Form):
    """One existing cell of ``survey`` a button acts on (close, open, delete)."""

    quota = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quota"].queryset = survey.quotas.all()


# ---------------------------------------------------------------------------------------------
# Weighting


class MarginsForm(forms.Form):
    """A CSV of margins to rake to (variable,category,target)."""

    margins = UploadField(kinds=["csv"], error_messages={"required": _("Choisissez un fichier de marges.")})


class InseeWeightingForm(forms.Form):
    """The weighting variables to take the territory's INSEE margins for (checked by
    :func:`services.insee_margins`, which says why one cannot be used)."""

    variables = forms.MultipleChoiceField(required=False, choices=[(v, v) for v in services.WEIGHTING_VARIABLES])


# ---------------------------------------------------------------------------------------------
# Barometer waves


class WaveForm(forms.Form):
    """A new planned wave of a survey: identifier, label, the year it measures, fieldwork dates."""

    wave = forms.SlugField(label=_("Identifiant"), max_length=40,
                           error_messages={"required": _("Donnez un identifiant à la vague (par exemple 2027).")})
    label = forms.CharField(label=_("Libellé"), max_length=120,
                            error_messages={"required": _("Donnez un libellé à la vague.")})
    year = forms.IntegerField(label=_("Année mesurée"), min_value=1990, max_value=2100)
    start = forms.DateField(label=_("Début du terrain"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Fin du terrain"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey

    def clean_wave(self) -> str:
        slug = self.cleaned_data["wave"]
        if self.survey.waves.filter(slug=slug).exists():
            raise forms.ValidationError(_("La vague « %(slug)s » existe déjà."), params={"slug": slug})
        return slug

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("La fin du terrain précède son début."))
        return data
