"""Count again the figures kept for busy pages: every project's active members per
stakeholder group (the dashboard, roster and reports), the fees paid per quarter by days
waited (the dashboard's chart), the people not erased (the people directory) and the
most each person's fees came to in a tax year (the payments page), after
rows were changed in bulk outside the services:

    manage.py kept_counts_recount
"""

from django.core.management.base import BaseCommand

from projects.services.coverage import coverage_recount_all
from projects.services.earnings import earnings_recount_all
from projects.services.fee_waits import fee_waits_recount_all
from stakeholders.people_count import people_recount


class Command(BaseCommand):
    help = "Count again the coverage counts, fee waits, people and earnings kept for busy pages."

    def handle(self, *args, **options) -> None:
        coverage_recount_all()
        fee_waits_recount_all()
        earnings_recount_all()
        people_recount()
        self.stdout.write("The kept counts are up to date.")
