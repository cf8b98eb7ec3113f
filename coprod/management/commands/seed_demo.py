"""Demo data for trying coprod: the three demo logins and a few projects. Safe to run twice."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from evidence.models import ReportGrant
from projects.models import Project, Stage
from stakeholders.models import Role, User

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
        project, _ = Project.objects.get_or_create(slug=spec["slug"], defaults=fields)
        return project

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
