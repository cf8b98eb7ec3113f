from django.contrib import admin

from evidence.models import ReportGrant


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
