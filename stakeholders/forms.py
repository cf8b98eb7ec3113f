from allauth.account.forms import (
    AddEmailForm,
    ChangePasswordForm,
    LoginForm,
    ReauthenticateForm,
    ResetPasswordForm,
    ResetPasswordKeyForm,
    SetPasswordForm,
    SignupForm,
)
from django import forms
from django.core.validators import validate_email
from django.urls import reverse
from django.utils.html import format_html
from phonenumber_field.formfields import PhoneNumberField

from coprod.core.forms import TickBoxesField
from stakeholders.consent import CONSENT_TEXTS
from stakeholders.models import (
    AccessNeed,
    Availability,
    ConsentKind,
    ConsentMethod,
    ContactMethod,
    EqualityMonitoring,
    Person,
    StakeholderGroup,
)
from stakeholders.signin import phone_parse

ACCESS_NEEDS_HELP = "Tick any that would help you take part. We will do our best to arrange them."


# What a person's details are, whether they edit their own or staff fill them in.
PERSON_DETAILS = [
    "full_name",
    "preferred_name",
    "email",
    "phone",
    "address",
    "preferred_contact",
    "stakeholder_group",
    "access_needs",
    "other_access_needs",
    "skills",
    "other_interests",
    "availability",
    "in_pool",
]
PERSON_DETAILS_WIDGETS = {
    "preferred_contact": forms.RadioSelect,
    "stakeholder_group": forms.RadioSelect,
    "skills": forms.CheckboxSelectMultiple,
    "address": forms.Textarea(attrs={"rows": 3}),
    "other_access_needs": forms.Textarea(attrs={"rows": 3}),
    "other_interests": forms.Textarea(attrs={"rows": 3}),
}
# The questions about someone else, as staff ask them when they add or correct a person.
STAFF_PERSON_LABELS = {
    "full_name": "Their name",
    "preferred_name": "What they like to be called",
    "preferred_contact": "How they want to be contacted",
    "stakeholder_group": "Which describes them best",
    "skills": "Interests and skills",
}


def _flags_field(choices, label: str, help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


def _phone_field() -> PhoneNumberField:
    return PhoneNumberField(
        label="Phone number",
        required=False,
        region="GB",
        help_text="Optional. A UK number, like 07911 123456.",
        error_messages={"invalid": "Enter a UK phone number, like 07911 123456."},
    )


class PersonChoiceField(TickBoxesField):
    """People ticked in a list, each shown with their stakeholder group; the form gives the
    list."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Person.objects.none(), **kwargs)

    def label_from_instance(self, person: Person) -> str:
        return f"{person.full_name} ({person.get_stakeholder_group_display()})"


class PersonFlagsMixin:
    """Access needs and free times are yes/no fields on Person; the forms show each set
    as one group of checkboxes."""

    FLAG_GROUPS = {"access_needs": AccessNeed, "availability": Availability}

    def flags_initial(self, person: Person) -> None:
        for name, choices in self.FLAG_GROUPS.items():
            if name in self.fields:
                self.initial[name] = [c.value for c in choices if getattr(person, c.value)]

    def flags_apply(self, person: Person) -> None:
        for name, choices in self.FLAG_GROUPS.items():
            if name in self.cleaned_data:
                for choice in choices:
                    setattr(person, choice.value, choice.value in self.cleaned_data[name])

    def flags_as_fields(self) -> dict[str, bool]:
        return {
            choice.value: choice.value in self.cleaned_data.get(name, [])
            for name, choices in self.FLAG_GROUPS.items()
            if name in self.fields
            for choice in choices
        }


class ConsentFieldsMixin:
    def add_consent_fields(self, *, involvement_required: bool) -> None:
        self.fields["consent_involvement"] = forms.BooleanField(
            label=CONSENT_TEXTS[ConsentKind.INVOLVEMENT][1],
            required=involvement_required,
            error_messages={
                "required": "Please tick this box so that we can keep your details. "
                "We cannot involve you without it."
            },
        )
        self.fields["consent_equality"] = forms.BooleanField(
            label=CONSENT_TEXTS[ConsentKind.EQUALITY][1],
            required=False,
            help_text="Optional. The answers to the equality questions are kept only if this "
            "is ticked.",
        )


EQUALITY_ANSWERS_NEED_CONSENT = (
    "Tick this box so that we can keep your equality answers, or change each answer back "
    'to "Choose an answer (optional)"'
)
# The same, on the form staff fill in for someone.
THEIR_EQUALITY_ANSWERS_NEED_CONSENT = (
    "Tick this box if they agreed to equality monitoring, or change each answer back to "
    '"Choose an answer (optional)": their answers are not kept without it'
)


def equality_answers_have_consent(
    form: forms.Form, equality_form: forms.Form, *, message: str = EQUALITY_ANSWERS_NEED_CONSENT
) -> bool:
    """Equality answers are kept only with their own consent; answers given without it are
    never dropped silently. Call after both forms' is_valid(): when there are answers and
    the box is not ticked, the box gets an error (so the page is shown again with every
    answer still in place) and this returns False."""
    answered = equality_form.is_valid() and any(equality_form.cleaned_data.values())
    if answered and not form.cleaned_data.get("consent_equality"):
        form.add_error("consent_equality", message)
        return False
    return True


class ConsentAgainForm(forms.Form):
    """Agreeing again to be involved, after withdrawing: the button is the agreement."""

    join_pool = forms.BooleanField(
        label="Also put me back in the involvement pool",
        required=False,
        help_text="Optional. Staff may then contact you about new or urgent projects.",
    )


# The fields allauth's own forms bring; coprod's fields beside them keep their labels.
ALLAUTH_FIELDS = {"login", "email", "password", "oldpassword", "password1", "password2"}


class PlainAccountMessagesMixin:
    """allauth's fields say what to do, in the words of the fix, when left empty or wrong
    ("Enter your email address"), not Django's "This field is required."; their labels are
    in sentence case ("New password"), and they have no placeholder repeating the label
    (it vanishes as a person types, and reads as an answer already given)."""

    PLAIN_MESSAGES = {
        "login": {
            "required": "Enter your email address",
            "invalid": "Enter an email address in the right format, like name@example.com",
        },
        "email": {
            "required": "Enter your email address",
            "invalid": "Enter an email address in the right format, like name@example.com",
        },
        "password": {"required": "Enter your password"},
        "oldpassword": {"required": "Enter your current password"},
        "password1": {"required": "Enter a password"},
        "password2": {"required": "Enter the same password again"},
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, messages in self.PLAIN_MESSAGES.items():
            if name in self.fields:
                self.fields[name].error_messages.update(messages)
        for name in ALLAUTH_FIELDS & self.fields.keys():
            field = self.fields[name]
            field.widget.attrs.pop("placeholder", None)
            if field.label:
                field.label = field.label[0] + field.label[1:].lower()


class EqualityForm(forms.ModelForm):
    class Meta:
        model = EqualityMonitoring
        fields = ["age_band", "gender", "ethnicity", "disability", "long_term_condition"]
        labels = {"age_band": "Age", "ethnicity": "Ethnic group"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.choices = [("", "Choose an answer (optional)"), *field.choices[1:]]


class JoinForm(PlainAccountMessagesMixin, PersonFlagsMixin, ConsentFieldsMixin, SignupForm):
    """Sign up and say you are interested in a project, in one short form."""

    full_name = forms.CharField(label="Your name", max_length=150)
    preferred_name = forms.CharField(
        label="What should we call you?", max_length=80, required=False, help_text="Optional."
    )
    stakeholder_group = forms.ChoiceField(
        label="Which describes you best?",
        choices=StakeholderGroup.choices,
        widget=forms.RadioSelect,
    )
    access_needs = _flags_field(AccessNeed.choices, "Support to take part", ACCESS_NEEDS_HELP)
    preferred_contact = forms.ChoiceField(
        label="How should we contact you?",
        choices=ContactMethod.choices,
        initial=ContactMethod.EMAIL,
        widget=forms.RadioSelect,
    )

    field_order = [
        "full_name",
        "preferred_name",
        "email",
        "phone",
        "password1",
        "password2",
        "stakeholder_group",
        "preferred_contact",
        "access_needs",
        "consent_involvement",
        "consent_equality",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"] = _phone_field()
        self.fields["email"].label = "Email address"
        self.fields["email"].help_text = "We will send you an email to check it is yours."
        self.add_consent_fields(involvement_required=True)
        self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        contact = cleaned.get("preferred_contact")
        if contact in (ContactMethod.PHONE, ContactMethod.TEXT) and not cleaned.get("phone"):
            self.add_error("phone", "Please give a phone number so that we can call or text you.")
        return cleaned

    def person_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "full_name": data["full_name"],
            "preferred_name": data["preferred_name"],
            "email": data["email"],
            "phone": data.get("phone") or "",
            "stakeholder_group": data["stakeholder_group"],
            "preferred_contact": data["preferred_contact"],
            **self.flags_as_fields(),
        }


class ProfileForm(PersonFlagsMixin, forms.ModelForm):
    """A participant's own details in /me/."""

    access_needs = _flags_field(AccessNeed.choices, "Support to take part", ACCESS_NEEDS_HELP)
    availability = _flags_field(
        Availability.choices, "When are you usually free?", "Tick all that apply."
    )

    class Meta:
        model = Person
        fields = PERSON_DETAILS
        labels = {
            "full_name": "Your name",
            "skills": "Interests and skills",
            "in_pool": "Yes, add me to the involvement pool",
        }
        help_texts = {
            "address": "Only needed if you would like letters by post.",
            "skills": "Tick any that you have or would like to use.",
            "in_pool": "Staff may then contact you about new projects or urgent work. You can "
            "say no each time.",
        }
        widgets = PERSON_DETAILS_WIDGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"] = _phone_field()
        self.flags_initial(self.instance)
        if self.instance.user_id:
            # An address takes effect only once its owner follows a link sent to it, so it
            # changes on the email page (allauth), never here.
            self.fields["email"].disabled = True
            self.fields["email"].help_text = format_html(
                'The address you log in with and we write to. <a href="{}">Change my email '
                "address</a>: we send a link to the new address, and it changes when you "
                "press it.",
                reverse("account_email"),
            )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone"):
            raise forms.ValidationError(
                "Please give an email address or a phone number, so that we can reach you."
            )
        contact = cleaned.get("preferred_contact")
        needed = {
            ContactMethod.EMAIL: (
                "email",
                "Please give an email address, or choose another way to contact you.",
            ),
            ContactMethod.PHONE: (
                "phone",
                "Please give a phone number, or choose another way to contact you.",
            ),
            ContactMethod.TEXT: (
                "phone",
                "Please give a phone number, or choose another way to contact you.",
            ),
            ContactMethod.POST: (
                "address",
                "Please give your postal address, or choose another way to contact you.",
            ),
        }
        if contact in needed:
            field, message = needed[contact]
            if not cleaned.get(field):
                self.add_error(field, message)
        return cleaned

    def save(self, commit=True):
        person = super().save(commit=False)
        self.flags_apply(person)
        if commit:
            person.save()
            self.save_m2m()
        return person


class AssistedSignUpForm(PersonFlagsMixin, ConsentFieldsMixin, forms.ModelForm):
    """Staff add someone who has no email or prefers not to use the web."""

    access_needs = _flags_field(AccessNeed.choices, "Support to take part")
    availability = _flags_field(Availability.choices, "Usually free")
    consent_method = forms.ChoiceField(
        label="How did they give consent?",
        choices=[c for c in ConsentMethod.choices if c[0] != ConsentMethod.ONLINE],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Person
        fields = PERSON_DETAILS
        labels = {
            **STAFF_PERSON_LABELS,
            "in_pool": "Add them to the involvement pool",
        }
        widgets = PERSON_DETAILS_WIDGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"] = _phone_field()
        self.add_consent_fields(involvement_required=True)
        self.fields["consent_involvement"].label = "They agreed to this: " + self.fields[
            "consent_involvement"
        ].label.replace("I ", "", 1)
        self.fields["consent_equality"].label = (
            "They agreed to equality monitoring (optional): "
            + self.fields["consent_equality"].label.replace("I ", "", 1)
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone") and not cleaned.get("address"):
            raise forms.ValidationError(
                "Give at least one way to reach them: an email address, a phone number or an "
                "address."
            )
        return cleaned

    def person_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields if name in data}
        fields.pop("access_needs", None)
        fields.pop("availability", None)
        fields.pop("skills", None)
        fields["phone"] = data.get("phone") or ""
        return {**fields, **self.flags_as_fields()}


class NewEmailForm(AddEmailForm):
    """allauth's form for a new email address, in the words of the change-my-email page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "New email address"
        self.fields["email"].error_messages.update(
            required="Enter your new email address.",
            invalid="Enter an email address in the right form, like name@example.org.",
        )
        self.fields["email"].widget.attrs.pop("placeholder", None)


class StaffPersonDetailsForm(PersonFlagsMixin, forms.ModelForm):
    """Staff put right someone's details, in staff's words; every change is kept in the
    person's history with who made it."""

    access_needs = _flags_field(AccessNeed.choices, "Support to take part")
    availability = _flags_field(Availability.choices, "Usually free")

    class Meta:
        model = Person
        fields = PERSON_DETAILS
        labels = {
            **STAFF_PERSON_LABELS,
            "in_pool": "In the involvement pool",
        }
        widgets = PERSON_DETAILS_WIDGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"] = _phone_field()
        self.fields["full_name"].error_messages["required"] = "Enter their name."
        self.flags_initial(self.instance)
        if self.instance.user_id:
            # Their login's address changes only when they follow a link sent to the new
            # one, so staff cannot change it for them.
            self.fields["email"].disabled = True
            self.fields["email"].help_text = (
                "They log in with this address, so only they can change it, from their "
                "account page: we send a link to the new address."
            )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone") and not cleaned.get("address"):
            raise forms.ValidationError(
                "Give at least one way to reach them: an email address, a phone number or an "
                "address."
            )
        needed = {
            ContactMethod.EMAIL: ("email", "an email address"),
            ContactMethod.PHONE: ("phone", "a phone number"),
            ContactMethod.TEXT: ("phone", "a phone number"),
            ContactMethod.POST: ("address", "a postal address"),
        }
        contact = cleaned.get("preferred_contact")
        if (
            contact in needed
            and not cleaned.get(needed[contact][0])
            and not self.has_error(needed[contact][0])
        ):
            field, what = needed[contact]
            self.add_error(field, f"Give {what}, or choose another way to contact them.")
        if cleaned.get("in_pool") and not self.instance.involvement_consent_given:
            self.add_error(
                "in_pool",
                "They have not agreed to us keeping their details for involvement, so they "
                "cannot be in the pool.",
            )
        return cleaned

    def person_details(self) -> dict:
        """The answers, as person_details_correct takes them."""
        data = self.cleaned_data
        details = {
            name: data[name]
            for name in self.Meta.fields
            if name in data and name not in ("access_needs", "availability", "skills")
        }
        details["phone"] = data.get("phone") or ""
        return {**details, **self.flags_as_fields()}


class NewConfirmationLinkForm(forms.Form):
    """The address to send a new confirmation link to, when the page cannot tell."""

    email = forms.EmailField(
        label="Your email address",
        help_text="The one you signed up with.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the right format, like name@example.com",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


SIGNIN_ADDRESS_EXAMPLE = (
    "Enter an email address, like name@example.com, or a mobile number, like 07911 123456"
)


class SigninLinkRequestForm(forms.Form):
    """Asking on the login page for a link to sign in, by email or text message."""

    address = forms.CharField(
        # Not "Email" in the label: the password form above it has that one.
        label="Where should we send the link?",
        help_text="Your email address or mobile number, like name@example.com or 07911 123456",
        max_length=254,
        error_messages={"required": SIGNIN_ADDRESS_EXAMPLE},
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )

    def clean_address(self) -> str:
        typed = self.cleaned_data["address"].strip()
        if "@" in typed:
            try:
                validate_email(typed)
            except forms.ValidationError:
                raise forms.ValidationError(SIGNIN_ADDRESS_EXAMPLE) from None
            self.cleaned_data["email"], self.cleaned_data["phone"] = typed.lower(), ""
            return typed
        phone = phone_parse(typed)
        if phone is None:
            raise forms.ValidationError(SIGNIN_ADDRESS_EXAMPLE)
        self.cleaned_data["email"], self.cleaned_data["phone"] = "", phone
        return typed


class AccountSignupForm(PlainAccountMessagesMixin, SignupForm):
    pass


class AccountChangePasswordForm(PlainAccountMessagesMixin, ChangePasswordForm):
    pass


class AccountSetPasswordForm(PlainAccountMessagesMixin, SetPasswordForm):
    pass


class AccountResetPasswordForm(PlainAccountMessagesMixin, ResetPasswordForm):
    pass


class AccountResetPasswordKeyForm(PlainAccountMessagesMixin, ResetPasswordKeyForm):
    pass


class AccountReauthenticateForm(PlainAccountMessagesMixin, ReauthenticateForm):
    pass


class AccountLoginForm(PlainAccountMessagesMixin, LoginForm):
    """The login form, labelled in coprod's words; the page itself links to "Forgotten
    your password?", so the password field carries no second copy of that link."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me logged in on this device"
