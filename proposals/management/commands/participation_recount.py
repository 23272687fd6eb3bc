"""Rebuild the consultations' participation counts from their rows: after a
repair, a restore from backup, or rows written outside the services."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from proposals.models import Proposal
from proposals.services.participation import counters_recount


class Command(BaseCommand):
    help = (
        "Recount the people taking part and the visible comments of every consultation "
        "(or of those named by number) from their rows."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("proposal", nargs="*", type=int, help="consultation numbers (pk)")

    def handle(self, *args, proposal: list[int], **options) -> None:
        unknown = sorted(
            set(proposal)
            - set(Proposal.objects.filter(pk__in=proposal).values_list("pk", flat=True))
        )
        if unknown:
            raise CommandError(f"No consultation numbered {', '.join(map(str, unknown))}.")
        done = counters_recount(proposal or None)
        self.stdout.write(f"{done} consultation(s) recounted.")
