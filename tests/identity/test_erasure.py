"""Deleting an account removes what links the person to an identity; their
data export lists their requests and nothing that could identify them."""

import json

from django.db import transaction

from consult.accounts.signals import account_erasing, personal_data
from consult.identity import selectors, services
from consult.identity.models import IdentityClaim, Verification
from tests.identity.conftest import document_request, postal_request


def test_erasing_an_account_deletes_its_requests_claims_and_scans(
    places, make_user, reviewers, _private_dir, django_capture_on_commit_callbacks
):
    person, bystander = make_user(), make_user()
    verified = document_request(person, places.district, number="AB123456")
    with django_capture_on_commit_callbacks(execute=True):
        services.verification_approve(actor=reviewers.staff, verification_id=verified.pk)
    document_request(person, places.other_city, number="CD987654")  # pending, with a scan
    postal_request(person, places.other_district)
    document_request(bystander, places.district, number="EF555555")
    assert len(list(_private_dir.rglob("*.pdf"))) == 2
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        account_erasing.send(sender=None, user=person)
    assert not Verification.objects.filter(user=person).exists()
    assert not IdentityClaim.objects.filter(user=person).exists()
    assert not selectors.is_verified_resident(person, places.district)
    # The bystander's request and scan are untouched.
    assert Verification.objects.filter(user=bystander).count() == 1
    assert len(list(_private_dir.rglob("*.pdf"))) == 1
    # The identity is free again for a new account.
    newcomer = make_user()
    again = document_request(newcomer, places.district, number="AB 123 456")
    services.verification_approve(actor=reviewers.staff, verification_id=again.pk)
    assert selectors.is_verified_resident(newcomer, places.city)


def test_a_rolled_back_erasure_keeps_the_scans(places, make_user, _private_dir):
    person = make_user()
    document_request(person, places.district)

    class Abort(Exception):
        pass

    try:
        with transaction.atomic():
            account_erasing.send(sender=None, user=person)
            raise Abort
    except Abort:
        pass
    assert Verification.objects.filter(user=person).count() == 1
    assert len(list(_private_dir.rglob("*.pdf"))) == 1


def test_the_data_export_lists_requests_without_digests_numbers_or_codes(
    places, make_user, reviewers
):
    person = make_user()
    verified = document_request(person, places.district, number="AB123456")
    services.verification_approve(actor=reviewers.staff, verification_id=verified.pk)
    letter = postal_request(person, places.other_city, name="Jane Doe")
    _v, code = services.letter_print(actor=reviewers.staff, verification_id=letter.pk)
    rejected = document_request(person, places.other_district, number="CD987654")
    services.verification_reject(
        actor=reviewers.staff, verification_id=rejected.pk, reason="Unreadable scan."
    )
    replies = personal_data.send(sender=None, user=person)
    tables = {}
    for _receiver, reply in replies:
        tables.update(reply or {})
    rows = tables["identity_verifications"]
    assert sorted((row["jurisdiction"], row["status"], row["method"]) for row in rows) == [
        ("Hillside", "rejected", "document"),
        ("Other City", "pending", "post"),
        ("Riverside", "verified", "document"),
    ]
    assert {row["reason"] for row in rows} == {"", "Unreadable scan."}
    dumped = json.dumps(tables)  # serialisable as it is
    digest = IdentityClaim.objects.get(user=person).digest
    for secret in (digest, "AB123456", "CD987654", code, "code_hash"):
        assert secret not in dumped
    other = make_user()
    assert all(
        reply.get("identity_verifications") == []
        for _r, reply in personal_data.send(sender=None, user=other)
        if reply and "identity_verifications" in reply
    )
