import rules

from stakeholders.rules import is_staff_member

rules.add_perm("projects.access_dashboard", is_staff_member)
rules.add_perm("projects.list_projects", is_staff_member)
rules.add_perm("projects.manage_project", is_staff_member)
