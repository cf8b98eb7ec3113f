"""Who may open which page: every named URL of coprod's own apps, for every kind of visitor.

The walk over the URL resolver means a new URL cannot escape: a test fails until the URL
is given its expectations in MATRIX. Third-party pages (allauth, the Django admin) are
tested by their libraries and by tests/stakeholders/test_admin_access.py.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from projects.rsvp import RsvpAction, rsvp_token

OWN_APPS = ("coprod", "projects", "stakeholders", "decisions", "evidence")

OK = 200
LOGIN = "login"
FORBIDDEN = 403
NOT_FOUND = 404

VISITORS = ["anonymous", "staff", "participant", "commissioner", "ungranted_commissioner"]

# Pages anyone may open without logging in.
PUBLIC = {"home", "healthz", "stakeholders:join", "stakeholders:joined", "projects:rsvp"}

# url name -> kwargs builder -> expected result for each visitor, in VISITORS order.
# `granted` is the project granted to the commissioner; `other` is granted to nobody.
MATRIX = {
    "home": ({}, [OK, OK, OK, OK, OK]),
    "healthz": ({}, [OK, OK, OK, OK, OK]),
    "projects:dashboard": ({}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:list": ({}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:detail": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:finder": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    # POST only: staff opening it with GET are told the method is not allowed.
    "projects:finder_invite": ({"slug": "granted"}, [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:roster": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:roster_add": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:coverage_targets": (
        {"slug": "granted"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:membership_status": (
        {"slug": "granted", "person_id": "participant"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:roster_import": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:roster_import_confirm": (
        {"slug": "granted"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:roster_import_template": (
        {"slug": "granted"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meetings": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:meeting_add": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
    "projects:meeting": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_edit": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_cancel": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_invite": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_attendance": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_minutes": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "projects:meeting_emails_retry": (
        {"slug": "granted", "meeting_id": "meeting"},
        [LOGIN, 405, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:me": ({}, [LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN]),
    "stakeholders:profile": ({}, [LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN]),
    "stakeholders:equality": ({}, [LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN]),
    "stakeholders:consent_withdraw": (
        {"kind": "equality"},
        [LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:meeting_answer": (
        {"meeting_id": "meeting"},
        [LOGIN, FORBIDDEN, 405, FORBIDDEN, FORBIDDEN],
    ),
    "stakeholders:meeting_calendar": (
        {"meeting_id": "meeting"},
        [LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    # The signed link is the key: anyone holding it sees the same page, no login needed.
    "projects:rsvp": ({"token": "rsvp_token"}, [OK, OK, OK, OK, OK]),
    "stakeholders:join": ({"slug": "granted"}, [OK, OK, OK, OK, OK]),
    "stakeholders:joined": ({"slug": "granted"}, [OK, OK, OK, OK, OK]),
    "evidence:reports": ({}, [LOGIN, OK, FORBIDDEN, OK, OK]),
    "evidence:report": ({"slug": "granted"}, [LOGIN, OK, FORBIDDEN, OK, FORBIDDEN]),
    "evidence:report#other": ({"slug": "other"}, [LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN]),
}


def _own_url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _own_url_names(entry, inner)
        elif (
            isinstance(entry, URLPattern)
            and entry.name
            and entry.callback.__module__.split(".")[0] in OWN_APPS
        ):
            names.add(namespace + entry.name)
    return names


def test_every_url_of_our_apps_has_expectations():
    covered = {name.split("#")[0] for name in MATRIX}
    missing = _own_url_names() - covered
    assert not missing, f"add these URLs to MATRIX in {__file__}: {sorted(missing)}"


def test_public_pages_are_exactly_the_allow_list():
    public = {name for name, (_, expected) in MATRIX.items() if expected[0] == OK}
    assert public == PUBLIC


def _slug(value: str, personas) -> str:
    return {
        "granted": personas.project.slug,
        "other": personas.other_project.slug,
        "participant": str(personas.participant.person.public_id),
        "meeting": str(personas.meeting.public_id),
        "rsvp_token": rsvp_token(personas.meeting.invitations.get(), RsvpAction.ACCEPT),
        "equality": "equality",
    }[value]


CASES = [
    (name, visitor, expected[index])
    for name, (_, expected) in MATRIX.items()
    for index, visitor in enumerate(VISITORS)
]


@pytest.mark.parametrize(("name", "visitor", "expected"), CASES)
def test_url_matrix(client, personas, name, visitor, expected):
    kwargs, _ = MATRIX[name]
    resolved = {key: _slug(value, personas) for key, value in kwargs.items()}
    url = reverse(name.split("#")[0], kwargs=resolved)
    if visitor != "anonymous":
        client.force_login(personas.by_role()[visitor])

    response = client.get(url)

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")
    else:
        assert response.status_code == expected, f"{visitor} on {url}"
    if expected == FORBIDDEN:
        assert b"You cannot see this page" in response.content
