from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.models import Project


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ["name", "stage", "is_open_to_join", "created_at"]
    list_filter = ["stage", "is_open_to_join"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
