import rules

from stakeholders.rules import is_staff_member

rules.add_perm("decisions.manage_decisions", is_staff_member)
