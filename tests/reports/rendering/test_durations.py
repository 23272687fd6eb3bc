"""Response times in words: minutes, hours or days as fits, never "0.0 hours"."""

import pytest
from django.template import Context, Template
from django.utils import translation

from consult.reports.templatetags.reports import duration, hours
from tests.reports.factories import sample_snapshot


@pytest.mark.parametrize(
    "seconds, words",
    [
        (0, "1 minute"),
        (45, "1 minute"),
        (60, "1 minute"),
        (89, "1 minute"),
        (45 * 60, "45 minutes"),
        (90 * 60, "2 hours"),
        (3600, "1 hour"),
        (47 * 3600, "47 hours"),
        (3 * 86400, "3 days"),
        (86400 * 400, "400 days"),
    ],
)
def test_a_length_of_time_takes_the_unit_that_fits(seconds, words):
    with translation.override("en"):
        assert duration(seconds) == words


def test_a_response_time_in_hours_reads_in_words():
    with translation.override("en"):
        assert hours(0.0125) == "1 minute"  # 45 s, which read "0.0 hours"
        assert hours(0.75) == "45 minutes"
        assert hours(1.5) == "2 hours"
        assert hours(72) == "3 days"
        assert hours(None) == "—"


def test_in_chinese_too():
    with translation.override("zh-hans"):
        assert duration(45) == "1 分钟"
        assert duration(45 * 60) == "45 分钟"
        assert duration(90 * 60) == "2 小时"
        assert duration(3 * 86400) == "3 天"


def test_the_report_says_how_long_answers_took_in_words():
    snapshot = sample_snapshot()
    snapshot["summary"]["coverage"]["response_hours"] = {
        "count": 3,
        "median": 0.0125,
        "p90": 1.5,
        "max": 72.0,
    }
    template = Template("{% include 'reports/_coverage.html' %}")
    with translation.override("en"):
        html = template.render(Context({"snapshot": snapshot}))
    assert "within 1 minute, nine in ten within 2 hours; the longest took 3 days" in html
    assert "0.0 hours" not in html
