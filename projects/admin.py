from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from projects.models import (
    BenefitRule,
    ClaimStatus,
    CoverageTarget,
    ExpenseClaim,
    Membership,
    Payment,
    PaymentPolicy,
    PaymentStatus,
    Project,
)
from stakeholders.admin import PersonAdmin


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


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["project"]
    fields = ["project", "status", "interested_at", "active_at", "left_at"]


# A person's page in the admin lists the projects they are in; people live below projects,
# so this app adds the inline to their admin rather than the other way round.
PersonAdmin.inlines = [MembershipInline, *PersonAdmin.inlines]


@admin.register(Payment)
class PaymentAdmin(SimpleHistoryAdmin):
    """Money paid out is history: a paid payment is shown read-only and put right by a
    reversal from the payments page, never by an edit here."""

    list_display = ["person", "project", "activity", "amount", "kind", "status", "owed_since"]
    list_filter = ["status", "kind", "method"]
    search_fields = ["person__full_name", "activity", "reference", "project__name"]
    list_select_related = ["person", "project"]
    autocomplete_fields = ["person", "project"]
    readonly_fields = [
        "public_id",
        "kind",
        "attendance",
        "reverses",
        "approved_by",
        "approved_at",
        "created_at",
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status == PaymentStatus.PAID:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status == PaymentStatus.PAID:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ExpenseClaim)
class ExpenseClaimAdmin(SimpleHistoryAdmin):
    list_display = ["person", "project", "category", "amount", "status", "spent_on"]
    list_filter = ["status", "category"]
    search_fields = ["person__full_name", "note", "reference", "project__name"]
    list_select_related = ["person", "project"]
    autocomplete_fields = ["person", "project"]
    raw_id_fields = ["meeting"]
    readonly_fields = ["public_id", "decided_by", "decided_at", "submitted_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status == ClaimStatus.PAID:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.status == ClaimStatus.PAID:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(BenefitRule)
class BenefitRuleAdmin(admin.ModelAdmin):
    """Only administrators (superusers) change the figures (stakeholders/backends.py);
    everyday staff may read them. A new April's figures are new rows, so a period that
    spans the change still finds the figure for each of its days."""

    list_display = ["kind", "amount", "period", "effective_from", "source_title"]
    list_filter = ["kind"]
    search_fields = ["source_title", "note"]
    date_hierarchy = "effective_from"
    readonly_fields = ["created_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
