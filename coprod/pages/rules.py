import rules

from stakeholders.rules import is_staff_member

rules.add_perm("pages.access_dashboard", is_staff_member)
