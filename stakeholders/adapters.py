from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.signals import email_changed
from django.contrib import messages
from django.dispatch import receiver

from coprod.core.emails import email_templates_exist, render_email
from stakeholders.models import Person, Role


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": (
            "That email address and password do not match. Check them and try again, or "
            "get a link to log in instead."
        ),
    }

    def save_user(self, request, user, form, commit=True):
        # Anyone can sign up, but only as a participant: staff make staff and commissioners.
        user.role = Role.PARTICIPANT
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request) -> str:
        return request.user.home_url

    def render_mail(self, template_prefix, email, context, headers=None):
        name = template_prefix.rsplit("/", 1)[-1].replace("_", "-")
        if not email_templates_exist(name):
            return super().render_mail(template_prefix, email, context, headers=headers)
        to = [email] if isinstance(email, str) else list(email)
        message = render_email(name, to=to, context=context, headers=headers)
        message.subject = self.format_email_subject(message.subject)
        return message


@receiver(email_changed, dispatch_uid="stakeholders_person_email_follows_login")
def person_email_follows_login(sender, *, request, user, to_email_address, **kwargs) -> None:
    """A roster entry's email is its login's, which changes only once the new address has
    been confirmed by following the link sent to it."""
    new = to_email_address.email
    taken = Person.objects.filter(email__iexact=new).exclude(user=user).exists()
    if taken:
        # Another entry has it (someone staff added, most likely this same person): staff
        # join the two; nothing about that entry changes on the strength of this login.
        if request is not None:
            messages.info(
                request,
                "Your new address is confirmed for logging in. We already have it on another "
                "record, so the project team will check and join them up.",
            )
        return
    Person.objects.filter(user=user).update(email=new.lower())
