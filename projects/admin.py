from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.models import CoverageTarget, PaymentPolicy, Project


class CoverageTargetInline(admin.TabularInline):
    model = CoverageTarget
    extra = 0


class PaymentPolicyInline(admin.StackedInline):
    model = PaymentPolicy
    can_delete = False


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    inlines = [CoverageTargetInline, PaymentPolicyInline]
    list_display = ["name", "stage", "is_open_to_join", "created_at"]
    list_filter = ["stage", "is_open_to_join"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    # Set once, when the project is made; the admin's split date/time inputs for it also had
    # no labels (axe: critical).
    readonly_fields = ["created_at"]
