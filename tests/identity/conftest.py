"""Places below the city, people who ask to be verified, reviewers, and uploads."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consult.accounts import services as account_services
from consult.accounts.models import Jurisdiction, Role, User
from consult.identity import services
from consult.identity.models import Verification
from tests.proposals.conftest import draft, open_proposal, people, published  # noqa: F401

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _private_dir(settings, tmp_path):
    """Scans of these tests go to a folder of their own."""
    settings.CONSULT_IDENTITY_PRIVATE_DIR = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CONSULT_STAFF_REQUIRE_MFA = False
    return tmp_path / "private"


@dataclass
class Places:
    nation: Jurisdiction
    city: Jurisdiction
    district: Jurisdiction
    other_district: Jurisdiction
    other_city: Jurisdiction


@pytest.fixture
def places(tree) -> Places:
    create = account_services.jurisdiction_create
    district = create(
        actor=None, name="Riverside", slug="riverside", level="district", parent=tree.city
    )
    other_district = create(
        actor=None, name="Hillside", slug="hillside", level="district", parent=tree.city
    )
    other_city = create(
        actor=None, name="Other City", slug="other-city", level="city", parent=tree.nation
    )
    return Places(tree.nation, tree.city, district, other_district, other_city)


@dataclass
class Reviewers:
    staff: User
    city_official: User  # official of the city office: reviews the city and its districts
    ministry_official: User  # official of the national ministry: reviews everywhere below
    other_official: User  # official of a department of another city
    moderator: User  # a moderator is not a reviewer


@pytest.fixture
def reviewers(tree, places, make_user, grant) -> Reviewers:
    other_office = account_services.department_create(
        actor=None, name="Other city office", slug="other-office", jurisdiction=places.other_city
    )
    return Reviewers(
        staff=make_user(display_name="Staff", is_staff=True),
        city_official=grant(make_user(display_name="City"), tree.city_office, Role.OFFICIAL),
        ministry_official=grant(make_user(display_name="Ministry"), tree.ministry, Role.OFFICIAL),
        other_official=grant(make_user(display_name="Elsewhere"), other_office, Role.OFFICIAL),
        moderator=grant(make_user(display_name="Moderator"), tree.city_office, Role.MODERATOR),
    )


def scan(content: bytes = PDF, name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def document_request(
    user: User, place: Jurisdiction, number: str = "AB 123-456", **data
) -> Verification:
    return services.verification_start(
        actor=user,
        method_key="document",
        jurisdiction=place,
        data={"document_type": "passport", "number": number, "scan": scan(), **data},
    )


def postal_request(
    user: User, place: Jurisdiction, name: str = "Jane Doe", address: str = "1 High St\nRiverside"
) -> Verification:
    return services.verification_start(
        actor=user,
        method_key="post",
        jurisdiction=place,
        data={"full_name": name, "address": address},
    )


def verified_resident(user: User, place: Jurisdiction, reviewer: User, number: str) -> None:
    verification = document_request(user, place, number=number)
    services.verification_approve(actor=reviewer, verification_id=verification.pk)
