"""How evidence answers what happens to people (stakeholders.signals)."""

from django.dispatch import receiver

from evidence.services_measures import measure_answers_delete
from stakeholders.models import ConsentKind
from stakeholders.signals import consent_withdrawn


@receiver(consent_withdrawn, dispatch_uid="evidence_measure_answers_on_withdrawal")
def delete_measure_answers(sender, *, person, kind, when, **kwargs) -> None:
    """Without measures consent, nothing the person answered is kept."""
    if kind == ConsentKind.MEASURES:
        measure_answers_delete(person=person)
