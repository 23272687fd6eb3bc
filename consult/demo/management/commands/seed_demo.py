"""Load demo data: departments at two levels, staff, an official, a moderator,
citizens and consultations in several states. Safe to run again: rows are
found by their natural keys and left alone when present."""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from consult.accounts import services as account_services
from consult.accounts.models import Department, Jurisdiction, Role, User
from consult.demo import languages
from consult.demo.crowd import seed_crowd
from consult.demo.data import DEMO_PROPOSALS
from consult.demo.forms import seed_form_questions, seed_form_responses
from consult.reports.models import SummaryRun
from consult.reports.report.drafting import report_draft
from consult.reports.report.editing import report_save
from consult.reports.report.publishing import report_publish
from consult.reports.summary.running import summary_compute
from discussion.comments import services as discussion_services
from discussion.models import ModerationPolicy
from discussion.moderation import services as moderation
from discussion.responses import services as responses
from proposals.models import Proposal, StanceValue, Status
from proposals.services import drafts, stances, versions

DEMO_PASSWORD = "demo-consult-2026"  # noqa: S105 - printed by `make run` on purpose


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str
    role: str
    department_slug: str | None = None
    is_staff: bool = False


def demo_accounts() -> list[DemoAccount]:
    return [
        DemoAccount("admin@example.org", "Site Admin", "staff", is_staff=True),
        DemoAccount("official@example.org", "Alex Official", Role.OFFICIAL, "ministry-housing"),
        DemoAccount("city.official@example.org", "王芳", Role.OFFICIAL, "riverton-housing"),
        DemoAccount(
            "moderator@example.org", "Morgan Moderator", Role.MODERATOR, "ministry-housing"
        ),
        DemoAccount("clerk@example.org", "Jordan Clerk", Role.CLERK, "riverton-housing"),
        DemoAccount("citizen@example.org", "Casey Citizen", "citizen"),
        DemoAccount("citizen2@example.org", "李明", "citizen"),
        DemoAccount("citizen3@example.org", "Sam Rivera", "citizen"),
    ]


class Command(BaseCommand):
    help = "Create (or complete) the demo data. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        departments = self.seed_places()
        users = [self.seed_account(account, departments) for account in demo_accounts()]
        self.seed_residents(departments, admin=users[0])
        self.seed_proposals(departments, official=users[1])
        languages.name_topics()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS("Demo data is in place."))
            self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
            for account in demo_accounts():
                self.stdout.write(f"  {account.role:<10} {account.email}")

    def seed_places(self) -> dict[str, Department]:
        def jurisdiction(slug, name, level, parent=None):
            found = Jurisdiction.objects.filter(slug=slug).first()
            return found or account_services.jurisdiction_create(
                actor=None, name=name, slug=slug, level=level, parent=parent
            )

        def department(slug, name, place, parent=None):
            found = Department.objects.filter(slug=slug).first()
            return found or account_services.department_create(
                actor=None, name=name, slug=slug, jurisdiction=place, parent=parent
            )

        nation = jurisdiction("national", "National", Jurisdiction.Level.NATIONAL)
        province = jurisdiction("northshire", "Northshire Province", "province", nation)
        city = jurisdiction("riverton", "Riverton City", Jurisdiction.Level.CITY, province)
        ministry = department("ministry-housing", "Ministry of Housing and Transport", nation)
        city_office = department(
            "riverton-housing", "Riverton Housing and Transport Office", city, ministry
        )
        languages.name_places()
        return {d.slug: d for d in (ministry, city_office)}

    def seed_account(self, account: DemoAccount, departments: dict[str, Department]) -> User:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(
                account.email,
                DEMO_PASSWORD,
                display_name=account.display_name,
                is_staff=account.is_staff,
                is_superuser=account.is_staff,
            )
        EmailAddress.objects.get_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        if account.department_slug:
            account_services.membership_grant(
                actor=None,
                user=user,
                department=departments[account.department_slug],
                role=account.role,
            )
        return user

    def seed_residents(self, departments: dict[str, Department], admin: User) -> None:
        """Casey is a verified resident (by a code sent by post); Sam waits for a letter."""
        from consult.identity import services as identity_services
        from consult.identity.models import Verification

        if Verification.objects.exists():
            return
        place = departments["riverton-housing"].jurisdiction
        casey = User.objects.get(email="citizen@example.org")
        sam = User.objects.get(email="citizen3@example.org")
        request = identity_services.verification_start(
            actor=casey,
            method_key="post",
            jurisdiction=place,
            data={"full_name": "Casey Citizen", "address": "12 Mill Lane, Riverton RV1 2AB"},
        )
        request, code = identity_services.letter_print(actor=admin, verification_id=request.pk)
        identity_services.letter_mark_sent(actor=admin, verification_id=request.pk)
        identity_services.code_confirm(actor=casey, verification_id=request.pk, code=code)
        identity_services.verification_start(
            actor=sam,
            method_key="post",
            jurisdiction=place,
            data={"full_name": "Sam Rivera", "address": "3 Quay Street, Riverton RV2 9XY"},
        )

    def seed_proposals(self, departments: dict[str, Department], official: User) -> None:
        citizens = list(User.objects.filter(email__startswith="citizen").order_by("email"))
        for demo in DEMO_PROPOSALS:
            if not Proposal.objects.filter(slug=demo.slug).exists():
                self.seed_proposal(demo, departments[demo.department], official, citizens)

    def seed_proposal(
        self, demo, department: Department, official: User, citizens: list[User]
    ) -> None:
        """Built through the same services an official uses, then moved in time."""
        proposal = drafts.proposal_create(
            actor=official,
            department=department,
            jurisdiction=department.jurisdiction,
            title=demo.title,
            summary=demo.summary,
            responsible_office=demo.office,
            contact_email="consultations@example.org",
            tags=list(demo.tags),
            questions=list(demo.questions),
        )
        Proposal.objects.filter(pk=proposal.pk).update(
            slug=demo.slug, requires_verification=demo.residents_only
        )
        proposal.slug = demo.slug
        sections = [
            drafts.section_add(actor=official, proposal=proposal, heading=h, body=b)
            for h, b in demo.sections
        ]
        languages.write_again(proposal, sections)
        if demo.form:
            seed_form_questions(proposal, official, sections)
        if demo.state == "draft":
            return
        versions.version_publish(
            actor=official, proposal=proposal, change_note="First published draft."
        )
        if demo.revision:
            note, bodies = demo.revision
            for index, body in bodies.items():
                section = sections[index]
                drafts.section_update(
                    actor=official, section=section, heading=section.heading, body=body
                )
            versions.version_publish(actor=official, proposal=proposal, change_note=note)
        now = timezone.now()
        windows = {
            "scheduled": (now + timedelta(days=7), now + timedelta(days=49), Status.SCHEDULED),
            "open": (now - timedelta(days=10), now + timedelta(days=20), Status.OPEN),
            "closing": (now - timedelta(days=25), now + timedelta(days=2), Status.OPEN),
            "closed": (now - timedelta(days=90), now - timedelta(days=30), Status.CLOSED),
            "report_published": (
                now - timedelta(days=200),
                now - timedelta(days=140),
                Status.REPORT_PUBLISHED,
            ),
        }
        opens_at, closes_at, status = windows[demo.state]
        Proposal.objects.filter(pk=proposal.pk).update(
            opens_at=opens_at, closes_at=closes_at, status=status
        )
        if status == Status.OPEN:
            proposal.refresh_from_db()
            self.seed_stances(proposal, sections, citizens)
            self.seed_discussion(demo, proposal, sections, citizens)
            if demo.form:
                clerk = User.objects.get(email="clerk@example.org")
                seed_form_responses(proposal, citizens, clerk)
        if demo.crowd is not None:
            proposal.refresh_from_db()
            seed_crowd(proposal, sections, demo.crowd)
        if status == Status.REPORT_PUBLISHED:
            self.seed_report(demo, proposal, sections, official)

    def seed_report(self, demo, proposal: Proposal, sections, official: User) -> None:
        """Answered, summarised and published through the officials' own services:
        the consultation closed, and its report is what it says it is."""
        Proposal.objects.filter(pk=proposal.pk).update(status=Status.CLOSED)
        proposal.refresh_from_db()
        for index, text in demo.report:
            responses.response_post_section(
                actor=official,
                proposal=proposal,
                section=sections[index],
                status="accepted",
                explanation=text,
            )
        run = SummaryRun.objects.create(proposal=proposal, requested_by=official)
        summary_compute(run_id=run.pk)
        report = report_draft(actor=official, proposal=proposal)
        report_save(
            actor=official,
            report=report,
            revision=report.revision,
            intro=(
                "Thank you to everyone who took part. This report sets out what you told us "
                "and what we changed in the final standards."
            ),
            entries={
                entry.pk: {"you_said": entry.you_said, "we_did": text, "status": status}
                for entry in report.entries.filter(kind="theme")
                for theme, status, text in demo.report_themes
                if entry.title == theme
            },
            texts_in=languages.report_texts(report),
        )
        report_publish(actor=official, report=report)

    def seed_discussion(self, demo, proposal: Proposal, sections, citizens: list[User]) -> None:
        """Comments, replies, reports and held comments, through the same services
        citizens use, so the threads and the moderators' queue have something in them."""
        posted = []
        for index, author, body, replies in demo.comments:
            section = sections[index] if index is not None else None
            comment = discussion_services.comment_create(
                actor=citizens[author], proposal=proposal, body=body, section=section
            )
            posted.append(comment)
            for replier, reply in replies:
                discussion_services.comment_create(
                    actor=citizens[replier], proposal=proposal, body=reply, parent=comment
                )
        for comment_index, reporters, reason in demo.reports:
            for reporter in reporters:
                moderation.comment_report(
                    actor=citizens[reporter], comment=posted[comment_index], reason=reason
                )
        if demo.policy:
            ModerationPolicy.objects.create(proposal=proposal, **demo.policy)
        for index, author, body in demo.held:
            section = sections[index] if index is not None else None
            discussion_services.comment_create(
                actor=citizens[author], proposal=proposal, body=body, section=section
            )

    def seed_stances(self, proposal: Proposal, sections, citizens: list[User]) -> None:
        from consult.identity.selectors import is_verified_resident

        values = [StanceValue.SUPPORT, StanceValue.OPPOSE, StanceValue.NEUTRAL]
        for i, citizen in enumerate(citizens):
            if proposal.requires_verification and not is_verified_resident(
                citizen, proposal.jurisdiction
            ):
                continue
            stances.stance_cast(actor=citizen, proposal=proposal, value=values[i % 2])
            for j, section in enumerate(sections):
                stances.stance_cast(
                    actor=citizen, proposal=proposal, section=section, value=values[(i + j) % 3]
                )
