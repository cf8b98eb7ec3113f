"""Who someone is. Every page permission in coprod is built from these predicates."""

import rules

from stakeholders.models import Role


def _has_role(user, role: str) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == role)


@rules.predicate
def is_staff_member(user) -> bool:
    return _has_role(user, Role.STAFF)


@rules.predicate
def is_participant(user) -> bool:
    return _has_role(user, Role.PARTICIPANT)


@rules.predicate
def is_commissioner(user) -> bool:
    return _has_role(user, Role.COMMISSIONER)


rules.add_perm("stakeholders.access_me", is_participant)
# Subject-access exports, erasure requests and the export log: staff only.
rules.add_perm("stakeholders.manage_personal_data", is_staff_member)
