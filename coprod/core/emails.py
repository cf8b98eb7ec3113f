"""The one way coprod builds an email.

Each email is three templates: emails/<name>-subject.txt, -body.txt and -body.html.
"""

from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string


def email_templates_exist(name: str) -> bool:
    try:
        get_template(f"emails/{name}-subject.txt")
    except TemplateDoesNotExist:
        return False
    return True


def render_email(
    name: str,
    *,
    to: list[str],
    context: dict,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def send_email(name: str, *, to: list[str], context: dict) -> None:
    render_email(name, to=to, context=context).send()
