from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from decisions.models import Action, Decision, DecisionParticipant, LadderAssessment


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    fields = ["description", "owner", "due_on", "status", "done_at"]


class DecisionParticipantInline(admin.TabularInline):
    model = DecisionParticipant
    extra = 0
    raw_id_fields = ["person"]
    fields = ["person", "stakeholder_group", "proposed"]


# Votes are not in the admin at all: in a secret ballot nobody, staff included, may see how
# a person voted; the decision page shows the totals.
@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "project", "method", "status", "decided_on", "progress"]
    list_filter = ["status", "method", "progress", "stage"]
    search_fields = ["title", "question", "project__name"]
    list_select_related = ["project"]
    autocomplete_fields = ["project"]
    raw_id_fields = ["meeting", "created_by"]
    readonly_fields = ["public_id", "vote_result", "closed_at", "created_at"]
    date_hierarchy = "decided_on"
    inlines = [DecisionParticipantInline, ActionInline]


@admin.register(LadderAssessment)
class LadderAssessmentAdmin(admin.ModelAdmin):
    list_display = ["project", "assessor_role", "rung", "assessed_on"]
    list_filter = ["assessor_role", "rung"]
    list_select_related = ["project"]
    search_fields = ["project__name"]
    autocomplete_fields = ["project"]
    raw_id_fields = ["assessed_by"]
