from django.contrib.auth.backends import BaseBackend

ADMIN_ACTIONS = {"add", "change", "delete", "view"}


class StaffAdminBackend(BaseBackend):
    """Gives every active staff member the model permissions the Django admin asks for.

    Only Django's model permissions (`app.add_model`, `app.view_model`, …) are granted;
    coprod's own page permissions live in the `rules` predicates and are not touched.
    """

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        if obj is not None or not getattr(user_obj, "is_staff", False) or not user_obj.is_active:
            return False
        _, _, codename = perm.partition(".")
        return codename.split("_", 1)[0] in ADMIN_ACTIONS

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return bool(getattr(user_obj, "is_staff", False) and user_obj.is_active)
