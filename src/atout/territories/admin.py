from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from atout.engine.formats.errors import FormatError

from .importer import expand_zone_definition
from .models import GeographyImport, Level, Membership, Territory


class MembershipInline(admin.TabularInline):
    """A zone's communes, as expanded from its definition (edit the definition to change them)."""

    model = Membership
    fk_name = "group"
    fields = ["commune"]
    readonly_fields = ["commune"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TerritoryForm(forms.ModelForm):
    class Meta:
        model = Territory
        fields = ["level", "code", "name", "parent", "population", "population_total", "legal_form", "description", "definition"]
        help_texts = {
            "definition": _('Sous-territoire : liste JSON de codes de communes ou d\'EPCI, par ex. ["epci:200067767", "26113", "within:dep:26"].'),
        }

    def clean(self):
        data = super().clean()
        if data.get("level") == Level.ZONE:
            definition = data.get("definition") or []
            if not isinstance(definition, list) or not definition:
                self.add_error("definition", _("Un sous-territoire est défini par une liste non vide de codes."))
                return data
            try:
                self.zone_communes = expand_zone_definition(definition, _communes(), _epcis())
            except FormatError as exc:
                self.add_error("definition", exc.message)
        return data


def _communes():
    return {t.code: t for t in Territory.objects.filter(level=Level.COMMUNE)}


def _epcis():
    return {t.code: t for t in Territory.objects.filter(level=Level.EPCI)}


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    form = TerritoryForm
    list_display = ["name", "level", "code", "population"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]

    def get_inlines(self, request, obj):
        # Memberships are shown for custom zones only: EPCIs come from the DGCL file.
        return [MembershipInline] if obj is not None and obj.level == Level.ZONE else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.level == Level.ZONE:
            communes = _communes()
            Membership.objects.filter(group=obj).delete()
            Membership.objects.bulk_create(Membership(group=obj, commune=communes[c]) for c in sorted(form.zone_communes))
            # The dissolved contour is recomputed from the new membership on next display.
            Territory.objects.filter(pk=obj.pk).update(contour="")


@admin.register(GeographyImport)
class GeographyImportAdmin(admin.ModelAdmin):
    list_display = ["created", "counts"]
    readonly_fields = ["created", "sources", "counts"]

    def has_add_permission(self, request):
        return False


admin.site.site_header = _("atout — administration")
admin.site.site_title = "atout"
