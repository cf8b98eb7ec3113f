"""The words people agree to. Changing a text means a new version: records keep the old."""

from stakeholders.models import ConsentKind

CONSENT_TEXTS = {
    ConsentKind.INVOLVEMENT: (
        "2026-11",
        "I agree that the organisation may keep my name, contact details, access needs and "
        "the projects I take part in, so that it can invite me to take part, support me "
        "and pay me. I can withdraw this at any time from my page.",
    ),
    ConsentKind.EQUALITY: (
        "2026-11",
        "I agree that the organisation may keep the equality questions I answer (such as "
        "age, gender, ethnicity and disability) to check it is hearing from a fair mix of "
        "people. These answers are only ever counted, never shown with my name. I can "
        "withdraw this at any time and the answers will be deleted at once.",
    ),
    ConsentKind.BENEFITS: (
        "2026-12",
        "I agree that the organisation may keep what I tell it about my benefits (which "
        "benefits I get, when my Universal Credit assessment period starts, and whether I "
        "have a permitted work form), so that staff can warn me before a payment could "
        "affect my benefits. I can withdraw this at any time and the answers will be deleted "
        "at once.",
    ),
    ConsentKind.MEASURES: (
        "2026-12",
        "I agree that the organisation may keep my answers to questions about how I am "
        "(such as how satisfied I am with my life), asked at the start of a project and "
        "again later, to see whether the project made a difference. My answers are only "
        "ever counted with other people's, never shown with my name. I can withdraw this at "
        "any time and my answers will be deleted at once.",
    ),
}
