from django.contrib import admin

from evidence.models import Deflator, ReportGrant


@admin.register(ReportGrant)
class ReportGrantAdmin(admin.ModelAdmin):
    list_display = ["commissioner", "project", "granted_by", "granted_at"]
    list_filter = ["project"]
    list_select_related = ["commissioner", "project", "granted_by"]
    search_fields = ["commissioner__email", "project__name"]
    autocomplete_fields = ["project"]
    raw_id_fields = ["commissioner", "granted_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Deflator)
class DeflatorAdmin(admin.ModelAdmin):
    """HM Treasury's GDP deflator by calendar year. Only administrators (superusers) add a
    year or change a figure (stakeholders/backends.py); staff may read them. A valuation is
    priced in the report's year when that year is here, else in the latest year that is."""

    list_display = ["year", "index", "forecast", "source"]
    search_fields = ["source", "note"]
