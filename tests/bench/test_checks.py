"""The benchmarks' own checks: a signed-in client is signed in, a page that
is not what was timed stops the run, and the Polis round trip counts what
Polis's rules make of the files."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(name: str):
    """A benchmark module as the benchmarks import each other: by its own
    name, bench/ on the path (so that all share one bench/common.py)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module(name)


common = _load("common")
browse = _load("browse")
polis = _load("polis")


@pytest.mark.django_db
def test_the_cookie_signs_in_through_the_sites_own_session_store(client, make_user):
    """The page that sends a visitor to sign in shows itself to the cookie's holder."""
    user = make_user("reader@example.org")
    assert client.get("/notifications/").status_code == 302
    cookie, csrf = common.signed_in_cookie(user)
    for pair in cookie.split("; "):
        name, value = pair.split("=", 1)
        client.cookies[name] = value
    response = client.get("/notifications/")
    assert response.status_code == 200
    assert response.wsgi_request.user == user
    assert len(csrf) == 32


def test_a_failed_check_exits_1_and_says_so(capsys):
    def main(argv):
        common.check(False, "3 acknowledged, 0 stored")

    assert common.run_checked(main) == 1
    assert "BENCHMARK CHECK FAILED: 3 acknowledged, 0 stored" in capsys.readouterr().err


def _list_page(total: int, numbers: list[int]) -> str:
    cards = "".join(
        f'<li class="card"><h2><a href="/consultations/consultation-{n}/">C</a></h2></li>'
        for n in numbers
    )
    return f'<p class="result-count" role="status">{total:,} consultations</p>{cards}'


def test_a_list_page_showing_what_the_filter_selects_passes():
    expected = browse.Expected(matches=set(range(0, 100, 2)))
    html = _list_page(50, list(range(0, 40, 2))) + "Page 1 of 3"
    assert browse.shown_as_expected("/l", html, expected) == "50 found, 20 shown, all matching"


def test_a_list_page_with_a_proposal_the_filter_leaves_out_stops_the_run():
    expected = browse.Expected(matches=set(range(0, 100, 2)))
    html = _list_page(50, [1, *range(2, 40, 2)]) + "Page 1 of 3"
    with pytest.raises(common.CheckFailed, match="leaves out: \\[1\\]"):
        browse.shown_as_expected("/l", html, expected)


def test_a_sign_in_page_in_place_of_the_list_stops_the_run():
    with pytest.raises(common.CheckFailed, match="no count of consultations"):
        browse.shown_as_expected("/l", "<h1>Sign in</h1>", browse.Expected(matches={1}))


def test_a_heatmap_other_than_the_stances_written_stops_the_run():
    html = '<tr data-stance-row="7"><td>3 <span class="share">x</span></td></tr>'
    assert "tallies as written" in browse.shown_as_expected(
        "/p", html, browse.Expected(tallies={7: [3]})
    )
    with pytest.raises(common.CheckFailed, match="the heatmap shows"):
        browse.shown_as_expected("/p", html, browse.Expected(tallies={7: [4]}))


def test_the_polis_round_trip_expects_the_latest_vote_and_no_vote_on_ones_own():
    authors = np.array([5, 6])  # comment 0 by participant 5, comment 1 by 6
    tids = np.array([0, 0, 0, 1, 1])
    pids = np.array([1, 1, 5, 2, 2])
    values = np.array([1, -1, 1, 0, 1])
    times = np.array([10, 20, 10, 30, 30])  # a tie: the later line counts
    wanted = polis.expected(authors, times, tids, pids, values)
    assert (wanted["own_comment"], wanted["superseded"], wanted["stored"]) == (1, 2, 2)
    assert wanted["values"] == {-1: 1, 1: 1}
    assert wanted["participants"] == 4
