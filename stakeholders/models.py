import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import PhoneNumber
from simple_history.models import HistoricalRecords

from coprod.core.encryption import EncryptedCharField
from coprod.core.outbox import Delivery
from coprod.core.texts import Channel


class Role(models.TextChoices):
    STAFF = "staff", "Staff"
    PARTICIPANT = "participant", "Participant"
    COMMISSIONER = "commissioner", "Commissioner"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("role", Role.PARTICIPANT)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields["role"] = Role.STAFF
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Email is the username; the role decides which home and pages a person gets."""

    # Empty for someone staff added with only a phone number, who signs in by a link sent
    # by text message; unique among those who have one.
    email = models.EmailField("email address", unique=True, null=True, blank=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Whether they have an authenticator app (TOTP) set up: kept by stakeholders.authenticators
    # whenever one is added or removed, so the staff MFA check on every page reads the row
    # already loaded for request.user instead of running a query.
    has_authenticator_app = models.BooleanField(default=False, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return login_label(name=self.name, email=self.email)

    def save(self, *args, **kwargs) -> None:
        # An empty address is stored as NULL, so any number of logins may have none.
        self.email = (self.email or "").lower() or None
        super().save(*args, **kwargs)

    @property
    def is_staff(self) -> bool:
        """Django admin access follows the role: every staff member may use the admin for
        coprod's own records; only administrators (superusers) manage logins there."""
        return self.role == Role.STAFF

    @property
    def home_url(self) -> str:
        return reverse(ROLE_HOMES[self.role])

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return login_label(name=self.name, email=self.email)


NO_EMAIL_LOGIN = "A login with no email address"


def login_label(*, name: str, email: str | None) -> str:
    """How a login is named on pages: what `str(user)` gives, for lists that read the name
    and email without loading the user."""
    return name or email or NO_EMAIL_LOGIN


ROLE_HOMES = {
    Role.STAFF: "pages:dashboard",
    Role.PARTICIPANT: "pages:me",
    Role.COMMISSIONER: "evidence:reports",
}


class StakeholderGroup(models.TextChoices):
    LIVED_EXPERIENCE = "lived_experience", "Person with lived experience"
    CARER = "carer", "Carer or family member"
    PRACTITIONER = "practitioner", "Frontline practitioner"
    MANAGER = "manager", "Manager"
    COMMISSIONER = "commissioner", "Commissioner"
    COMMUNITY_ORG = "community_org", "Community or voluntary organisation"
    OTHER = "other", "Other"


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    POST = "post", "Post"


class AccessNeed(models.TextChoices):
    """Each value is the name of the Person field that records the need."""

    BSL = "needs_bsl", "British Sign Language interpreter"
    LARGE_PRINT = "needs_large_print", "Large print"
    EASY_READ = "needs_easy_read", "Easy read"
    STEP_FREE = "needs_step_free", "Step-free access"
    HEARING_LOOP = "needs_hearing_loop", "Hearing loop"
    QUIET_SPACE = "needs_quiet_space", "Quiet space"


class Availability(models.TextChoices):
    """Each value is the name of the Person field that records the time."""

    WEEKDAY_MORNINGS = "free_weekday_mornings", "Weekday mornings"
    WEEKDAY_AFTERNOONS = "free_weekday_afternoons", "Weekday afternoons"
    WEEKDAY_EVENINGS = "free_weekday_evenings", "Weekday evenings"
    WEEKENDS = "free_weekends", "Weekends"


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    VOUCHER = "voucher", "Voucher"


NO_PAYMENT_METHOD = "Not chosen yet"


def sort_code_masked(sort_code: str | None) -> str:
    """A sort code as staff and the person see it once saved: only its last two digits."""
    return f"••-••-{sort_code[-2:]}" if sort_code else ""


def account_number_masked(account_number: str | None) -> str:
    """An account number as staff and the person see it once saved: its last four digits."""
    return f"••••{account_number[-4:]}" if account_number else ""


class Skill(models.Model):
    """Interests and skills people offer, which staff search for in the finder."""

    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PersonQuerySet(models.QuerySet):
    def in_pool(self) -> "PersonQuerySet":
        """People who asked to be called on, and whose consent to be contacted stands."""
        return self.filter(in_pool=True, involvement_consent_given=True, erased_at=None)


class Person(models.Model):
    """Someone in the organisation's roster. A person exists once, however many projects
    they join; a login (User) is optional, for people who sign up on the web."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="person"
    )
    full_name = models.CharField("full name", max_length=150)
    preferred_name = models.CharField(
        "what should we call you?", max_length=80, blank=True, help_text="Optional."
    )
    email = models.EmailField("email address", blank=True)
    phone = PhoneNumberField("phone number", blank=True)
    address = models.TextField("postal address", blank=True)
    preferred_contact = models.CharField(
        "how should we contact you?",
        max_length=10,
        choices=ContactMethod.choices,
        default=ContactMethod.EMAIL,
    )
    stakeholder_group = models.CharField(
        "which describes you best?",
        max_length=20,
        choices=StakeholderGroup.choices,
        default=StakeholderGroup.LIVED_EXPERIENCE,
    )
    needs_bsl = models.BooleanField(default=False)
    needs_large_print = models.BooleanField(default=False)
    needs_easy_read = models.BooleanField(default=False)
    needs_step_free = models.BooleanField(default=False)
    needs_hearing_loop = models.BooleanField(default=False)
    needs_quiet_space = models.BooleanField(default=False)
    other_access_needs = models.TextField("anything else that would help you take part", blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="people")
    other_interests = models.TextField("other interests and skills", blank=True)
    free_weekday_mornings = models.BooleanField(default=False)
    free_weekday_afternoons = models.BooleanField(default=False)
    free_weekday_evenings = models.BooleanField(default=False)
    free_weekends = models.BooleanField(default=False)
    # Blank until the person (or staff on their behalf) chooses: no way of paying is assumed.
    payment_method = models.CharField(
        "how would you like to be paid?",
        max_length=15,
        choices=PaymentMethod.choices,
        blank=True,
        default="",
    )
    declines_payment = models.BooleanField(
        "I do not want to be paid for taking part",
        default=False,
        help_text="You can still claim expenses.",
    )
    # Kept in step with the person's BenefitsAnswers by the benefits services, so the
    # warnings before a payment, and lists of fees, need no extra query.
    receives_benefits = models.BooleanField("I receive benefits", default=False, editable=False)
    permitted_work_form = models.BooleanField(
        "I have a permitted work form in place", default=False, editable=False
    )
    in_pool = models.BooleanField(
        "join the involvement pool",
        default=False,
        help_text="Staff may contact you about new or urgent projects.",
    )
    # Kept in step with ConsentRecord by the consent services, so lists can filter on it.
    involvement_consent_given = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    erased_at = models.DateTimeField(null=True, blank=True)
    # Set when the payment choices were last saved; a staff member here means they were
    # recorded on the person's behalf, which both staff and the person are shown.
    payment_choices_recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payment_choices_recorded_at = models.DateTimeField(null=True, blank=True)
    # For paying by bank transfer: encrypted at rest (in past versions too), shown masked
    # (sort_code_masked, account_number_masked) to everyone but the person's own data export.
    bank_account_name = EncryptedCharField(
        "name on the account", max_length=100, null=True, blank=True
    )
    bank_sort_code = EncryptedCharField("sort code", max_length=6, null=True, blank=True)
    bank_account_number = EncryptedCharField("account number", max_length=8, null=True, blank=True)
    bank_details_recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    bank_details_recorded_at = models.DateTimeField(null=True, blank=True)

    objects = PersonQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="person_email_unique_ignoring_case",
                violation_error_message="Someone on the roster already has this email address.",
            ),
            models.UniqueConstraint(
                fields=["phone"],
                condition=~models.Q(phone=""),
                name="person_phone_unique",
                violation_error_message="Someone on the roster already has this phone number.",
            ),
        ]
        indexes = [
            # The rapid-response finder searches only the standing pool.
            models.Index(
                fields=["stakeholder_group"],
                name="person_pool_group_idx",
                condition=models.Q(in_pool=True, involvement_consent_given=True),
            ),
            # The staff people directory (projects.selectors.people.people_directory): one
            # page of everyone not erased, by name, read in order without sorting them all.
            models.Index(
                fields=["full_name", "id"],
                name="person_directory_idx",
                condition=models.Q(erased_at=None),
            ),
            # The few people erased, for the dashboard's to-do counts to leave out without
            # reading everyone (coprod.pages.selectors.signups_to_welcome).
            models.Index(
                fields=["id"],
                name="person_erased_idx",
                condition=models.Q(erased_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.full_name

    @property
    def may_be_contacted(self) -> bool:
        """Whether anyone may invite, remind or email them about taking part: only while
        their involvement consent stands and their details are not erased."""
        return self.involvement_consent_given and self.erased_at is None

    @property
    def message_channel(self) -> str | None:
        """How coprod sends this person invitations, reminders and sign-in links: "text"
        when they asked for text messages (or have no email) and have a phone number,
        otherwise "email" when they have an address; None when there is neither."""
        if self.phone and (self.preferred_contact == ContactMethod.TEXT or not self.email):
            return ContactMethod.TEXT
        if self.email:
            return ContactMethod.EMAIL
        return None

    @property
    def payment_choices_recorded_for_them(self) -> bool:
        """Whether staff recorded the payment choices on the person's behalf."""
        recorder = self.payment_choices_recorded_by_id
        return recorder is not None and recorder != self.user_id

    @property
    def payment_method_label(self) -> str:
        return self.get_payment_method_display() or NO_PAYMENT_METHOD

    @property
    def has_bank_details(self) -> bool:
        return bool(self.bank_sort_code and self.bank_account_number)

    @property
    def bank_details_needed(self) -> bool:
        """Paid by bank transfer, and nobody has given the account to pay yet."""
        return self.payment_method == PaymentMethod.BANK_TRANSFER and not self.has_bank_details

    @property
    def bank_sort_code_masked(self) -> str:
        return sort_code_masked(self.bank_sort_code)

    @property
    def bank_account_number_masked(self) -> str:
        return account_number_masked(self.bank_account_number)

    @property
    def bank_details_recorded_for_them(self) -> bool:
        """Whether staff recorded the bank details on the person's behalf."""
        recorder = self.bank_details_recorded_by_id
        return recorder is not None and recorder != self.user_id

    @property
    def access_needs(self) -> list[str]:
        return [need.label for need in AccessNeed if getattr(self, need.value)]

    @property
    def availability(self) -> list[str]:
        return [time.label for time in Availability if getattr(self, time.value)]


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", "Under 18"
    AGE_18_24 = "18_24", "18 to 24"
    AGE_25_34 = "25_34", "25 to 34"
    AGE_35_49 = "35_49", "35 to 49"
    AGE_50_64 = "50_64", "50 to 64"
    AGE_65_79 = "65_79", "65 to 79"
    AGE_80_PLUS = "80_plus", "80 or over"
    PREFER_NOT = "prefer_not", "Prefer not to say"


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non_binary", "Non-binary"
    SELF_DESCRIBE = "self_describe", "In another way"
    PREFER_NOT = "prefer_not", "Prefer not to say"


class Ethnicity(models.TextChoices):
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Another ethnic group"
    PREFER_NOT = "prefer_not", "Prefer not to say"


class YesNoPreferNot(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    PREFER_NOT = "prefer_not", "Prefer not to say"


class EqualityMonitoring(models.Model):
    """Special category data, held only while its own consent stands: withdrawing that
    consent deletes this row at once. Only ever shown as counts, small counts suppressed."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="equality")
    age_band = models.CharField(max_length=12, choices=AgeBand.choices, blank=True)
    gender = models.CharField(max_length=15, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(max_length=12, choices=Ethnicity.choices, blank=True)
    disability = models.CharField(
        "do you consider yourself disabled?",
        max_length=12,
        choices=YesNoPreferNot.choices,
        blank=True,
    )
    long_term_condition = models.CharField(
        "do you have a long-term health condition?",
        max_length=12,
        choices=YesNoPreferNot.choices,
        blank=True,
    )

    def __str__(self) -> str:
        return f"Equality monitoring for person {self.person_id}"


class ConsentKind(models.TextChoices):
    INVOLVEMENT = "involvement", "Holding my details for involvement"
    EQUALITY = "equality", "Equality monitoring"
    BENEFITS = "benefits", "What I tell you about my benefits"
    MEASURES = "measures", "My answers to questions about how I am"


class Benefits(models.TextChoices):
    NONE = "none", "I do not get any benefits"
    UC_HOUSING = "uc_housing", "Universal Credit, with help with housing costs"
    UC_NO_HOUSING = "uc_no_housing", "Universal Credit, without help with housing costs"
    NEW_STYLE_ESA = "new_style_esa", "New Style Employment and Support Allowance (ESA)"
    OTHER = "other", "Another benefit"
    PREFER_NOT = "prefer_not", "I would rather not say"


# Answers that mean a payment could change someone's benefits. Blank is the answer carried
# over from before coprod asked which benefits: they told us they get some.
GETS_BENEFITS = {
    "",
    Benefits.UC_HOUSING,
    Benefits.UC_NO_HOUSING,
    Benefits.NEW_STYLE_ESA,
    Benefits.OTHER,
}


class BenefitsAnswers(models.Model):
    """What a person tells us about their benefits, so staff can warn them before a payment
    could affect them. Held only while its own consent stands: withdrawing that consent
    deletes this row at once, as erasing the person does."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="benefits")
    benefits = models.CharField(
        "which benefits do you get?", max_length=15, choices=Benefits.choices, blank=True
    )
    uc_period_starts_on = models.PositiveSmallIntegerField(
        "the day of the month your Universal Credit assessment period starts",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    permitted_work_form = models.BooleanField(
        "I have a permitted work form (PW1) in place", default=False
    )
    # Who saved the answers last, and when: a staff member here means they were recorded on
    # the person's behalf, which both staff and the person are shown.
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "benefits answers"

    def __str__(self) -> str:
        return f"Benefits answers for person {self.person_id}"

    @property
    def gets_benefits(self) -> bool:
        return self.benefits in GETS_BENEFITS

    @property
    def benefits_label(self) -> str:
        return self.get_benefits_display() or "Benefits (they did not say which)"

    @property
    def recorded_for_them(self) -> bool:
        """Whether staff recorded the answers on the person's behalf."""
        return self.recorded_by_id is not None and self.recorded_by_id != self.person.user_id


class ConsentMethod(models.TextChoices):
    ONLINE = "online", "Online, by the person"
    PAPER = "paper", "On paper, recorded by staff"
    PHONE = "phone", "By phone, recorded by staff"
    IN_PERSON = "in_person", "In person, recorded by staff"


class ConsentWording(models.Model):
    """The exact words a person agreed to. Text is kept and hashed so a record always
    shows what was agreed, even after the wording changes."""

    kind = models.CharField(max_length=12, choices=ConsentKind.choices)
    version = models.CharField(max_length=20)
    text = models.TextField()
    sha256 = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="consent_wording_version"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class ConsentRecord(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    wording = models.ForeignKey(ConsentWording, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=ConsentKind.choices)
    method = models.CharField(max_length=12, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-given_at"]
        constraints = [
            # At most one standing consent of each kind per person.
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(withdrawn_at=None),
                name="consent_one_standing_per_kind",
            ),
        ]

    def __str__(self) -> str:
        state = "withdrawn" if self.withdrawn_at else "given"
        return f"{self.get_kind_display()} {state}"


class ErasureRequest(models.Model):
    """A participant asked for their details to be erased; staff confirm, then it is done."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="erasure_requests")
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(confirmed_at=None),
                name="erasure_request_one_pending",
            ),
        ]

    def __str__(self) -> str:
        state = "done" if self.confirmed_at else "waiting"
        return f"Erasure request {self.public_id} ({state})"


class ExportKind(models.TextChoices):
    OWN = "own", "Downloaded by the person"
    SUBJECT_ACCESS = "subject_access", "Subject access request, by staff on their behalf"


class DataExportLog(models.Model):
    """Every export of someone's personal data: who took it, whose it was, when."""

    exported_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="data_exports")
    exported_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=15, choices=ExportKind.choices)
    note = models.TextField(blank=True, help_text="How the request reached us, for example.")

    class Meta:
        ordering = ["-exported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.exported_at:%Y-%m-%d %H:%M}"


class RequestChannel(models.TextChoices):
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"


SUBJECT_ACCESS_NOTED_TWICE = (
    "A request from this person that arrived that day, the same way, is already waiting."
)


class SubjectAccessRequest(models.Model):
    """Someone asked for a copy of their data: UK GDPR gives one calendar month from the day
    it arrived. Taking the export on the person's subject-access page answers the oldest
    one waiting."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="subject_access_requests"
    )
    received_on = models.DateField("the day the request arrived")
    channel = models.CharField("how it came", max_length=10, choices=RequestChannel.choices)
    noted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    noted_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["received_on", "pk"]
        constraints = [
            # The same request noted twice (a double click, two colleagues) is one request.
            models.UniqueConstraint(
                fields=["person", "received_on", "channel"],
                condition=models.Q(answered_at=None),
                name="subject_access_request_noted_once",
                violation_error_message=SUBJECT_ACCESS_NOTED_TWICE,
            ),
        ]
        indexes = [
            # The dashboard's "requests waiting": the open ones, oldest first.
            models.Index(
                fields=["received_on"],
                condition=models.Q(answered_at=None),
                name="subject_access_waiting",
            ),
        ]

    def __str__(self) -> str:
        state = "answered" if self.answered_at else "waiting"
        return f"Subject-access request received {self.received_on:%Y-%m-%d} ({state})"

    def clean(self) -> None:
        if self.received_on and self.received_on > timezone.localdate():
            raise ValidationError(
                {"received_on": "The day the request arrived cannot be in the future."}
            )


class SigninLinkKind(models.TextChoices):
    INVITATION = "invitation", "Sent by staff"
    REQUESTED = "requested", "Asked for on the login page"


class SigninLink(Delivery):
    """The outbox of sign-in links: one row per link owed to someone, sent by email or text
    message. A worker claims the row before it sends, so a task run twice never sends the
    link twice; rows the broker never got are picked up by the periodic sweep. The row also
    records that its link was used, so each link works once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="signin_links")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signin_links")
    kind = models.CharField(max_length=12, choices=SigninLinkKind.choices)
    # The address or number it went to, as it was on the roster then.
    to = models.CharField("sent to", max_length=254)
    sent_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep looks for links neither sent nor given up on.
            models.Index(
                fields=["created_at"],
                name="signin_link_unsent_idx",
                condition=models.Q(sent_at=None, failed_at=None),
            ),
        ]

    def __str__(self) -> str:
        return f"Sign-in link by {self.get_channel_display().lower()} ({self.get_kind_display()})"

    @property
    def sent_to(self) -> str:
        """The address, or the number as staff write it (07911 123456)."""
        if self.channel == Channel.TEXT:
            return PhoneNumber.from_string(self.to).as_national
        return self.to

    @property
    def scope(self) -> str:
        """The sesame token of this link is signed for this row alone."""
        return f"signin-link:{self.public_id}"


class ShortLink(models.Model):
    """A short address (/l/<code>/) standing for a longer path inside coprod, so that a
    link fits in a text message. The code is random, so it cannot be guessed."""

    code = models.CharField(max_length=16, unique=True)
    path = models.CharField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"/l/{self.code}/"


class PeopleCount(models.Model):
    """How many people are on the roster and not erased, in one row, kept by
    stakeholders.people_count whenever someone is added, erased or deleted: the staff
    people directory reads it rather than counting every person for every page of it."""

    not_erased = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.not_erased} people on the roster"
