"""Code by post: the letter, the code shown once, wrong tries, lockout, expiry, success."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from consult.accounts.models import AuditEntry
from consult.identity import selectors, services
from consult.identity.methods import postal
from consult.identity.models import IdentityClaim, Status, Verification
from tests.identity.conftest import postal_request


def printed(verification: Verification, reviewer) -> str:
    _verification, code = services.letter_print(actor=reviewer, verification_id=verification.pk)
    return code


def wrong(code: str) -> str:
    """A valid-looking code that is not this one."""
    return "".join("A" if c != "A" else "B" for c in code)


def test_a_code_is_eight_unambiguous_characters_and_only_its_hash_is_kept(
    places, make_user, reviewers
):
    verification = postal_request(make_user(), places.district)
    code = printed(verification, reviewers.city_official)
    assert len(code) == 8 and set(code) <= set(postal.ALPHABET)
    assert not set(code) & set("01OIL")
    verification.refresh_from_db()
    assert code not in str(verification.method_data)
    assert len(verification.method_data["code_hash"]) == 64
    assert AuditEntry.objects.filter(action="identity.letter_printed").count() == 1
    assert code not in str(list(AuditEntry.objects.values_list("before", "after", "reason")))


def test_staff_see_letters_to_send_and_the_code_once_on_the_letter(
    client, places, make_user, reviewers
):
    person = make_user()
    verification = postal_request(person, places.district, name="Jane Doe")
    client.force_login(reviewers.city_official)
    letters = client.get(reverse("identity:letters")).content.decode()
    assert "Jane Doe" in letters and "1 High St" in letters
    answer = client.post(reverse("identity:letter-print", args=[verification.pk]))
    assert answer.status_code == 302 and answer.url == reverse(
        "identity:letter", args=[verification.pk]
    )
    first = client.get(answer.url)
    letter = first.content.decode()
    assert "no-store" in first["Cache-Control"] or "max-age=0" in first["Cache-Control"]
    code = letter.split('<strong class="token-value">', 1)[1].split("</strong>", 1)[0]
    assert len(code) == 8
    assert "Jane Doe" in letter and "Riverside" in letter
    # Shown once: reloading the page does not show it again.
    again = client.get(answer.url).content.decode()
    assert code not in again and "Make a new code and print" in again
    client.post(reverse("identity:letter-sent", args=[verification.pk]))
    verification.refresh_from_db()
    assert verification.method_data["sent_at"]
    # Another official's session never sees it.
    client.force_login(reviewers.other_official)
    assert client.get(reverse("identity:letter", args=[verification.pk])).status_code == 404
    assert "Jane Doe" not in client.get(reverse("identity:letters")).content.decode()
    # The person types it in, in lower case with a space.
    client.force_login(person)
    page = client.get(reverse("identity:index")).content.decode()
    assert reverse("identity:code", args=[verification.pk]) in page
    answer = client.post(
        reverse("identity:code", args=[verification.pk]),
        {"code": f"{code[:4].lower()} {code[4:].lower()}"},
    )
    assert answer.status_code == 302
    verification.refresh_from_db()
    assert verification.status == Status.VERIFIED and verification.method_data == {}
    assert selectors.is_verified_resident(person, places.city)


def test_a_code_cannot_be_typed_before_the_letter_exists(client, places, make_user):
    person = make_user()
    verification = postal_request(person, places.district)
    with pytest.raises(ValidationError, match="not been posted yet"):
        services.code_confirm(actor=person, verification_id=verification.pk, code="ABCDEFGH")
    client.force_login(person)
    page = client.get(reverse("identity:code", args=[verification.pk])).content.decode()
    assert "has not been posted yet" in page


def test_wrong_codes_count_and_the_fifth_closes_the_request(places, make_user, reviewers):
    person = make_user()
    verification = postal_request(person, places.district)
    code = printed(verification, reviewers.staff)
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError, match=f"Tries left: {left}"):
            services.code_confirm(actor=person, verification_id=verification.pk, code=wrong(code))
    with pytest.raises(ValidationError, match="Too many wrong codes"):
        services.code_confirm(actor=person, verification_id=verification.pk, code=wrong(code))
    verification.refresh_from_db()
    assert verification.status == Status.REJECTED and verification.reason_code == "locked"
    assert verification.method_data == {}
    # Even the right code does nothing now.
    with pytest.raises(ValidationError, match="already been decided"):
        services.code_confirm(actor=person, verification_id=verification.pk, code=code)
    assert not IdentityClaim.objects.exists()


def test_the_code_page_shows_the_tries_left_and_the_lockout(client, places, make_user, reviewers):
    person = make_user()
    verification = postal_request(person, places.district)
    code = printed(verification, reviewers.staff)
    client.force_login(person)
    url = reverse("identity:code", args=[verification.pk])
    answer = client.post(url, {"code": wrong(code)})
    assert answer.status_code == 400 and "Tries left: 4" in answer.content.decode()
    answer = client.post(url, {"code": ""})
    assert answer.status_code == 400
    answer = client.post(url, {"code": "x" * 1000})
    assert answer.status_code == 400
    for _ in range(4):
        answer = client.post(url, {"code": "¡¿ " + wrong(code)})
    assert answer.status_code == 302
    page = client.get(reverse("identity:index")).content.decode()
    assert "Too many wrong codes" in page


def test_printing_again_makes_the_old_code_useless(places, make_user, reviewers):
    person = make_user()
    verification = postal_request(person, places.district)
    old = printed(verification, reviewers.staff)
    new = printed(verification, reviewers.staff)
    with pytest.raises(ValidationError, match="not right"):
        services.code_confirm(actor=person, verification_id=verification.pk, code=old)
    services.code_confirm(actor=person, verification_id=verification.pk, code=new)


def test_a_code_works_only_for_its_own_request_and_its_own_person(places, make_user, reviewers):
    person, other = make_user(), make_user()
    mine = postal_request(person, places.district)
    theirs = postal_request(other, places.district, name="John Roe")
    my_code = printed(mine, reviewers.staff)
    printed(theirs, reviewers.staff)
    with pytest.raises(ValidationError, match="not right"):
        services.code_confirm(actor=other, verification_id=theirs.pk, code=my_code)
    with pytest.raises(PermissionDenied):
        services.code_confirm(actor=other, verification_id=mine.pk, code=my_code)


def test_a_code_expires_after_thirty_days(places, make_user, reviewers):
    person = make_user()
    verification = postal_request(person, places.district)
    code = printed(verification, reviewers.staff)
    Verification.objects.filter(pk=verification.pk).update(
        method_data={
            **Verification.objects.get(pk=verification.pk).method_data,
            "printed_at": (timezone.now() - timedelta(days=30, minutes=1)).isoformat(),
        }
    )
    with pytest.raises(ValidationError, match="The code has expired: codes last 30 days"):
        services.code_confirm(actor=person, verification_id=verification.pk, code=code)
    verification.refresh_from_db()
    assert verification.status == Status.REJECTED and verification.reason_code == "expired"
    assert verification.method_data == {}


def test_the_periodic_task_closes_expired_requests_and_keeps_fresh_ones(
    places, make_user, reviewers
):
    from consult.identity.tasks import postal_codes_expire

    old = postal_request(make_user(), places.district)
    fresh = postal_request(make_user(), places.district, name="John Roe")
    unprinted = postal_request(make_user(), places.district, name="Ann Poe")
    printed(old, reviewers.staff)
    printed(fresh, reviewers.staff)
    data = Verification.objects.get(pk=old.pk).method_data
    data["printed_at"] = (timezone.now() - timedelta(days=31)).isoformat()
    Verification.objects.filter(pk=old.pk).update(method_data=data)
    result = postal_codes_expire.enqueue()
    assert result.return_value == 1
    statuses = dict(Verification.objects.values_list("pk", "status"))
    assert statuses[old.pk] == Status.REJECTED
    assert statuses[fresh.pk] == statuses[unprinted.pk] == Status.PENDING


def test_the_letter_is_refused_to_people_who_may_not_review_it(places, make_user, reviewers):
    person = make_user()
    verification = postal_request(person, places.district)
    for outsider in (person, reviewers.other_official, reviewers.moderator, make_user()):
        with pytest.raises(PermissionDenied):
            services.letter_print(actor=outsider, verification_id=verification.pk)
    with pytest.raises(ValidationError, match="Print the letter before"):
        services.letter_mark_sent(actor=reviewers.staff, verification_id=verification.pk)


def test_a_postal_identity_already_verifying_another_account_is_refused(
    places, make_user, reviewers
):
    first, second = make_user(), make_user()
    one = postal_request(first, places.district, name="Jane Doe")
    two = postal_request(second, places.district, name="JANE DOE")
    services.code_confirm(actor=first, verification_id=one.pk, code=printed(one, reviewers.staff))
    with pytest.raises(ValidationError, match="already verifies another account"):
        services.code_confirm(
            actor=second, verification_id=two.pk, code=printed(two, reviewers.staff)
        )
    two.refresh_from_db()
    assert two.status == Status.REJECTED and two.reason_code == "taken"
    assert list(IdentityClaim.objects.values_list("user_id", flat=True)) == [first.pk]


def test_requests_nobody_decided_close_after_ninety_days_and_drop_what_was_given(
    places, make_user, reviewers, settings, django_capture_on_commit_callbacks
):
    from consult.identity.tasks import postal_codes_expire
    from tests.identity.conftest import document_request

    person = make_user()
    letter = postal_request(person, places.district)
    document = document_request(make_user(), places.district)
    recent = postal_request(make_user(), places.district, name="Recent Asker")
    [scan_name] = document.method_data["files"]
    long_ago = timezone.now() - timedelta(days=91)
    Verification.objects.filter(pk__in=[letter.pk, document.pk]).update(created_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        assert postal_codes_expire.enqueue().return_value == 2
    for stale in (letter, document):
        stale.refresh_from_db()
        assert stale.status == Status.REJECTED and stale.reason_code == "stale"
        assert stale.method_data == {}
        assert "waited 90 days without a decision" in stale.reason_text()
    recent.refresh_from_db()
    assert recent.status == Status.PENDING
    assert not any(p.name == scan_name for p in settings.CONSULT_IDENTITY_PRIVATE_DIR.rglob("*"))
