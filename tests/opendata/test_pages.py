"""The open-data pages and the links to them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.opendata.conftest import (
    DRAFT_TITLE,
)

pytestmark = pytest.mark.usefixtures("open_data_settings")


def test_the_open_data_page_lists_every_public_consultation_and_the_rules(
    client, get, scene, django_assert_max_num_queries
):
    get(reverse("opendata:site"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("opendata:index"))
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("opendata:site") in page
    assert reverse("opendata:consultation", args=[scene.proposal.slug]) in page
    assert DRAFT_TITLE not in page
    assert "/api/v1/docs/" in page and "pseudonyms" in page and "CC-BY-4.0" in page
    assert "Prepared on the first download" in page and "Ready" in page


def test_the_consultation_page_and_the_footer_link_to_the_data(client, scene):
    page = client.get(scene.proposal.get_absolute_url()).content.decode()
    assert reverse("opendata:consultation", args=[scene.proposal.slug]) in page
    assert "Download the data" in page
    assert reverse("opendata:index") in page
