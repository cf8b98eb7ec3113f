"""Demo data for trying coprod: the three demo logins, a few projects and a realistic mix of
people, so that every page shows something. Safe to run twice."""

import random
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from evidence.models import ReportGrant
from projects.models import (
    Attendance,
    AttendanceStatus,
    CoverageTarget,
    Invitation,
    Meeting,
    MeetingFormat,
    Project,
    Response,
    Stage,
)
from stakeholders.models import (
    AccessNeed,
    AgeBand,
    Availability,
    ConsentKind,
    ConsentMethod,
    Ethnicity,
    Gender,
    Membership,
    MembershipStatus,
    Person,
    Role,
    Skill,
    StakeholderGroup,
    User,
    YesNoPreferNot,
)
from stakeholders.services import consent_give, equality_answers_save

DEMO_PASSWORD = "coprod-demo-2026"  # noqa: S105 - printed for newcomers; demo data only

DEMO_LOGINS = [
    ("staff@example.org", "Sam Staff", Role.STAFF),
    ("participant@example.org", "Pat Participant", Role.PARTICIPANT),
    ("commissioner@example.org", "Chris Commissioner", Role.COMMISSIONER),
]

DEMO_PROJECTS = [
    {
        "slug": "mental-health-crisis-support",
        "name": "Mental health crisis support",
        "summary": "Redesigning what happens when someone in a mental health crisis asks for "
        "help out of hours, with people who have been through it.",
        "stage": Stage.DESIGN,
        "is_open_to_join": True,
        "granted": True,
    },
    {
        "slug": "carers-breaks",
        "name": "Short breaks for unpaid carers",
        "summary": "Planning a short-breaks service that works for carers, shaped by carers.",
        "stage": Stage.PLANNING,
        "is_open_to_join": True,
        "granted": True,
    },
    {
        "slug": "housing-repairs",
        "name": "Housing repairs that work for tenants",
        "summary": "Tenants and the repairs team checking the new repairs service together.",
        "stage": Stage.DELIVERY,
        "is_open_to_join": False,
        "granted": False,
    },
    {
        "slug": "day-services-review",
        "name": "Day services review",
        "summary": "Looking back at the day services changes and what difference they made.",
        "stage": Stage.EVALUATION,
        "is_open_to_join": False,
        "granted": False,
    },
]

JOIN_PAGE = {
    "time_commitment": "About two hours, twice a month",
    "place": "Riverside Community Centre, and online",
    "meeting_format": MeetingFormat.BOTH,
    "payment_offer": "£20 an hour, plus travel and carer costs",
    "access_support": "Step-free rooms with a hearing loop. We can book a BSL interpreter and "
    "send papers in large print or easy read.",
    "contact_name": "Sam Staff",
    "contact_email": "staff@example.org",
    "contact_phone": "0161 496 0000",
}

COVERAGE_TARGETS = {
    StakeholderGroup.LIVED_EXPERIENCE: 8,
    StakeholderGroup.CARER: 5,
    StakeholderGroup.PRACTITIONER: 3,
    StakeholderGroup.COMMUNITY_ORG: 2,
}

SKILLS = [
    "Listening",
    "Public speaking",
    "Writing and editing",
    "Peer support",
    "Translation",
    "Design and drawing",
    "Spreadsheets and data",
    "Training others",
    "Chairing meetings",
    "Social media",
]

FIRST_NAMES = [
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Ellen",
    "Femi",
    "Grace",
    "Hamza",
    "Iris",
    "Jamal",
    "Kate",
    "Liam",
    "Maya",
    "Nasir",
    "Olivia",
    "Priya",
    "Rhys",
    "Sade",
    "Tom",
    "Una",
]
SURNAMES = [
    "Ahmed",
    "Brown",
    "Chen",
    "Davies",
    "Evans",
    "Khan",
    "Murphy",
    "Okafor",
    "Patel",
    "Smith",
]

GROUP_WEIGHTS = {
    StakeholderGroup.LIVED_EXPERIENCE: 40,
    StakeholderGroup.CARER: 20,
    StakeholderGroup.PRACTITIONER: 15,
    StakeholderGroup.MANAGER: 7,
    StakeholderGroup.COMMUNITY_ORG: 10,
    StakeholderGroup.COMMISSIONER: 3,
    StakeholderGroup.OTHER: 5,
}

DEMO_PEOPLE = 60
LARGE_PROJECT_COUNT = 200


class Command(BaseCommand):
    help = "Create demo logins and projects. Running it again changes nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--size", choices=["small", "large"], default="small")
        parser.add_argument(
            "--force", action="store_true", help="Run even when DJANGO_DEBUG is false."
        )

    def handle(self, *args, size: str, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to add demo data: DJANGO_DEBUG is false, so this looks like "
                "production. Use --force if you really mean it."
            )
        with transaction.atomic():
            users = {
                email: self._demo_login(email, name, role) for email, name, role in DEMO_LOGINS
            }
            for spec in DEMO_PROJECTS:
                project = self._demo_project(spec)
                if spec["granted"]:
                    ReportGrant.objects.get_or_create(
                        project=project,
                        commissioner=users["commissioner@example.org"],
                        defaults={"granted_by": users["staff@example.org"]},
                    )
            projects = list(Project.objects.filter(slug__in=[p["slug"] for p in DEMO_PROJECTS]))
            self._roster(projects, users["participant@example.org"], users["staff@example.org"])
            self._meetings(projects, users["staff@example.org"])
            if size == "large":
                self._large_projects()

        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in with:"))
        for email, _, role in DEMO_LOGINS:
            self.stdout.write(f"  {role.label:<13} {email:<26} password: {DEMO_PASSWORD}")

    def _demo_login(self, email: str, name: str, role: str) -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults={"name": name, "role": role}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _demo_project(self, spec: dict) -> Project:
        fields = {key: spec[key] for key in ("name", "summary", "stage", "is_open_to_join")}
        project, _ = Project.objects.get_or_create(
            slug=spec["slug"], defaults={**fields, **JOIN_PAGE}
        )
        for group, target in COVERAGE_TARGETS.items():
            CoverageTarget.objects.get_or_create(
                project=project, stakeholder_group=group, defaults={"target": target}
            )
        return project

    def _roster(self, projects: list[Project], participant: User, staff: User) -> None:
        """A mix of people across groups, needs and times, some in the standing pool."""
        skills = [Skill.objects.get_or_create(name=name)[0] for name in SKILLS]
        pat = self._person(
            email=participant.email,
            full_name="Pat Participant",
            user=participant,
            defaults={"stakeholder_group": StakeholderGroup.LIVED_EXPERIENCE, "in_pool": True},
        )
        Membership.objects.get_or_create(
            project=projects[0], person=pat, defaults={"status": MembershipStatus.ACTIVE}
        )
        chance = random.Random(2026)
        groups, weights = zip(*GROUP_WEIGHTS.items(), strict=True)
        for number in range(DEMO_PEOPLE):
            first = FIRST_NAMES[number % len(FIRST_NAMES)]
            last = SURNAMES[(number // len(FIRST_NAMES) + number) % len(SURNAMES)]
            phone_only = number % 9 == 4
            defaults = {
                "stakeholder_group": chance.choices(groups, weights)[0],
                "phone": f"+4479111{number:05d}" if phone_only or number % 3 == 0 else "",
                "in_pool": chance.random() < 0.6,
                "created_by": staff,
                **{need.value: chance.random() < 0.12 for need in AccessNeed},
                **{time.value: chance.random() < 0.45 for time in Availability},
            }
            # Every random draw happens on every run, so a second run sees the same people.
            chosen_skills = chance.sample(skills, chance.randint(1, 3))
            answers_equality = chance.random() < 0.5
            equality = self._equality_answers(chance)
            joins = [
                (project, chance.choice(list(MembershipStatus)))
                for project in chance.sample(projects, chance.randint(0, 2))
            ]
            email = "" if phone_only else f"{first}.{last}@example.net".lower()
            if Person.objects.filter(full_name=f"{first} {last}", email=email).exists():
                continue
            person = self._person(
                email=email,
                full_name=f"{first} {last}",
                defaults=defaults,
                method=ConsentMethod.PHONE if phone_only else ConsentMethod.ONLINE,
            )
            person.skills.set(chosen_skills)
            if answers_equality:
                consent_give(
                    person=person,
                    kind=ConsentKind.EQUALITY,
                    method=ConsentMethod.ONLINE,
                    recorded_by=None,
                )
                equality_answers_save(person=person, answers=equality)
            Membership.objects.bulk_create(
                [
                    Membership(project=project, person=person, status=status)
                    for project, status in joins
                ]
            )

    def _meetings(self, projects: list[Project], staff: User) -> None:
        """Meetings to come with answers (so /me/ and the dashboard show them) and one held
        last week with attendance. Times are whole hours from today, London time."""
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        plans = [
            ("Getting started together", timedelta(days=2, hours=10), 12),
            ("Planning workshop", timedelta(days=9, hours=14), None),
            ("Looking back: what we heard", timedelta(days=-7, hours=10), None),
        ]
        answers = [Response.ACCEPTED, Response.ACCEPTED, Response.DECLINED, Response.NO_ANSWER]
        for project in projects[:3]:
            members = list(
                Person.objects.filter(
                    memberships__project=project,
                    memberships__status__in=[MembershipStatus.ACTIVE, MembershipStatus.INTERESTED],
                    involvement_consent_given=True,
                ).order_by("pk")
            )
            for title, offset, capacity in plans:
                starts = today + offset
                meeting, created = Meeting.objects.get_or_create(
                    project=project,
                    title=title,
                    defaults={
                        "starts_at": starts,
                        "ends_at": starts + timedelta(hours=2),
                        "place": JOIN_PAGE["place"],
                        "access_info": "Step-free entrance, hearing loop, quiet room.",
                        "agenda": "Welcome and introductions\nWhat matters to you\nNext steps",
                        "capacity": capacity,
                        "stage": project.stage,
                        "created_by": staff,
                    },
                )
                if not created:
                    continue
                Invitation.objects.bulk_create(
                    [
                        Invitation(
                            meeting=meeting,
                            person=person,
                            invited_by=staff,
                            response=answers[number % len(answers)],
                        )
                        for number, person in enumerate(members)
                    ]
                )
                if meeting.is_over:
                    Attendance.objects.bulk_create(
                        [
                            Attendance(
                                meeting=meeting,
                                person=person,
                                status=AttendanceStatus.ATTENDED,
                                hours=Decimal("2"),
                                stakeholder_group=person.stakeholder_group,
                                recorded_by=staff,
                            )
                            for number, person in enumerate(members)
                            if answers[number % len(answers)] == Response.ACCEPTED
                        ]
                    )

    def _person(
        self, *, email: str, full_name: str, defaults: dict, user=None, method=ConsentMethod.ONLINE
    ):
        lookup = {"email": email} if email else {"full_name": full_name, "phone": defaults["phone"]}
        person, _ = Person.objects.get_or_create(
            **lookup, defaults={"full_name": full_name, "user": user, **defaults}
        )
        consent_give(person=person, kind=ConsentKind.INVOLVEMENT, method=method, recorded_by=None)
        return person

    def _equality_answers(self, chance: random.Random) -> dict:
        return {
            "age_band": chance.choice(AgeBand.values),
            "gender": chance.choice(Gender.values),
            "ethnicity": chance.choice(Ethnicity.values),
            "disability": chance.choice(YesNoPreferNot.values),
            "long_term_condition": chance.choice(YesNoPreferNot.values),
        }

    def _large_projects(self) -> None:
        existing = set(
            Project.objects.filter(slug__startswith="demo-project-").values_list("slug", flat=True)
        )
        stages = [stage for stage in Stage if stage != Stage.CLOSED]
        Project.objects.bulk_create(
            [
                Project(
                    slug=f"demo-project-{number:04d}",
                    name=f"Demo project {number}",
                    summary="A generated project for trying coprod at scale.",
                    stage=stages[number % len(stages)],
                    is_open_to_join=number % 3 == 0,
                )
                for number in range(1, LARGE_PROJECT_COUNT + 1)
                if f"demo-project-{number:04d}" not in existing
            ],
            batch_size=500,
        )
