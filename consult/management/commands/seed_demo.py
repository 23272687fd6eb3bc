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
from proposals.models import Proposal, Status

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
        self.seed_proposals(departments, official=users[1])
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

    def seed_proposals(self, departments: dict[str, Department], official: User) -> None:
        now = timezone.now()
        ministry, city = departments["ministry-housing"], departments["riverton-housing"]
        rows = [
            (
                "safer-streets-near-schools",
                "Safer streets near schools",
                "A 20 km/h limit and car-free school streets at drop-off and pick-up times.",
                city,
                Status.OPEN,
                now - timedelta(days=10),
                now + timedelta(days=20),
            ),
            (
                "rental-deposit-reform",
                "Rental deposit reform",
                "Cap rental deposits at one month's rent and hold them in a public scheme.",
                ministry,
                Status.OPEN,
                now - timedelta(days=25),
                now + timedelta(days=2),
            ),
            (
                "riverton-bus-network-2027",
                "河滨市2027年公交线网优化方案",
                "调整十二条公交线路，新增夜间线路，并在主干道设置公交专用道。",
                city,
                Status.SCHEDULED,
                now + timedelta(days=7),
                now + timedelta(days=49),
            ),
            (
                "empty-homes-levy",
                "Empty homes levy",
                "A yearly levy on homes left empty for more than twelve months.",
                ministry,
                Status.CLOSED,
                now - timedelta(days=90),
                now - timedelta(days=30),
            ),
            (
                "cycle-parking-standards",
                "Cycle parking standards for new buildings",
                "Minimum secure cycle parking for new homes and workplaces.",
                ministry,
                Status.REPORT_PUBLISHED,
                now - timedelta(days=200),
                now - timedelta(days=140),
            ),
            (
                "street-trees-plan",
                "Street trees plan (draft)",
                "Planting ten thousand street trees over five years. Not yet published.",
                city,
                Status.DRAFT,
                None,
                None,
            ),
        ]
        for slug, title, summary, department, status, opens_at, closes_at in rows:
            Proposal.objects.get_or_create(
                slug=slug,
                defaults={
                    "title": title,
                    "summary": summary,
                    "department": department,
                    "jurisdiction": department.jurisdiction,
                    "status": status,
                    "opens_at": opens_at,
                    "closes_at": closes_at,
                    "created_by": official,
                },
            )
