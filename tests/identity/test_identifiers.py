"""One identity, however it is written, gives one digest; the key decides the digest."""

import pytest

from consult.identity.identifiers import compact, identity_digest
from consult.identity.methods import method_get


def document(number: str, kind: str = "passport") -> str:
    return identity_digest(
        method_get("document").identifier({"document_type": kind, "number": number})
    )


def postal(name: str, address: str) -> str:
    return identity_digest(method_get("post").identifier({"full_name": name, "address": address}))


@pytest.mark.parametrize(
    "written",
    [
        "AB123456",
        "ab123456",
        "AB 123 456",
        "AB-123-456",
        "A.B.123/456",
        "ＡＢ１２３４５６",  # full-width letters and digits
        "  ab–123—456 ",  # en and em dashes
        "AB\u00a0123\u2009456",  # no-break and thin spaces
    ],
)
def test_a_document_number_written_differently_gives_the_same_digest(written):
    assert document(written) == document("AB123456")


def test_different_numbers_and_different_documents_give_different_digests():
    assert document("AB123456") != document("AB123457")
    assert document("AB123456") != document("BA123456")
    assert document("AB123456", "passport") != document("AB123456", "identity_card")


def test_a_name_and_address_written_differently_give_the_same_digest():
    base = postal("Jane Doe", "1 High Street\nRiverside 1234")
    assert postal("JANE  DOE", "1, High Street, Riverside 1234") == base
    assert postal("jane doe", "1 high street riverside 1234") == base
    assert postal("Jane Doe", "1 High Street\r\n\r\nRiverside-1234") == base


def test_different_people_or_addresses_give_different_digests():
    base = postal("Jane Doe", "1 High Street")
    assert postal("John Doe", "1 High Street") != base
    assert postal("Jane Doe", "2 High Street") != base
    # The parts are kept apart: moving text from the name to the address is another identity.
    assert postal("Jane", "Doe 1 High Street") != base


def test_chinese_and_accented_text_is_kept_and_folded():
    assert compact("张 伟") == "张伟"
    assert compact("ÉMILE") == compact("émile") == "émile"
    assert compact("E\u0301mile") == "émile"  # decomposed accent, composed by NFKC


def test_the_digest_is_a_keyed_hmac_changing_the_key_changes_every_digest(settings):
    settings.CONSULT_IDENTITY_KEY = "first key"
    first = document("AB123456")
    assert len(first) == 64 and int(first, 16) >= 0
    assert document("AB123456") == first  # deterministic
    settings.CONSULT_IDENTITY_KEY = "second key"
    assert document("AB123456") != first


def test_without_a_configured_key_it_is_derived_from_the_secret_key(settings):
    settings.CONSULT_IDENTITY_KEY = ""
    settings.SECRET_KEY = "one secret " * 5
    first = document("AB123456")
    settings.SECRET_KEY = "another secret " * 5
    assert document("AB123456") != first
    del settings.CONSULT_IDENTITY_KEY  # an older settings file without the name
    assert document("AB123456") != first


def test_a_number_too_short_or_made_of_punctuation_identifies_no_one():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="document number"):
        document("- . -")
    with pytest.raises(ValidationError, match="document number"):
        document("A1")
    with pytest.raises(ValidationError, match="full name"):
        postal("  --  ", "1 High Street")
