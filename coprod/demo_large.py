"""The large demo (`seed_demo --size large`): the scale the benchmark runs at, built with bulk
inserts so it takes well under two minutes on two cores, on SQLite and on PostgreSQL.

Rows are made in plain Python and written with `bulk_create`, so no `save()`, no signals
and no history rows run; deterministic choices (`random.Random(SEED)`) make every build
the same. It is all or nothing: the caller runs it inside one transaction, and a build
finds the first large project already there and adds nothing.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import models
from django.utils import timezone

from decisions.models import (
    Action,
    Decision,
    DecisionMethod,
    DecisionParticipant,
    DecisionStatus,
    LadderRung,
    Progress,
    Vote,
)
from evidence.models import (
    BetterDirection,
    EvidenceKind,
    EvidenceRecord,
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
    Membership,
    MembershipStatus,
    Payment,
    PaymentPolicy,
    PaymentStatus,
    Project,
    Response,
    Stage,
)
from stakeholders.models import (
    ConsentKind,
    ConsentMethod,
    ConsentRecord,
    PaymentMethod,
    Person,
    StakeholderGroup,
    User,
)
from stakeholders.services import consent_wording_current

SEED = 2026
BATCH = 2000
FIRST_NAMES = ["Aisha", "Ben", "Chloe", "Dev", "Ellen", "Femi", "Grace", "Hamza", "Iris", "Jo"]
SURNAMES = ["Ahmed", "Brown", "Chen", "Davies", "Evans", "Khan", "Murphy", "Okafor", "Patel"]
GROUP_WEIGHTS = {
    StakeholderGroup.LIVED_EXPERIENCE: 40,
    StakeholderGroup.CARER: 20,
    StakeholderGroup.PRACTITIONER: 15,
    StakeholderGroup.MANAGER: 7,
    StakeholderGroup.COMMUNITY_ORG: 10,
    StakeholderGroup.COMMISSIONER: 3,
    StakeholderGroup.OTHER: 5,
}
COVERAGE_TARGETS = {
    StakeholderGroup.LIVED_EXPERIENCE: 40,
    StakeholderGroup.CARER: 25,
    StakeholderGroup.PRACTITIONER: 15,
    StakeholderGroup.COMMUNITY_ORG: 10,
}
TAGS = ["payments", "accessibility", "meetings", "recruitment", "retention", "evaluation"]
EVIDENCE_KINDS = [
    EvidenceKind.OUTCOME,
    EvidenceKind.FEEDBACK,
    EvidenceKind.FEEDBACK,
    EvidenceKind.STORY,
    EvidenceKind.COST,
    EvidenceKind.SAVING,
]
FEE = Decimal("40.00")
ATTENDED = AttendanceStatus.ATTENDED


@dataclass(frozen=True)
class LargeDemoSize:
    """How much the large demo holds. Invitations = meetings × invited per meeting; every
    invitee of a meeting already held has an attendance, and most who said yes attended
    (and are owed or were paid a fee)."""

    projects: int = 200
    people: int = 20_000
    projects_per_person: int = 2
    meetings_per_project: int = 25
    invited_per_meeting: int = 20
    past_share: float = 0.8
    decisions_per_project: int = 50
    votes_per_decision: int = 5
    evidence_per_project: int = 100
    learning_per_project: int = 10


SIZE = LargeDemoSize()


def large_project_slug(number: int) -> str:
    return f"demo-project-{number:04d}"


def large_demo_exists() -> bool:
    """The marker: the first large project. The build is one transaction, so if it is
    there, everything is."""
    return Project.objects.filter(slug=large_project_slug(1)).exists()


def large_demo_build(
    *, staff: User, commissioner: User, say: Callable[[str], None] = lambda _: None
) -> bool:
    """Build the large demo unless it is there already; True if it was built."""
    if large_demo_exists():
        return False
    builder = _Builder(size=SIZE, staff=staff, commissioner=commissioner, say=say)
    builder.build()
    return True


def _create(model: type[models.Model], rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


class _Builder:
    def __init__(self, *, size: LargeDemoSize, staff: User, commissioner: User, say) -> None:
        self.size = size
        self.staff = staff
        self.commissioner = commissioner
        self.say = say
        self.chance = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.now = timezone.now().replace(minute=0, second=0, microsecond=0)
        self.today = timezone.localdate()

    def build(self) -> None:
        projects = self.projects()
        people = self.people()
        members = self.memberships(projects, people)
        self.meetings(projects, members)
        self.decisions(projects, members)
        self.evidence(projects)
        self.learning(projects)

    def projects(self) -> list[Project]:
        stages = [stage for stage in Stage if stage != Stage.CLOSED]
        projects = _create(
            Project,
            [
                Project(
                    slug=large_project_slug(number),
                    name=f"Demo project {number}",
                    summary="A generated project for trying coprod at scale.",
                    stage=stages[number % len(stages)],
                    is_open_to_join=number % 3 == 0,
                    time_commitment="About two hours a month",
                    place="Town Hall, and online",
                    payment_offer="£20 an hour, plus travel",
                    contact_name="Sam Staff",
                    contact_email="staff@example.org",
                    created_at=self.now - timedelta(days=400 - number),
                )
                for number in range(1, self.size.projects + 1)
            ],
        )
        _create(
            CoverageTarget,
            [
                CoverageTarget(project=project, stakeholder_group=group, target=target)
                for project in projects
                for group, target in COVERAGE_TARGETS.items()
            ],
        )
        _create(
            PaymentPolicy,
            [
                PaymentPolicy(project=p, fee_rate=Decimal("20.00"), budget=Decimal("50000.00"))
                for p in projects
            ],
        )
        _create(
            ReportGrant,
            [
                ReportGrant(project=project, commissioner=self.commissioner, granted_by=self.staff)
                for project in projects[::10]
            ],
        )
        self.say(f"{len(projects)} projects")
        return projects

    def people(self) -> list[Person]:
        groups, weights = zip(*GROUP_WEIGHTS.items(), strict=True)
        chance = self.chance
        people = _create(
            Person,
            [
                Person(
                    full_name=f"{FIRST_NAMES[n % 10]} {SURNAMES[n // 10 % 9]} {n}",
                    email=f"person{n:05d}@large.example.net",
                    stakeholder_group=chance.choices(groups, weights)[0],
                    in_pool=chance.random() < 0.6,
                    involvement_consent_given=True,
                    needs_step_free=chance.random() < 0.1,
                    needs_large_print=chance.random() < 0.1,
                    free_weekday_evenings=chance.random() < 0.45,
                    free_weekends=chance.random() < 0.45,
                    created_by=self.staff,
                    created_at=self.now - timedelta(days=n % 365),
                )
                for n in range(1, self.size.people + 1)
            ],
        )
        wording = consent_wording_current(kind=ConsentKind.INVOLVEMENT)
        _create(
            ConsentRecord,
            [
                ConsentRecord(
                    person=person,
                    wording=wording,
                    kind=ConsentKind.INVOLVEMENT,
                    method=ConsentMethod.ONLINE,
                    given_at=person.created_at,
                )
                for person in people
            ],
        )
        self.say(f"{len(people)} people with consent")
        return people

    def memberships(self, projects: list[Project], people: list[Person]) -> dict[int, list]:
        """Each person joins `projects_per_person` projects, spread evenly; returns each
        project's active members."""
        statuses = [MembershipStatus.ACTIVE] * 8 + [MembershipStatus.INTERESTED] * 2
        rows, members = [], {project.pk: [] for project in projects}
        for number, person in enumerate(people):
            for step in range(self.size.projects_per_person):
                project = projects[(number + step * 7) % len(projects)]
                status = statuses[(number + step) % len(statuses)]
                rows.append(
                    Membership(
                        project=project,
                        person=person,
                        status=status,
                        interested_at=person.created_at,
                        active_at=person.created_at if status == MembershipStatus.ACTIVE else None,
                    )
                )
                if status == MembershipStatus.ACTIVE:
                    members[project.pk].append(person)
        _create(Membership, rows)
        self.say(f"{len(rows)} memberships")
        return members

    def meetings(self, projects: list[Project], members: dict[int, list]) -> None:
        size = self.size
        past = round(size.meetings_per_project * size.past_share)
        meetings = _create(
            Meeting,
            [
                self._meeting(project, number - past)
                for project in projects
                for number in range(size.meetings_per_project)
            ],
        )
        self.say(f"{len(meetings)} meetings")
        counts = {"invitations": 0, "attendances": 0, "payments": 0}
        # Meeting by meeting in chunks, so memory stays flat whatever the size.
        for start in range(0, len(meetings), 250):
            self._meeting_chunk(meetings[start : start + 250], members, counts)
        self.say(", ".join(f"{count} {name}" for name, count in counts.items()))

    def _meeting(self, project: Project, offset: int) -> Meeting:
        """A meeting `offset` fortnights from now (held when negative)."""
        starts_at = self.now.replace(hour=10) + timedelta(days=offset * 14 + project.pk % 7 + 1)
        if offset < 0:
            starts_at -= timedelta(days=2)
        return Meeting(
            project=project,
            title=f"Group meeting {timezone.localtime(starts_at):%d %b}",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            place="Town Hall",
            agenda="Welcome\nWhat matters to you\nNext steps",
            stage=project.stage,
            created_by=self.staff,
            created_at=starts_at - timedelta(days=21),
        )

    def _meeting_chunk(self, meetings: list[Meeting], members: dict, counts: dict) -> None:
        invitations, attendances, invitees = [], [], []
        answers = [Response.ACCEPTED] * 5 + [Response.DECLINED, Response.NO_ANSWER]
        for meeting in meetings:
            pool = members[meeting.project_id]
            chosen = self.chance.sample(pool, min(self.size.invited_per_meeting, len(pool)))
            held = meeting.ends_at <= self.now
            for number, person in enumerate(chosen):
                invitations.append(
                    Invitation(
                        meeting=meeting,
                        person=person,
                        invited_by=self.staff,
                        response=answers[number % len(answers)],
                        created_at=meeting.created_at,
                    )
                )
                if held:
                    attended = invitations[-1].response == Response.ACCEPTED and number % 8 != 7
                    attendances.append(
                        Attendance(
                            meeting=meeting,
                            person=person,
                            status=AttendanceStatus.ATTENDED
                            if attended
                            else AttendanceStatus.NO_SHOW,
                            hours=Decimal("2") if attended else Decimal("0"),
                            stakeholder_group=person.stakeholder_group,
                            recorded_by=self.staff,
                            recorded_at=meeting.ends_at,
                        )
                    )
                    invitees.append(attended)
        _create(Invitation, invitations)
        attendances = _create(Attendance, attendances)
        payments = [
            self._payment(attendance)
            for attendance, attended in zip(attendances, invitees, strict=True)
            if attended
        ]
        _create(Payment, payments)
        counts["invitations"] += len(invitations)
        counts["attendances"] += len(attendances)
        counts["payments"] += len(payments)

    def _payment(self, attendance: Attendance) -> Payment:
        meeting = attendance.meeting
        age = (self.now - meeting.ends_at).days
        # Older fees are paid; the last few weeks' are owed or approved, some overdue.
        status = (
            PaymentStatus.PAID
            if age > 28
            else self.chance.choice([PaymentStatus.OWED, PaymentStatus.APPROVED])
        )
        paid = status == PaymentStatus.PAID
        approved = status != PaymentStatus.OWED
        return Payment(
            person=attendance.person,
            project_id=meeting.project_id,
            attendance=attendance,
            meeting_starts_at=meeting.starts_at,
            activity=f"{meeting.title}, {timezone.localdate(meeting.starts_at):%d %b %Y}",
            amount=FEE,
            method=PaymentMethod.BANK_TRANSFER,
            status=status,
            owed_since=meeting.ends_at,
            approved_by=self.staff if approved else None,
            approved_at=meeting.ends_at + timedelta(days=3)
            if status != PaymentStatus.OWED
            else None,
            paid_on=timezone.localdate(meeting.ends_at) + timedelta(days=10) if paid else None,
            reference=f"BACS-{meeting.pk}" if paid else "",
            created_at=meeting.ends_at,
        )

    def decisions(self, projects: list[Project], members: dict[int, list]) -> None:
        size, chance = self.size, self.chance
        methods = list(DecisionMethod)
        statuses = [DecisionStatus.AGREED, DecisionStatus.IMPLEMENTED, DecisionStatus.REJECTED]
        rungs = list(LadderRung)
        decisions = _create(
            Decision,
            [
                Decision(
                    project=project,
                    title=f"Decision {number + 1} of {project.name}",
                    question="Which option should we take?",
                    options="Option one\nOption two\nOption three",
                    outcome="Option one",
                    stage=project.stage,
                    method=methods[number % len(methods)],
                    decided_on=self.today - timedelta(days=number * 7 + 1),
                    status=statuses[number % len(statuses)],
                    ladder_rung=rungs[(number + project.pk) % len(rungs)],
                    you_said="Please make it easier to take part." if number % 4 == 0 else "",
                    we_did="We moved meetings to the evening." if number % 4 == 0 else "",
                    progress=Progress.DONE if number % 4 == 0 else Progress.NOT_STARTED,
                    created_by=self.staff,
                    created_at=self.now - timedelta(days=number * 7 + 1),
                )
                for project in projects
                for number in range(size.decisions_per_project)
            ],
        )
        votes, participants, actions = [], [], []
        choices = ["for", "for", "against", "abstain"]
        for number, decision in enumerate(decisions):
            pool = members[decision.project_id]
            voters = chance.sample(pool, min(size.votes_per_decision, len(pool)))
            for turn, person in enumerate(voters):
                votes.append(
                    Vote(
                        decision=decision,
                        person=person,
                        choice=choices[turn % len(choices)],
                        stakeholder_group=person.stakeholder_group,
                        cast_at=decision.created_at,
                    )
                )
                participants.append(
                    DecisionParticipant(
                        decision=decision,
                        person=person,
                        stakeholder_group=person.stakeholder_group,
                        proposed=turn == 0,
                    )
                )
            if number % 5 == 0:
                actions.append(
                    Action(
                        decision=decision,
                        description="Tell everyone what was decided",
                        owner="Sam Staff",
                        due_on=decision.decided_on + timedelta(days=30),
                    )
                )
        _create(Vote, votes)
        _create(DecisionParticipant, participants)
        _create(Action, actions)
        self.say(f"{len(decisions)} decisions, {len(votes)} votes, {len(actions)} actions")

    def evidence(self, projects: list[Project]) -> None:
        records = _create(
            EvidenceRecord,
            [
                self._evidence(project, number)
                for project in projects
                for number in range(self.size.evidence_per_project)
            ],
        )
        outcomes = [record for record in records if record.kind == EvidenceKind.OUTCOME]
        _create(
            OutcomeValue,
            [
                OutcomeValue(
                    record=record,
                    value=record.baseline_value - 3,
                    # Evidence is never dated after today (EvidenceRecord's rules).
                    measured_on=min(record.recorded_on + timedelta(days=90), self.today),
                )
                for record in outcomes
            ],
        )
        self.say(f"{len(records)} evidence records")

    def _evidence(self, project: Project, number: int) -> EvidenceRecord:
        kind = EVIDENCE_KINDS[number % len(EVIDENCE_KINDS)]
        recorded_on = self.today - timedelta(days=number * 3 + 1)
        record = EvidenceRecord(
            project=project,
            kind=kind,
            title=f"{kind.label} {number + 1}",
            recorded_on=recorded_on,
            source="Project team",
            created_by=self.staff,
        )
        if kind == EvidenceKind.OUTCOME:
            record.unit = "days"
            record.better = BetterDirection.LOWER
            record.baseline_value = Decimal(20 + number % 10)
            record.baseline_on = recorded_on
        elif kind in (EvidenceKind.COST, EvidenceKind.SAVING):
            record.amount = Decimal(500 + 25 * (number % 40))
            record.text = "From the project's invoices."
        else:
            record.text = "Taking part made me feel heard."
            record.consent_to_publish = number % 2 == 0
        return record

    def learning(self, projects: list[Project]) -> None:
        tags = [Tag.objects.get_or_create(name=name)[0] for name in TAGS]
        entries = _create(
            LearningEntry,
            [
                LearningEntry(
                    project=project,
                    title=f"What we learned {number + 1} in {project.name}",
                    tried="We tried meeting in the evening.",
                    happened="More people who work came.",
                    learned="Ask people when they are free before fixing dates.",
                    stage=project.stage,
                    created_by=self.staff,
                    created_at=self.now - timedelta(days=number * 20 + 1),
                )
                for project in projects
                for number in range(self.size.learning_per_project)
            ],
        )
        through = LearningEntry.tags.through
        _create(
            through,
            [
                through(learningentry_id=entry.pk, tag_id=tags[number % len(tags)].pk)
                for number, entry in enumerate(entries)
            ],
        )
        self.say(f"{len(entries)} learning entries")
