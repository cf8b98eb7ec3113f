"""Participants' rights: download my data, ask for erasure; staff's side of both."""

import json
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from coprod.core.access import get_object_for_user, permission_required
from coprod.core.forms import DayField
from stakeholders.access import PARTICIPANTS_ONLY, get_own_person
from stakeholders.models import ErasureRequest, ExportKind, Person, RequestChannel
from stakeholders.privacy import (
    ErasureError,
    data_export_record,
    erasure_confirm,
    erasure_request_make,
    erasure_requests_done_page,
    erasure_requests_waiting,
    export_as_page,
    export_log_page,
    person_data_export,
    subject_access_request_answer_oldest,
    subject_access_request_record,
)

STAFF_ONLY = "This page is for staff who look after people's personal data."
PERM = "stakeholders.manage_personal_data"


def get_person_for_staff(request: HttpRequest, person_id: uuid.UUID) -> Person:
    """Anyone on the roster (404 if nobody has this id), for staff only (403 otherwise)."""
    return get_object_for_user(
        request, Person.objects.select_related("user"), PERM, denied=STAFF_ONLY, public_id=person_id
    )


def _json_attachment(data: dict, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def my_data(request: HttpRequest) -> HttpResponse:
    person = get_own_person(request)
    export = person_data_export(person)
    data_export_record(
        person=person, exported_by=request.user, kind=ExportKind.OWN, note="Read on the page"
    )
    return render(
        request, "stakeholders/my_data.html", {"export": export_as_page(export), "own": True}
    )


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def my_data_json(request: HttpRequest) -> HttpResponse:
    person = get_own_person(request)
    export = person_data_export(person)
    data_export_record(
        person=person, exported_by=request.user, kind=ExportKind.OWN, note="Downloaded as a file"
    )
    return _json_attachment(export, "my-coprod-data.json")


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def erasure_request(request: HttpRequest) -> HttpResponse:
    person = get_own_person(request)
    pending = person.erasure_requests.filter(confirmed_at=None).first()
    if request.method == "POST":
        try:
            erasure_request_make(person=person)
        except ErasureError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                "We have your request. Staff will erase your details within one month and "
                "you will then no longer be able to log in.",
            )
        return redirect("pages:me")
    return render(request, "stakeholders/erasure_request.html", {"pending": pending})


@permission_required(PERM, denied=STAFF_ONLY)
def erasure_requests(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "stakeholders/erasure_requests.html",
        {
            "waiting": erasure_requests_waiting(),
            "done": erasure_requests_done_page(page_number=request.GET.get("page")),
        },
    )


@permission_required(PERM, denied=STAFF_ONLY)
@require_POST
def erasure_confirm_view(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    erasure = get_object_or_404(
        ErasureRequest.objects.select_related("person"), public_id=request_id
    )
    try:
        erasure_confirm(request=erasure, confirmed_by=request.user)
    except ErasureError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The person's details have been erased.")
    return redirect("stakeholders:erasure_requests")


class SubjectAccessForm(forms.Form):
    note = forms.CharField(
        label="How did the request reach us?",
        help_text="For example: letter received 3 March, asked by phone to their carer.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how the request reached us, for the record."},
    )
    format = forms.ChoiceField(
        label="What do you need?",
        choices=[("json", "A file to send them (JSON)"), ("page", "A page to print")],
        initial="json",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a file or a page."},
    )


CHANNEL_MESSAGE = "Choose how the request came: letter, email, phone or in person."


class SubjectAccessReceivedForm(forms.Form):
    received_on = DayField(
        label="When did the request arrive?",
        help_text="The law gives one calendar month from this day. For example, 14/07/2026.",
    )
    channel = forms.ChoiceField(
        label="How did it come?",
        choices=RequestChannel.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": CHANNEL_MESSAGE,
            "invalid_choice": CHANNEL_MESSAGE,
        },
    )


def _subject_access_page(
    request: HttpRequest, person: Person, *, form: forms.Form, received_form: forms.Form
) -> HttpResponse:
    waiting = person.subject_access_requests.filter(answered_at=None)
    return render(
        request,
        "stakeholders/subject_access.html",
        {
            "person": person,
            "form": form,
            "received_form": received_form,
            "oldest_waiting": waiting.first(),
            "waiting_count": waiting.count(),
            "page": export_log_page(page_number=request.GET.get("page"), person=person),
        },
    )


@permission_required(PERM, denied=STAFF_ONLY)
def subject_access(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = get_person_for_staff(request, person_id)
    form = SubjectAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        export = person_data_export(person, for_staff=True)
        data_export_record(
            person=person,
            exported_by=request.user,
            kind=ExportKind.SUBJECT_ACCESS,
            note=form.cleaned_data["note"],
        )
        subject_access_request_answer_oldest(person=person, answered_by=request.user)
        if form.cleaned_data["format"] == "page":
            return render(
                request,
                "stakeholders/my_data.html",
                {"export": export_as_page(export), "own": False, "person": person},
            )
        return _json_attachment(export, f"coprod-data-{person.public_id}.json")
    return _subject_access_page(
        request, person, form=form, received_form=SubjectAccessReceivedForm()
    )


@permission_required(PERM, denied=STAFF_ONLY)
@require_POST
def subject_access_received(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = get_person_for_staff(request, person_id)
    received_form = SubjectAccessReceivedForm(request.POST)
    if received_form.is_valid():
        try:
            received = subject_access_request_record(
                person=person, noted_by=request.user, **received_form.cleaned_data
            )
        except ValidationError as error:
            received_form.add_error(None, error)
        else:
            messages.success(
                request,
                f"The request that arrived on {received.received_on:%-d %B %Y} is noted. "
                "It is answered when you take the export below.",
            )
            return redirect("stakeholders:sar", person_id=person.public_id)
    return _subject_access_page(
        request, person, form=SubjectAccessForm(), received_form=received_form
    )


@permission_required(PERM, denied=STAFF_ONLY)
def export_log(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "stakeholders/export_log.html",
        {"page": export_log_page(page_number=request.GET.get("page"))},
    )
