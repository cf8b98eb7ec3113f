from allauth.account.internal.stagekit import unstash_login
from allauth.account.models import EmailAddress
from django import template

from stakeholders.email_confirmation import LinkState, confirmation_link_state

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_login_email(context) -> str:
    """{% pending_login_email as email %}: the address a link was just sent to, while the
    sign-up or login that sent it waits for it to be confirmed ("" when nothing waits)."""
    request = context.get("request")
    if request is None or request.user.is_authenticated:
        return ""
    login = unstash_login(request, peek=True)
    if login is None:
        return ""
    if login.email:
        return login.email
    if login.user is not None:
        address = EmailAddress.objects.filter(user=login.user).order_by("-primary").first()
        return address.email if address else ""
    return ""


@register.simple_tag
def confirmation_link(key: str) -> LinkState:
    """{% confirmation_link key as link %}: what a link that no longer works was for."""
    return confirmation_link_state(key)
