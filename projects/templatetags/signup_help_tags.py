from django import template

from projects.signup_help import HelpContact, signup_help_contact

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_help(context) -> HelpContact:
    """{% signup_help as help %}: whom to contact when the confirmation email is stuck."""
    return signup_help_contact(context.get("request"))
