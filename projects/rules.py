import rules

from stakeholders.rules import is_participant, is_staff_member

rules.add_perm("projects.list_projects", is_staff_member)
rules.add_perm("projects.manage_project", is_staff_member)
# A receipt is its owner's (the view finds only their own) and staff's; nobody else's.
rules.add_perm("projects.view_claim_receipt", is_participant | is_staff_member)
