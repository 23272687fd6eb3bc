"""One identity, two accounts, two approvals at the same moment: one wins.

Each thread has its own database connection and both wait at a barrier, so
the two claims reach the database together (SQLite in WAL mode here,
PostgreSQL in CI). The unique constraint settles it: exactly one account is
verified, the other is told why, and nothing is left half-written.
"""

import threading
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from consult.identity import services
from consult.identity.models import IdentityClaim, Status, Verification
from tests.identity.conftest import document_request, postal_request

ATTEMPTS = 4


def _race(calls) -> tuple[list[str], list[BaseException]]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run(call) -> None:
        try:
            barrier.wait()
            call()
            outcomes.append("verified")
        except ValidationError as refused:
            outcomes.append(" ".join(refused.messages))
        except BaseException as error:  # reported below, not swallowed
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes, errors


def _assert_one_winner(outcomes, errors, users) -> None:
    assert errors == []
    assert sorted(outcomes)[-1] == "verified" and outcomes.count("verified") == 1
    refusal = next(outcome for outcome in outcomes if outcome != "verified")
    assert refusal.startswith("This identity already verifies another account.")
    claims = list(IdentityClaim.objects.values_list("user_id", flat=True))
    assert len(claims) == 1 and claims[0] in {user.pk for user in users}
    winner = Verification.objects.get(status=Status.VERIFIED)
    loser = Verification.objects.exclude(pk=winner.pk).get()
    assert winner.user_id == claims[0] and winner.claim_id is not None
    assert loser.status == Status.REJECTED and loser.reason_code == "taken"
    assert loser.claim_id is None and loser.method_data == {}


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_one_identity_for_two_accounts_verify_exactly_one(
    places, make_user, reviewers
):
    for _attempt in range(ATTEMPTS):
        first, second = make_user(), make_user()
        one = document_request(first, places.district, number="AB 123 456")
        two = document_request(second, places.district, number="ab-123-456")
        outcomes, errors = _race(
            [
                partial(
                    services.verification_approve, actor=reviewers.staff, verification_id=one.pk
                ),
                partial(
                    services.verification_approve,
                    actor=reviewers.city_official,
                    verification_id=two.pk,
                ),
            ]
        )
        _assert_one_winner(outcomes, errors, [first, second])
        Verification.objects.all().delete()
        IdentityClaim.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_two_people_typing_their_codes_for_one_identity_at_once_verify_exactly_one(
    places, make_user, reviewers
):
    for _attempt in range(ATTEMPTS):
        first, second = make_user(), make_user()
        one = postal_request(first, places.district, name="Jane Doe")
        two = postal_request(second, places.district, name="jane  doe")
        _v, code_one = services.letter_print(actor=reviewers.staff, verification_id=one.pk)
        _v, code_two = services.letter_print(actor=reviewers.staff, verification_id=two.pk)
        outcomes, errors = _race(
            [
                partial(services.code_confirm, actor=first, verification_id=one.pk, code=code_one),
                partial(services.code_confirm, actor=second, verification_id=two.pk, code=code_two),
            ]
        )
        _assert_one_winner(outcomes, errors, [first, second])
        Verification.objects.all().delete()
        IdentityClaim.objects.all().delete()
