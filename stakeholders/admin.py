from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from stakeholders.models import ConsentRecord, Person, Skill, User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "role")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "name", "role", "is_active", "date_joined"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["name", "role"]}),
        ("Access", {"fields": ["is_active", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "name", "role", "password1", "password2"]},
        ),
    ]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class ConsentRecordInline(admin.TabularInline):
    """Consent history is evidence: it is added and withdrawn through coprod, never edited."""

    model = ConsentRecord
    extra = 0
    can_delete = False
    fields = [
        "kind",
        "wording",
        "method",
        "recorded_by",
        "given_at",
        "withdrawn_at",
        "withdrawn_by",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "stakeholder_group", "email", "phone", "in_pool", "created_at"]
    list_filter = ["stakeholder_group", "in_pool", "involvement_consent_given", "preferred_contact"]
    search_fields = ["full_name", "preferred_name", "email", "phone"]
    readonly_fields = ["public_id", "involvement_consent_given", "created_by", "erased_at"]
    raw_id_fields = ["user"]
    filter_horizontal = ["skills"]
    inlines = [ConsentRecordInline]
    # Bank details are shown only masked, and changed only through the payment pages.
    exclude = [
        "bank_account_name",
        "bank_sort_code",
        "bank_account_number",
        "bank_details_recorded_by",
        "bank_details_recorded_at",
    ]


# allauth's own admin for authenticators shows their data: TOTP secrets and recovery-code
# seeds, which would let whoever reads them log in as that person. Administrators see that
# an authenticator exists and can remove it (say, for a lost phone); nobody sees its secret.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False
