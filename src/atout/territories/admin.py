from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import GeographyImport, Level, Membership, Territory


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "group"
    raw_id_fields = ["commune"]
    extra = 0


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "code", "population"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]
    exclude = ["contour"]
    inlines = [MembershipInline]

    def get_inlines(self, request, obj):
        # Memberships are edited for custom zones only: EPCIs come from the DGCL file.
        return [MembershipInline] if obj is not None and obj.level == Level.ZONE else []

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        zone = form.instance
        if zone.level == Level.ZONE:
            # The dissolved contour is recomputed from the new membership on next display.
            Territory.objects.filter(pk=zone.pk).update(contour="")


@admin.register(GeographyImport)
class GeographyImportAdmin(admin.ModelAdmin):
    list_display = ["created", "counts"]
    readonly_fields = ["created", "sources", "counts"]

    def has_add_permission(self, request):
        return False


admin.site.site_header = _("atout — administration")
admin.site.site_title = "atout"
