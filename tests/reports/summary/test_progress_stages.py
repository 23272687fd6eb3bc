"""The summary's progress moves through each step, not only between them: the
long steps (campaigns, themes, opinion groups) report how far they have got."""

from zoneinfo import ZoneInfo

import numpy as np

from consult.analysis import campaigns, groups, themes
from consult.analysis.inputs import NO_ID, Inputs
from consult.reports.summary import computing as summary
from consult.reports.summary.stages import END, STAGES, START, stage_percent, within

WORDS = [
    "school",
    "street",
    "speed",
    "limit",
    "crossing",
    "patrol",
    "bus",
    "timetable",
    "carer",
    "delivery",
    "camera",
    "fine",
    "tree",
    "shade",
    "parking",
    "bicycle",
    "lane",
    "pavement",
    "noise",
    "safety",
    "children",
    "parents",
    "traffic",
]


def texts(n: int, seed: int = 3) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, size=12)) for _ in range(n)]


def votes(people: int = 60, comments: int = 30, seed: int = 5):
    rng = np.random.default_rng(seed)
    user, comment = np.meshgrid(np.arange(people), np.arange(comments), indexing="ij")
    camp = (user % 2) * 2 - 1
    value = np.where(comment % 2 == 0, camp, -camp) * (rng.random(user.shape) > 0.1)
    return user.ravel() + 1000, comment.ravel() + 1, value.ravel().astype(np.int8)


def test_the_stages_share_the_whole_run_in_order():
    ends = [end for _code, _label, end in STAGES]
    assert ends == sorted(ends) and ends[-1] == 100
    assert stage_percent("themes", 0.5) == (START["themes"] + END["themes"]) // 2
    seen = []
    within(lambda stage, percent: seen.append((stage, percent)), "groups")(1.0)
    assert seen == [("groups", END["groups"])]


def test_the_long_analyses_report_how_far_they_have_got():
    comments = texts(9000)
    told = []
    campaigns.find_campaigns(list(range(1, 9001)), comments, [0.0] * 9000, progress=told.append)
    assert told == sorted(told) and told[-1] == 1.0
    assert len([share for share in told if 0.05 < share < 1.0]) >= 3

    told = []
    themes.suggest_themes(list(range(1, 9001)), comments, progress=told.append)
    assert told == sorted(told)
    assert len([share for share in told if 0 < share < 0.7]) >= 3

    told = []
    groups.opinion_groups(*votes(), progress=told.append)
    assert told == sorted(told) and told[-1] == 1.0
    assert len([share for share in told if 0 < share < 1.0]) >= 2


def summary_inputs(n: int) -> Inputs:
    """n comments by 60 people, and the two camps' votes of ``votes``."""
    people, voted, values = votes()
    return Inputs(
        comment_id=np.arange(1, n + 1, dtype=np.int64),
        comment_author=np.arange(1000, 1000 + n, dtype=np.int64) % 60 + 1000,
        comment_section=np.full(n, NO_ID, dtype=np.int64),
        comment_parent=np.full(n, NO_ID, dtype=np.int64),
        comment_time=np.linspace(1.7e9, 1.7e9 + 86400, n),
        comment_text=texts(n),
        vote_comment=voted.astype(np.int64) + 100,
        vote_user=people.astype(np.int64),
        vote_value=values,
        vote_time=np.full(values.size, 1.7e9 + 90000),
    )


def test_a_run_reports_progress_inside_each_long_step():
    reported = []
    summary.compute(
        summary_inputs(4500),
        proposal={"id": 1},
        zone=ZoneInfo("UTC"),
        progress=lambda stage, percent: reported.append((stage, percent)),
    )
    percents = [percent for _stage, percent in reported]
    assert percents == sorted(percents)
    assert len({p for p in percents if 25 < p < 100}) >= 8
    for stage in ("campaigns", "themes", "groups"):
        inside = [p for s, p in reported if s == stage and START[stage] < p < END[stage]]
        assert inside, f"{stage} reported nothing between its start and its end"
