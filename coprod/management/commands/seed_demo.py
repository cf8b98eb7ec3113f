"""Demo data for trying coprod: the three demo logins, a few projects and a realistic mix of
people, so that every page shows something. Safe to run twice."""

import importlib
import random
import time
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from coprod.core.pagecache import data_changed
from coprod.demo_feedback import demo_feedback_build
from coprod.demo_large import large_demo_build
from coprod.demo_measures import demo_measures_build
from coprod.demo_payments import demo_payments_build
from coprod.demo_valuation import demo_valuation_build
from decisions.models import (
    AssessorRole,
    Decision,
    DecisionMethod,
    DecisionStatus,
    LadderAssessment,
    LadderRung,
    Progress,
)
from decisions.services import (
    action_create,
    decision_create,
    ladder_assessment_add,
    vote_cast,
    voting_close,
    voting_open,
)
from evidence.models import (
    BetterDirection,
    EvidenceKind,
    EvidenceRecord,
    ImpactSummary,
    LearningEntry,
    OutcomeValue,
    ReportGrant,
    Tag,
)
from projects.models import (
    Attendance,
    AttendanceStatus,
    CoverageTarget,
    Invitation,
    Meeting,
    MeetingFormat,
    Membership,
    MembershipStatus,
    Project,
    Response,
    Stage,
)
from projects.services.coverage import coverage_recount_all
from projects.services.earnings import earnings_recount_all
from projects.services.fee_waits import fee_waits_recount_all
from stakeholders.models import (
    AccessNeed,
    AgeBand,
    Availability,
    ConsentKind,
    ConsentMethod,
    Ethnicity,
    Gender,
    Person,
    Role,
    Skill,
    StakeholderGroup,
    User,
    YesNoPreferNot,
)
from stakeholders.people_count import people_recount
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

# Decisions for three demo projects, at several rungs and methods. "people": who took part
# ("proposed" adds a person with lived experience or a carer as proposer); "votes": cast by
# the project's active members in turn; "still_open": voting stays open, and members who
# can log in are left to vote themselves; "actions": (what, who, due in so many days).
DEMO_DECISIONS = {
    "day-services-review": {
        "decisions": [
            {
                "title": "Keeping the cooking club",
                "question": "Should we keep the cooking club, even if it means fewer gardening "
                "sessions?",
                "options": "Keep the cooking club\nKeep the gardening group\nKeep both, less often",
                "method": DecisionMethod.VOTE,
                "ladder_rung": LadderRung.CO_DESIGN,
                "days_ago": 75,
                "people": "proposed",
                "votes": ["for", "for", "against", "for", "abstain", "for"],
                "you_said": "The cooking club is the reason many of us get out of the house.",
                "we_did": "We kept the cooking club and moved it to a bigger kitchen.",
                "difference_made": "Twice as many people come each week, and some now cook at "
                "home too.",
                "progress": Progress.DONE,
            },
            {
                "title": "Pick-up times for day centre transport",
                "question": "What times should the minibus collect people?",
                "method": DecisionMethod.DELEGATED,
                "ladder_rung": LadderRung.CO_PRODUCTION,
                "status": DecisionStatus.IMPLEMENTED,
                "days_ago": 160,
                "people": "proposed",
                "you_said": "The bus comes too early and some of us wait an hour in the cold.",
                "we_did": "People who use the bus planned new pick-up times with the drivers.",
                "difference_made": "Most people now wait less than 15 minutes.",
                "progress": Progress.DONE,
            },
            {
                "title": "How we ask what changed for you",
                "question": "Shall we ask people how they feel with short picture cards, instead "
                "of a long form?",
                "options": "Picture cards\nA short phone call\nThe long form we use now",
                "method": DecisionMethod.CONSENSUS,
                "ladder_rung": LadderRung.CO_DESIGN,
                "anonymous_voting": True,
                "days_ago": 3,
                "people": "took_part",
                "votes": ["agree", "stand_aside", "agree"],
                "still_open": True,
            },
            {
                "title": "The Friday session",
                "question": "Should the Friday session close to save money?",
                "method": DecisionMethod.STAFF_AFTER_CONSULTATION,
                "ladder_rung": LadderRung.CONSULTATION,
                "status": DecisionStatus.AGREED,
                "outcome": "Friday stays open in the morning only.",
                "days_ago": 220,
                "people": "took_part",
                "you_said": "Please do not close Friday without asking us first.",
                "we_did": "We asked everyone, and kept Friday open in the morning.",
                "progress": Progress.UNDER_WAY,
                "actions": [("Tell families about the new Friday times", "Sam Staff", -10)],
            },
            {
                "title": "Staff training dates",
                "question": "When should staff do their training this year?",
                "method": DecisionMethod.STAFF_AFTER_CONSULTATION,
                "ladder_rung": LadderRung.INFORMING,
                "status": DecisionStatus.AGREED,
                "days_ago": 30,
                "actions": [("Share the training dates with the group", "Sam Staff", 14)],
            },
        ],
        "ladder": [
            (AssessorRole.STAFF, LadderRung.CO_DESIGN, "We design most changes with the group."),
            (
                AssessorRole.PARTICIPANT,
                LadderRung.CONSULTATION,
                "We are asked a lot, but staff still decide.",
            ),
        ],
    },
    "housing-repairs": {
        "decisions": [
            {
                "title": "Evening and weekend repair slots",
                "question": "Should repairs be booked for evenings and Saturdays as well?",
                "method": DecisionMethod.VOTE,
                "ladder_rung": LadderRung.ENGAGEMENT,
                "days_ago": 50,
                "people": "proposed",
                "votes": ["for", "for", "for", "against"],
                "you_said": "We cannot take a day off work to wait in for a repair.",
                "we_did": "You can now book a repair for an evening or a Saturday.",
                "difference_made": "A third fewer missed appointments.",
                "progress": Progress.DONE,
            },
            {
                "title": "Reporting repairs online only",
                "question": "Shall we close the phone line and take repairs online only?",
                "method": DecisionMethod.CONSENSUS,
                "ladder_rung": LadderRung.CO_DESIGN,
                "days_ago": 90,
                "people": "took_part",
                "votes": ["agree", "block", "stand_aside", "agree"],
                "you_said": "Not everyone has the internet. Do not make us report repairs online.",
                "we_did": "We kept the phone line. Reporting online is an extra, not the only way.",
                "difference_made": "Older tenants still get repairs done as quickly as others.",
                "progress": Progress.DONE,
            },
            {
                "title": "A text when the repairer is on the way",
                "question": "What should the text message say, and when should it come?",
                "method": DecisionMethod.DELEGATED,
                "ladder_rung": LadderRung.CO_DESIGN,
                "status": DecisionStatus.IMPLEMENTED,
                "days_ago": 120,
                "people": "proposed",
                "you_said": "We wait in all day, not knowing when anyone will come.",
                "we_did": "Tenants wrote a text that is sent 30 minutes before the visit.",
                "progress": Progress.UNDER_WAY,
                "actions": [("Try the text message with ten tenants", "Repairs team", 21)],
            },
            {
                "title": "Choosing the new repairs contractor",
                "question": "Which contractor should carry out repairs from April?",
                "method": DecisionMethod.STAFF_AFTER_CONSULTATION,
                "ladder_rung": LadderRung.EDUCATING,
                "status": DecisionStatus.AGREED,
                "days_ago": 200,
            },
            {
                "title": "Which repairs count as urgent",
                "question": "Should a broken front door lock count as an urgent repair?",
                "method": DecisionMethod.VOTE,
                "ladder_rung": LadderRung.CO_PRODUCTION,
                "days_ago": 5,
                "people": "took_part",
                "votes": ["for", "for"],
                "still_open": True,
            },
        ],
        "ladder": [
            (
                AssessorRole.STAFF,
                LadderRung.ENGAGEMENT,
                "Tenants are involved all the way through.",
            ),
            (
                AssessorRole.PARTICIPANT,
                LadderRung.ENGAGEMENT,
                "We are listened to, and the repairs team still has the last word.",
            ),
        ],
    },
    "mental-health-crisis-support": {
        "decisions": [
            {
                "title": "Peers answering the out-of-hours line",
                "question": "Who should answer the crisis line at night?",
                "method": DecisionMethod.DELEGATED,
                "ladder_rung": LadderRung.CO_PRODUCTION,
                "status": DecisionStatus.AGREED,
                "days_ago": 100,
                "people": "proposed",
                "you_said": "When you ring at night you want someone who has been through it.",
                "we_did": "Two peer supporters will answer the line on Friday and Saturday nights.",
                "progress": Progress.UNDER_WAY,
                "actions": [("Recruit two peer supporters", "Sam Staff", 30)],
            },
            {
                "title": "A quiet room at the crisis café",
                "question": "Should we turn the back office into a quiet room?",
                "method": DecisionMethod.VOTE,
                "ladder_rung": LadderRung.CO_DESIGN,
                "days_ago": 40,
                "people": "proposed",
                "votes": ["for", "for", "against", "for"],
                "you_said": "The waiting area is loud and bright. We need somewhere calm.",
                "we_did": "We are turning the back office into a quiet room.",
                "progress": Progress.UNDER_WAY,
            },
            {
                "title": "Follow-up by text, not letter",
                "question": "How should we get in touch the day after a crisis?",
                "method": DecisionMethod.STAFF_AFTER_CONSULTATION,
                "ladder_rung": LadderRung.CONSULTATION,
                "status": DecisionStatus.IMPLEMENTED,
                "days_ago": 180,
                "people": "took_part",
                "you_said": "Letters come late and feel cold.",
                "we_did": "We send a text the next day, and a letter only if you ask for one.",
                "difference_made": "People get back to us sooner.",
                "progress": Progress.DONE,
            },
            {
                "title": "A name for the new service",
                "question": "Shall we call the new service The Night Light?",
                "options": "The Night Light\nSafe Haven\nCrisis Café",
                "method": DecisionMethod.CONSENSUS,
                "ladder_rung": LadderRung.CO_DESIGN,
                "anonymous_voting": True,
                "days_ago": 2,
                "people": "took_part",
                "votes": ["agree", "agree"],
                "still_open": True,
            },
            {
                "title": "Next year's budget",
                "question": "How much will the service have to spend next year?",
                "method": DecisionMethod.STAFF_AFTER_CONSULTATION,
                "ladder_rung": LadderRung.COERCION,
                "status": DecisionStatus.AGREED,
                "days_ago": 260,
            },
        ],
        "ladder": [
            (
                AssessorRole.STAFF,
                LadderRung.CO_PRODUCTION,
                "People with lived experience lead the design.",
            ),
            (
                AssessorRole.PARTICIPANT,
                LadderRung.CO_DESIGN,
                "We shape the ideas; the money is still decided elsewhere.",
            ),
        ],
    },
}
DECISION_PLAN_KEYS = {"days_ago", "people", "votes", "still_open", "actions"}

DEMO_OUTCOMES = [
    (
        "Days waiting for a first appointment",
        "days",
        BetterDirection.LOWER,
        [Decimal("21"), Decimal("18"), Decimal("12"), Decimal("9")],
    ),
    (
        "People who felt listened to",
        "%",
        BetterDirection.HIGHER,
        [Decimal("41"), Decimal("52"), Decimal("67"), Decimal("74")],
    ),
]

DEMO_EVIDENCE = [
    (
        EvidenceKind.FEEDBACK,
        "What a member said at the review",
        "For the first time I felt the people running the service actually heard us.",
        None,
        True,
    ),
    (
        EvidenceKind.STORY,
        "A carer's story",
        "A story shared in confidence, not for publication.",
        None,
        False,
    ),
    (
        EvidenceKind.SAVING,
        "Fewer emergency visits",
        "Estimated from 60 fewer A&E attendances at the national average cost of £200.",
        Decimal("12000.00"),
        False,
    ),
    (
        EvidenceKind.COST,
        "Room hire and refreshments",
        "Invoices for the year.",
        Decimal("1450.00"),
        False,
    ),
]

DEMO_GRIPP2 = {
    "aim": "To redesign the service with the people who use it, from the first idea on.",
    "methods": "A standing group of people with lived experience and carers met twice a month,"
    " paid for their time, with staff and managers.",
    "results": "The group chose the new opening hours and rewrote the letters people receive.",
    "influence": "Three of the five changes made came straight from the group.",
    "reflections": "We started involving people too late in planning; next time, from day one.",
}

DEMO_LEARNING = [
    (
        "Pay people on the day",
        "Paying by voucher at the end of each meeting kept people coming back.",
        ["payments", "retention"],
    ),
    (
        "Easy read agendas",
        "Easy read agendas sent a week ahead meant more people spoke in meetings.",
        ["accessibility", "meetings"],
    ),
]

DEMO_PEOPLE = 60
# Active people per group in the projects a commissioner can read (targets are 8, 5 and 3).
ENOUGH_TO_REPORT = {
    StakeholderGroup.LIVED_EXPERIENCE: 7,
    StakeholderGroup.CARER: 5,
    StakeholderGroup.PRACTITIONER: 4,
}
# Reference rows that data migrations ship (ONS4, the WELLBY value and the GDP deflators),
# shipped again here when a test that empties its database has taken them away.
SHIPPED_BY_MIGRATIONS = [
    ("evidence.migrations.0004_valuation", "ship_values", "UnitValue"),
    ("evidence.migrations.0007_ons4_shipped", "ship_ons4", "Measure"),
]


def _ship_reference_data() -> None:
    for module, function, model in SHIPPED_BY_MIGRATIONS:
        if not django_apps.get_model("evidence", model).objects.filter(shipped=True).exists():
            getattr(importlib.import_module(module), function)(django_apps, None)


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
            _ship_reference_data()
            self._roster(projects, users["participant@example.org"], users["staff@example.org"])
            self._enough_to_report(
                [project for project in projects if project.report_grants.exists()]
            )
            self._meetings(projects, users["staff@example.org"])
            demo_payments_build(
                project=projects[0],
                participant=users["participant@example.org"],
                staff=users["staff@example.org"],
            )
            self._decisions(projects, users["staff@example.org"])
            self._evidence(projects, users["staff@example.org"])
            demo_measures_build(
                projects=projects,
                participant=users["participant@example.org"],
                staff=users["staff@example.org"],
            )
            demo_valuation_build(projects=projects, staff=users["staff@example.org"])
            demo_feedback_build(
                projects=projects,
                participant=users["participant@example.org"],
                staff=users["staff@example.org"],
            )
            if size == "large":
                started = time.monotonic()
                built = large_demo_build(
                    staff=users["staff@example.org"],
                    commissioner=users["commissioner@example.org"],
                    say=lambda made: self.stdout.write(f"  {made}"),
                )
                if built:
                    self.stdout.write(f"Large demo built in {time.monotonic() - started:.0f} s.")
            # The people, memberships and fees above were made in bulk, which sends no signals.
            coverage_recount_all()
            fee_waits_recount_all()
            earnings_recount_all()
            people_recount()
        if size == "large" and connection.vendor == "postgresql":
            # Fresh planner statistics: without them PostgreSQL guesses a few thousand rows
            # where there are 100,000 and picks slow plans until autovacuum catches up.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # Bulk inserts send no signals: pages cached before the demo data must not stay.
        data_changed()

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

    def _enough_to_report(self, projects: list[Project]) -> None:
        """The projects a commissioner can read have 5 or more active people in some groups,
        so the demo report shows real figures beside the ones kept back as small numbers."""
        for project in projects:
            for group, wanted in ENOUGH_TO_REPORT.items():
                active = Membership.objects.filter(
                    project=project,
                    status=MembershipStatus.ACTIVE,
                    person__stakeholder_group=group,
                ).count()
                more = (
                    # Not the demo participant, whose page shows their own projects.
                    Person.objects.filter(stakeholder_group=group, erased_at=None, user=None)
                    .exclude(memberships__project=project)
                    .order_by("pk")[: max(wanted - active, 0)]
                )
                Membership.objects.bulk_create(
                    [
                        Membership(project=project, person=person, status=MembershipStatus.ACTIVE)
                        for person in more
                    ]
                )

    def _evidence(self, projects: list[Project], staff: User) -> None:
        """Outcomes that moved, what people said, a saving and a cost, a GRIPP2 summary and
        learning entries, so a commissioner's report shows something they would recognise."""
        today = timezone.localdate()
        for project in projects[:3]:
            for title, unit, better, readings in DEMO_OUTCOMES:
                record, created = EvidenceRecord.objects.get_or_create(
                    project=project,
                    title=title,
                    defaults={
                        "kind": EvidenceKind.OUTCOME,
                        "source": "Service records",
                        "unit": unit,
                        "better": better,
                        "baseline_value": readings[0],
                        "baseline_on": today - timedelta(days=270),
                        "recorded_on": today - timedelta(days=270),
                        "created_by": staff,
                    },
                )
                if created:
                    OutcomeValue.objects.bulk_create(
                        [
                            OutcomeValue(
                                record=record,
                                value=value,
                                measured_on=today - timedelta(days=270 - 90 * number),
                            )
                            for number, value in enumerate(readings[1:], start=1)
                        ]
                    )
            for kind, title, text, amount, publish in DEMO_EVIDENCE:
                EvidenceRecord.objects.get_or_create(
                    project=project,
                    title=title,
                    defaults={
                        "kind": kind,
                        "source": "Project team",
                        "text": text,
                        "amount": amount,
                        "consent_to_publish": publish,
                        "recorded_on": today - timedelta(days=30),
                        "created_by": staff,
                    },
                )
            ImpactSummary.objects.get_or_create(project=project, defaults=DEMO_GRIPP2)
            for title, learned, tags in DEMO_LEARNING:
                entry, created = LearningEntry.objects.get_or_create(
                    project=project,
                    title=title,
                    defaults={
                        "tried": "We tried it in this project.",
                        "happened": "Most people said it helped them take part.",
                        "learned": learned,
                        "stage": project.stage,
                        "created_by": staff,
                    },
                )
                if created:
                    entry.tags.set([Tag.objects.get_or_create(name=tag)[0] for tag in tags])

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

    def _decisions(self, projects: list[Project], staff: User) -> None:
        """The decision log of three projects (DEMO_DECISIONS), with votes, actions (one
        overdue), "you said, we did" and staff and participant ladder self-assessments, so the
        power-sharing measures, the public board and /me/ show something real."""
        today = timezone.localdate()
        lived_groups = (StakeholderGroup.LIVED_EXPERIENCE, StakeholderGroup.CARER)
        for project in projects:
            plan = DEMO_DECISIONS.get(project.slug)
            if plan is None:
                continue
            members = list(
                Person.objects.filter(
                    memberships__project=project,
                    memberships__status=MembershipStatus.ACTIVE,
                    involvement_consent_given=True,
                ).order_by("pk")
            )
            proposers = [p for p in members if p.stakeholder_group in lived_groups][:1]
            for spec in plan["decisions"]:
                if Decision.objects.filter(project=project, title=spec["title"]).exists():
                    continue
                people = spec.get("people")
                decision = decision_create(
                    project=project,
                    created_by=staff,
                    participants=members[:6] if people else (),
                    proposers=proposers if people == "proposed" else (),
                    decided_on=today - timedelta(days=spec["days_ago"]),
                    **{key: value for key, value in spec.items() if key not in DECISION_PLAN_KEYS},
                )
                if "votes" in spec:
                    voting_open(decision=decision)
                    # People who can log in are left to cast an open vote themselves.
                    voters = [p for p in members if not (spec.get("still_open") and p.user_id)]
                    for person, choice in zip(voters, spec["votes"], strict=False):
                        vote_cast(decision=decision, person=person, choice=choice)
                    if not spec.get("still_open"):
                        voting_close(decision=decision)
                for description, owner, due_in in spec.get("actions", ()):
                    action_create(
                        decision=decision,
                        description=description,
                        owner=owner,
                        due_on=today + timedelta(days=due_in),
                    )
            for role, rung, note in plan["ladder"]:
                if not LadderAssessment.objects.filter(
                    project=project, assessor_role=role, note=note
                ).exists():
                    ladder_assessment_add(
                        project=project,
                        assessed_by=staff if role == AssessorRole.STAFF else None,
                        role=role,
                        rung=rung,
                        note=note,
                    )
