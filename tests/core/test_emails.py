from pathlib import Path

from django.core import mail
from django.template.loader import get_template

from coprod.core.emails import render_email, send_email

EMAILS = Path(__file__).resolve().parents[2] / "templates" / "emails"


def test_every_email_has_a_subject_a_text_body_and_an_html_body():
    names = {path.name.rsplit("-", 1)[0] for path in EMAILS.glob("*-subject.txt")}
    assert names, "no emails found"
    for name in names:
        for part in ("subject.txt", "body.txt", "body.html"):
            get_template(f"emails/{name}-{part}")


def test_render_email_makes_a_text_and_html_message_without_escaping_the_text():
    message = render_email(
        "password-reset-key",
        to=["pat@example.org"],
        context={"password_reset_url": "https://coprod.example.org/reset/?a=1&b=2"},
    )
    assert message.subject == "Reset your password"
    assert "https://coprod.example.org/reset/?a=1&b=2" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="https://coprod.example.org/reset/?a=1&amp;b=2"' in html


def test_send_email_sends_it(db):
    send_email("unknown-account", to=["someone@example.org"], context={})
    assert mail.outbox[0].to == ["someone@example.org"]


def test_the_embedded_default_writes_emails_to_a_readable_folder(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    send_email("unknown-account", to=["someone@example.org"], context={})
    written = list(tmp_path.iterdir())
    assert len(written) == 1
    assert "Someone tried to use this email address" in written[0].read_text()
