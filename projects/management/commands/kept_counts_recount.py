"""Count again the figures kept for busy pages: every project's active members per
stakeholder group (the dashboard, roster and reports) and the fees paid per quarter by
days waited (the dashboard's chart), after rows were changed in bulk outside the services:

    manage.py kept_counts_recount
"""

from django.core.management.base import BaseCommand

from projects.services.coverage import coverage_recount_all
from projects.services.fee_waits import fee_waits_recount_all


class Command(BaseCommand):
    help = "Count again the coverage counts and fee waits kept for the dashboard and reports."

    def handle(self, *args, **options) -> None:
        coverage_recount_all()
        fee_waits_recount_all()
        self.stdout.write("The kept counts are up to date.")
