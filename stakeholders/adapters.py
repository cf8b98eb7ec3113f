from allauth.account.adapter import DefaultAccountAdapter

from coprod.core.emails import email_templates_exist, render_email
from stakeholders.models import Role


class AccountAdapter(DefaultAccountAdapter):
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
