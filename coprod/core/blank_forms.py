"""Forms whose blank state is the same for every visitor, rendered once per process."""

import functools

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms
from django.utils.safestring import SafeString


@functools.cache
def blank_form_fields(form_class: type[forms.BaseForm]) -> SafeString:
    """The fields of `form_class` with nothing typed in, as crispy-forms renders them:
    crispy-forms takes milliseconds to walk a form's fields, and a blank form whose labels,
    hints and choices come from code, never from the database or the visitor, renders the
    same every time. A form with an error is rendered afresh, with what the person typed."""
    return as_crispy_form(form_class())
