from django.apps import apps
from django.contrib.auth.backends import BaseBackend

ADMIN_ACTIONS = {"add", "change", "delete", "view"}
# Everyday staff keep coprod's own records in the admin. Logins, authenticator apps, email
# addresses, groups and permissions, sessions and Celery Beat's schedule are for
# administrators only: superusers (`manage.py createsuperuser`), who have every permission
# through Django's ModelBackend.
EVERYDAY_APPS = {"stakeholders", "projects", "decisions", "evidence"}
ADMINISTRATORS_ONLY = {("stakeholders", "user")}
# Everyday staff may read these but only administrators change them: the benefit rules
# every payment warning is worked out from, and the GDP deflators every valuation uses.
ADMINISTRATORS_CHANGE = {("projects", "benefitrule"), ("evidence", "deflator")}


class StaffAdminBackend(BaseBackend):
    """Gives every active staff member the admin's model permissions for coprod's own
    records (`projects.change_project`, …), and none for accounts or the machinery.

    Only Django's model permissions are granted; coprod's own page permissions live in the
    `rules` predicates and are not touched.
    """

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if obj is not None or not self._is_active_staff(user_obj):
            return False
        app_label, _, codename = perm.partition(".")
        action, _, model_name = codename.partition("_")
        return (
            action in ADMIN_ACTIONS
            and app_label in EVERYDAY_APPS
            and model_name in apps.all_models[app_label]
            and (app_label, model_name) not in ADMINISTRATORS_ONLY
            and (action == "view" or (app_label, model_name) not in ADMINISTRATORS_CHANGE)
        )

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return self._is_active_staff(user_obj) and app_label in EVERYDAY_APPS

    @staticmethod
    def _is_active_staff(user_obj) -> bool:
        return bool(getattr(user_obj, "is_staff", False) and user_obj.is_active)
