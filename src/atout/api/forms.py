from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Scope


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Nom du jeton"), max_length=100,
                           help_text=_("À quoi il sert : « tableau de bord », « script d'import »…"))
    scope = forms.ChoiceField(label=_("Portée"), choices=Scope.choices, initial=Scope.READ, widget=forms.RadioSelect,
                              help_text=_("L'écriture n'agit que sur les démarches dont vous êtes membre de l'équipe."))
