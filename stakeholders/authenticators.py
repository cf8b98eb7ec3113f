"""Keeps `User.has_authenticator_app` equal to whether the login has a TOTP authenticator.

allauth adds and removes authenticators (setting one up, deactivating it), as do the admin
(removing one for a lost phone) and erasure; each of them saves or deletes the row, so the
receivers below see every change and recount from the rows themselves.
"""

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from stakeholders.models import User


def authenticator_apps_recount(*, user_ids: list | None = None) -> int:
    """Set `has_authenticator_app` from the authenticators of these users (all if None);
    returns how many users were updated."""
    users = User.objects.all() if user_ids is None else User.objects.filter(pk__in=user_ids)
    return users.update(
        has_authenticator_app=Exists(
            Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
        )
    )


@receiver(post_save, sender=Authenticator, dispatch_uid="coprod_authenticator_saved")
@receiver(post_delete, sender=Authenticator, dispatch_uid="coprod_authenticator_deleted")
def _authenticator_changed(sender, instance, **kwargs) -> None:
    if instance.type != Authenticator.Type.TOTP:
        return
    authenticator_apps_recount(user_ids=[instance.user_id])
    if Authenticator.user.is_cached(instance):
        # Often request.user itself: a later save() of it must not write the old value back.
        instance.user.has_authenticator_app = User.objects.get(
            pk=instance.user_id
        ).has_authenticator_app
