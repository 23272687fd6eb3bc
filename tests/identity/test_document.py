"""The document check: upload, review by someone allowed to, decision, and the scan gone."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from consult.accounts.models import AuditEntry
from consult.identity import rules, selectors, services
from consult.identity.models import IdentityClaim, Status, Verification
from tests.identity.conftest import PDF, PNG, document_request, scan


def stored_files(private_dir: Path) -> list[Path]:
    return [p for p in private_dir.rglob("*") if p.is_file()] if private_dir.exists() else []


def test_the_scan_is_stored_outside_public_media_and_listed_for_deletion(
    places, make_user, _private_dir, django_capture_on_commit_callbacks
):
    person = make_user()
    verification = document_request(person, places.district)
    files = stored_files(_private_dir)
    assert len(files) == 1 and files[0].read_bytes() == PDF
    assert files[0].suffix == ".pdf" and files[0].name != "scan.pdf"
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*"))
    assert verification.status == Status.PENDING
    assert verification.method_data["files"] == [files[0].name]
    assert verification.method_data["number"] == "AB 123-456"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "must be a PDF, JPEG or PNG"),
        (b"GIF89a" + b"\x00" * 20, "must be a PDF, JPEG or PNG"),
        (b"", "must be a PDF, JPEG or PNG"),
        (b"MZ\x90\x00 an executable named scan.pdf", "must be a PDF, JPEG or PNG"),
    ],
)
def test_a_file_that_is_not_a_pdf_jpeg_or_png_is_refused(
    places, make_user, _private_dir, content, message
):
    with pytest.raises(ValidationError, match=message):
        document_request(make_user(), places.district, scan=scan(content))
    assert not Verification.objects.exists()
    assert stored_files(_private_dir) == []


def test_an_oversized_scan_is_refused_with_both_sizes(places, make_user, settings, _private_dir):
    settings.CONSULT_IDENTITY_SCAN_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        document_request(make_user(), places.district, scan=scan(PDF + b"0" * 2000))
    assert "the limit is 1.0\xa0KB" in " ".join(refused.value.messages)
    assert not Verification.objects.exists()
    assert stored_files(_private_dir) == []


def test_one_request_per_place_and_not_for_a_place_already_covered(places, make_user, reviewers):
    person = make_user()
    document_request(person, places.district)
    with pytest.raises(ValidationError, match="already have a request for Riverside"):
        document_request(person, places.district, number="ZZ999999")
    assert Verification.objects.filter(user=person).count() == 1
    services.verification_approve(
        actor=reviewers.staff, verification_id=Verification.objects.get(user=person).pk
    )
    # A district resident is a city resident already.
    with pytest.raises(ValidationError, match="already a verified resident of City"):
        document_request(person, places.city)


def test_the_upload_page_shows_clear_messages_and_never_fails(client, places, make_user):
    person = make_user()
    client.force_login(person)
    url = reverse("identity:start", args=["document"])
    page = client.get(url + f"?jurisdiction={places.district.pk}")
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    answer = client.post(
        url,
        {
            "jurisdiction": places.district.pk,
            "document_type": "passport",
            "number": "AB123456",
            "scan": scan(b"not a document", "scan.pdf"),
        },
    )
    assert answer.status_code == 400
    assert "The scan must be a PDF, JPEG or PNG file." in answer.content.decode()
    answer = client.post(
        url,
        {
            "jurisdiction": "999999",
            "document_type": "nonsense",
            "number": "x" * 500,
        },
    )
    assert answer.status_code == 400
    assert not Verification.objects.exists()
    answer = client.post(
        url,
        {
            "jurisdiction": places.district.pk,
            "document_type": "passport",
            "number": "AB123456",
            "scan": scan(PNG, "photo.png"),
        },
    )
    assert answer.status_code == 302
    verification = Verification.objects.get(user=person)
    assert verification.method_data["content_type"] == "image/png"
    assert client.get(reverse("identity:start", args=["nope"])).status_code == 404


def test_who_may_review(places, make_user, reviewers):
    person = make_user()
    district = document_request(person, places.district)
    city = document_request(make_user(), places.city, number="CD987654")
    assert rules.can_review(reviewers.staff, district)
    assert rules.can_review(reviewers.city_official, district)  # the city office's place is above
    assert rules.can_review(reviewers.ministry_official, city)  # the nation is above everything
    assert not rules.can_review(reviewers.other_official, district)
    assert not rules.can_review(reviewers.moderator, district)
    assert not rules.can_review(person, district)
    # Nobody decides their own request, not even staff.
    own = document_request(reviewers.staff, places.district, number="EF111111")
    assert not rules.can_review(reviewers.staff, own)
    with pytest.raises(PermissionDenied):
        services.verification_approve(actor=reviewers.staff, verification_id=own.pk)
    with pytest.raises(PermissionDenied):
        services.verification_approve(actor=reviewers.other_official, verification_id=district.pk)
    with pytest.raises(PermissionDenied):
        services.verification_reject(
            actor=person, verification_id=district.pk, reason="I changed my mind"
        )
    assert Verification.objects.filter(status=Status.PENDING).count() == 3


def test_the_queue_shows_each_reviewer_the_places_they_serve(client, places, make_user, reviewers):
    for n in range(3):
        document_request(make_user(display_name=f"Resident {n}"), places.district, f"AB00{n}999")
    document_request(make_user(display_name="Elsewhere person"), places.other_city, "XY123456")
    client.force_login(reviewers.city_official)
    page = client.get(reverse("identity:review-queue")).content.decode()
    assert page.count('<th scope="row">Resident ') == 3 and "Elsewhere person" not in page
    client.force_login(reviewers.other_official)
    page = client.get(reverse("identity:review-queue")).content.decode()
    assert "Resident " not in page and "Elsewhere person" in page
    client.force_login(reviewers.moderator)
    assert client.get(reverse("identity:review-queue")).status_code == 403
    client.force_login(make_user())
    assert client.get(reverse("identity:review-queue")).status_code == 403


def test_the_queue_costs_the_same_queries_for_few_and_many_requests(
    client, places, make_user, reviewers, django_assert_num_queries
):
    client.force_login(reviewers.city_official)
    document_request(make_user(), places.district, "AB000001")
    client.get(reverse("identity:review-queue"))  # warm the session
    with django_assert_num_queries(10) as few:
        client.get(reverse("identity:review-queue"))
    for n in range(10):
        document_request(make_user(), places.district, f"AB1000{n:02d}")
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(reverse("identity:review-queue")).status_code == 200


def test_reject_needs_a_reason_then_drops_the_scan_and_the_number(
    client, places, make_user, reviewers, _private_dir, django_capture_on_commit_callbacks
):
    person = make_user()
    verification = document_request(person, places.district)
    client.force_login(reviewers.city_official)
    url = reverse("identity:reject", args=[verification.pk])
    answer = client.post(url, {"reject-reason": "   "})
    assert answer.status_code == 400
    assert "This field is required." in answer.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"reject-reason": "The scan is unreadable."})
    assert answer.status_code == 302
    verification.refresh_from_db()
    assert verification.status == Status.REJECTED
    assert verification.reason == "The scan is unreadable."
    assert verification.decided_by == reviewers.city_official
    assert verification.method_data == {}
    assert stored_files(_private_dir) == []
    entry = AuditEntry.objects.get(action="identity.rejected")
    assert entry.actor == reviewers.city_official and entry.reason == "The scan is unreadable."
    assert "AB" not in str(entry.before) + str(entry.after)
    client.force_login(person)
    assert "The scan is unreadable." in client.get(reverse("identity:index")).content.decode()
    with pytest.raises(ValidationError, match="already been decided"):
        services.verification_reject(
            actor=reviewers.staff, verification_id=verification.pk, reason="Twice"
        )


def test_approve_grants_the_status_claims_the_identity_and_deletes_the_scan(
    client, places, make_user, reviewers, _private_dir, django_capture_on_commit_callbacks
):
    person = make_user()
    verification = document_request(person, places.district)
    client.force_login(reviewers.staff)
    review = client.get(reverse("identity:review", args=[verification.pk])).content.decode()
    assert "AB 123-456" in review and reverse("identity:scan", args=[verification.pk]) in review
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("identity:approve", args=[verification.pk]))
    assert answer.status_code == 302
    verification.refresh_from_db()
    assert verification.status == Status.VERIFIED
    assert verification.method_data == {}
    assert verification.claim.user == person
    assert len(verification.claim.digest) == 64
    assert stored_files(_private_dir) == []
    assert AuditEntry.objects.filter(action="identity.verified", actor=reviewers.staff).count() == 1
    assert selectors.is_verified_resident(person, places.district)
    assert selectors.is_verified_resident(person, places.city)
    assert selectors.is_verified_resident(person, places.nation)
    assert not selectors.is_verified_resident(person, places.other_district)
    assert not selectors.is_verified_resident(person, places.other_city)
    assert selectors.verified_jurisdictions(person) == [places.district]
    # After the decision nothing about the document is shown, and the scan is gone.
    review = client.get(reverse("identity:review", args=[verification.pk])).content.decode()
    assert "AB 123-456" not in review
    assert client.get(reverse("identity:scan", args=[verification.pk])).status_code == 404


def test_the_same_account_may_reuse_its_identity_for_another_place(places, make_user, reviewers):
    person = make_user()
    first = document_request(person, places.district)
    services.verification_approve(actor=reviewers.staff, verification_id=first.pk)
    second = document_request(person, places.other_city, number="ab123456")
    services.verification_approve(actor=reviewers.staff, verification_id=second.pk)
    second.refresh_from_db()
    assert second.status == Status.VERIFIED
    first.refresh_from_db()
    assert IdentityClaim.objects.count() == 1 and second.claim_id == first.claim_id


def test_an_identity_verifying_another_account_is_refused_and_the_reviewer_told(
    client, places, make_user, reviewers
):
    first, second = make_user(), make_user()
    # Both asked before either was approved: the courtesy check at the start could not help.
    one = document_request(first, places.district, number="AB123456")
    two = document_request(second, places.district, number="ab-123 456")
    services.verification_approve(actor=reviewers.staff, verification_id=one.pk)
    client.force_login(reviewers.staff)
    answer = client.post(reverse("identity:approve", args=[two.pk]), follow=True)
    assert "This identity already verifies another account" in answer.content.decode()
    two.refresh_from_db()
    assert two.status == Status.REJECTED and two.reason_code == "taken"
    assert two.method_data == {} and two.claim is None
    assert IdentityClaim.objects.get().user == first
    client.force_login(second)
    page = client.get(reverse("identity:index")).content.decode()
    assert "This identity already verifies another account" in page
    # Asking again is not answered at once (that would tell anyone who is
    # verified): the request waits for a reviewer, who is refused as before.
    three = document_request(second, places.district, number="AB123456")
    with pytest.raises(ValidationError, match="already verifies another account"):
        services.verification_approve(actor=reviewers.staff, verification_id=three.pk)


def test_the_scan_is_served_only_to_reviewers_and_never_run(client, places, make_user, reviewers):
    person = make_user()
    verification = document_request(person, places.district, scan=scan(PNG, "me.png"))
    url = reverse("identity:scan", args=[verification.pk])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(person)
    assert client.get(url).status_code == 403  # not a reviewer
    client.force_login(reviewers.other_official)
    assert client.get(url).status_code == 404  # a reviewer, not of this place
    client.force_login(reviewers.city_official)
    answer = client.get(url)
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == PNG
    assert answer["Content-Type"] == "image/png"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in answer["Content-Security-Policy"]
    assert "no-store" in answer["Cache-Control"]
    assert str(settings.MEDIA_URL) not in url


def test_staff_without_a_second_factor_are_sent_to_set_one_up(
    client, places, make_user, reviewers, settings
):
    settings.CONSULT_STAFF_REQUIRE_MFA = True
    verification = document_request(make_user(), places.district)
    client.force_login(reviewers.staff)
    answer = client.get(reverse("identity:review", args=[verification.pk]))
    assert answer.status_code == 302 and answer.url == reverse("mfa_activate_totp")


def test_withdrawing_a_pending_request_deletes_its_scan(
    client, places, make_user, _private_dir, django_capture_on_commit_callbacks
):
    person, stranger = make_user(), make_user()
    verification = document_request(person, places.district)
    client.force_login(stranger)
    assert client.post(reverse("identity:withdraw", args=[verification.pk])).status_code == 404
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("identity:withdraw", args=[verification.pk]))
    verification.refresh_from_db()
    assert verification.status == Status.WITHDRAWN and verification.method_data == {}
    assert stored_files(_private_dir) == []


def test_a_withdrawn_status_keeps_the_identity_bound_and_a_revoked_one_releases_it(
    places, make_user, reviewers
):
    person, other = make_user(), make_user()
    verification = document_request(person, places.district)
    services.verification_approve(actor=reviewers.staff, verification_id=verification.pk)
    services.verification_withdraw(actor=person, verification_id=verification.pk)
    assert not selectors.is_verified_resident(person, places.district)
    theirs = document_request(other, places.district)
    with pytest.raises(ValidationError, match="already verifies another account"):
        services.verification_approve(actor=reviewers.staff, verification_id=theirs.pk)
    again = document_request(person, places.district)
    services.verification_approve(actor=reviewers.staff, verification_id=again.pk)
    with pytest.raises(ValidationError, match="Give a reason"):
        services.verification_revoke(actor=reviewers.staff, verification_id=again.pk, reason="")
    services.verification_revoke(
        actor=reviewers.city_official, verification_id=again.pk, reason="The document was forged."
    )
    again.refresh_from_db()
    assert again.status == Status.REVOKED and again.reason == "The document was forged."
    assert not IdentityClaim.objects.exists()
    rightful = document_request(other, places.district)
    services.verification_approve(actor=reviewers.staff, verification_id=rightful.pk)
    assert selectors.is_verified_resident(other, places.district)


def test_the_page_of_a_person_with_nothing_yet(client, make_user, places):
    client.force_login(make_user())
    page = client.get(reverse("identity:index")).content.decode()
    assert "You are not verified for any place yet." in page
    assert "You have no requests in progress." in page
    assert reverse("identity:start", args=["document"]) in page
    assert reverse("identity:start", args=["post"]) in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_hostile_query_strings_and_ids_get_a_page_or_a_404(client, places, make_user, reviewers):
    person = make_user()
    verification = document_request(person, places.district)
    client.force_login(person)
    start = reverse("identity:start", args=["document"])
    assert client.get(start + "?jurisdiction=abc").status_code == 200
    assert client.get(start + "?jurisdiction=99999999999999999999").status_code == 200
    assert client.get(reverse("identity:index") + "?jurisdiction=%3Cscript%3E").status_code == 200
    assert client.get(reverse("identity:code", args=[verification.pk])).status_code == 404
    assert client.get(reverse("identity:code", args=[999999])).status_code == 404
    assert client.post(reverse("identity:withdraw", args=[999999])).status_code == 404
    client.force_login(reviewers.staff)
    queue = reverse("identity:review-queue")
    assert client.get(queue + "?page=zzz&status=%3Cscript%3E").status_code == 200
    assert client.get(queue + "?page=-5&status=verified").status_code == 200
    assert client.get(reverse("identity:review", args=[999999])).status_code == 404
    assert client.get(reverse("identity:letter", args=[verification.pk])).status_code == 404
    assert client.post(reverse("identity:letter-print", args=[verification.pk])).status_code == 404
    assert client.get(reverse("identity:review", args=[verification.pk])).status_code == 200
