"""Import a Polis export folder as an archived, read-only consultation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from consult.accounts.models import Department
from consult.infra.refusals import refusal_text


class Command(BaseCommand):
    help = (
        "Import a Polis export (comments.csv and votes.csv, optionally participants-votes.csv "
        "and summary.csv) as an archived, read-only consultation, and account for every row."
    )

    def add_arguments(self, parser):
        parser.add_argument("dir", help="The folder holding the export's files.")
        parser.add_argument(
            "--department", required=True, help="Slug of the department that will hold it."
        )
        parser.add_argument("--title", help="Title (default: the export's topic).")

    def handle(self, *args, dir: str, department: str, title: str | None = None, **options):
        # The numeric libraries, in this process only.
        from consult.opendata.polis.imports import import_dir
        from consult.opendata.polis.reading import PolisImportError

        try:
            owner = Department.objects.get(slug=department)
        except Department.DoesNotExist:
            raise CommandError(
                _("No department has the slug %(slug)s.") % {"slug": department}
            ) from None
        try:
            result = import_dir(dir, department=owner, title=title)
        except PolisImportError as exc:
            raise CommandError(_("Nothing was imported: %(error)s") % {"error": exc}) from None
        except ValidationError as exc:
            raise CommandError(
                _("Nothing was imported: %(error)s") % {"error": refusal_text(exc)}
            ) from None
        self._report(result)

    def _report(self, result) -> None:
        from consult.opendata.polis.reading import reason_text

        proposal = result.proposal
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported “%(title)s” as an archived consultation: %(url)s")
                % {"title": proposal.title, "url": proposal.get_absolute_url()}
            )
        )
        for account in result.files:
            self.stdout.write(
                _("%(name)s: %(read)d rows read, %(imported)d imported, %(skipped)d skipped")
                % {
                    "name": account.name,
                    "read": account.read,
                    "imported": account.imported,
                    "skipped": account.skipped_total,
                }
            )
            if account.hidden.count:
                self.stdout.write(
                    "  "
                    + _(
                        "%(count)d of them imported hidden, with their votes: removed by the "
                        "conversation's moderators in Polis (moderated = -1) "
                        "(lines %(lines)s%(more)s)"
                    )
                    % {
                        "count": account.hidden.count,
                        "lines": ", ".join(map(str, account.hidden.lines)),
                        "more": ", …" if account.hidden.count > len(account.hidden.lines) else "",
                    }
                )
            for reason, skipped in sorted(account.skipped.items(), key=lambda item: -item[1].count):
                lines = ", ".join(map(str, skipped.lines))
                self.stdout.write(
                    "  "
                    + _("%(count)d × %(reason)s (lines %(lines)s%(more)s)")
                    % {
                        "count": skipped.count,
                        "reason": reason_text(reason),
                        "lines": lines,
                        "more": ", …" if skipped.count > len(skipped.lines) else "",
                    }
                )
        self.stdout.write(
            _("%(count)d participants imported as placeholder accounts that cannot sign in.")
            % {"count": result.participants}
        )
        for note in result.notes:
            self.stdout.write(note)
