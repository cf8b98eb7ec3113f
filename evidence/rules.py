import rules

from evidence.models import ReportGrant
from stakeholders.rules import is_commissioner, is_staff_member


@rules.predicate
def is_granted_commissioner(user, project) -> bool:
    return bool(
        is_commissioner(user)
        and project is not None
        and ReportGrant.objects.filter(commissioner=user, project=project).exists()
    )


rules.add_perm("evidence.access_reports", is_staff_member | is_commissioner)
rules.add_perm("evidence.read_report", is_staff_member | is_granted_commissioner)
rules.add_perm("evidence.manage_evidence", is_staff_member)
rules.add_perm("evidence.use_learning", is_staff_member)
