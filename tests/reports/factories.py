"""Hand-made report snapshots for the tests: small enough to check by hand,
complete per the published report schema (schema 1)."""

from __future__ import annotations

import copy

# 2025-03-01T00:00:00Z and 2025-03-04T00:00:00Z as POSIX seconds.
MARCH_1 = 1740787200.0
MARCH_4 = 1741046400.0

CHINESE_THEME = "公交车站"
CHINESE_SECTION = "学校周边的交通安全"
HOSTILE = '<script>alert("x")</script> & "cameras"'


def _comments() -> dict:
    """Every comment that the summary refers to, with an excerpt."""
    texts = {
        101: "Please run the number 12 bus past the school gates.",
        102: "Run the number 12 bus past the school gates, please!",
        103: "The 12 bus should pass the school gates.",
        104: "Please run the number 12 bus past the school gates.",
        105: "Run the 12 bus by the school gates please.",
        106: "Please run the number 12 bus past the school gates.",
        120: "学校门口需要一个公交车站。",
        121: "公交车站离学校太远了。",
        130: "A 20 km/h limit will not be respected without cameras.",
        131: "Crossing patrols in the morning would help more.",
        140: "Children should be able to walk to school safely.",
        150: "More bike racks at the school.",
        151: "More bike racks at the school!",
    }
    return {
        str(comment): {
            "excerpt": text,
            "section": 11 if comment in (130, 131) else None,
            "created": "2025-03-02T10:00:00+00:00",
            "agree": 30 if comment == 140 else 5,
            "disagree": 1,
            "pass": 0,
        }
        for comment, text in texts.items()
    }


def _summary() -> dict:
    return {
        "schema": 1,
        "proposal": {
            "id": 7,
            "slug": "safer-streets",
            "title": "Safer streets near schools",
            "department": "Ministry of Transport",
            "status": "report_published",
            "opens_at": "2025-03-01T00:00:00+00:00",
            "closes_at": "2025-03-31T00:00:00+00:00",
        },
        "inputs": {
            "comments": 36,
            "comment_votes": 310,
            "stances": 200,
            "responses": 6,
            "fingerprint": "ab" * 32,
        },
        "participation": {
            "participants": 40,
            "comments": 30,
            "comments_unique": 24,
            "replies": 6,
            "replies_unique": 6,
            "comment_votes": 310,
            "stances": 200,
            # No activity on 2025-03-03: the chart keeps the day, with no bar.
            "daily": [
                _day("2025-03-01", comments=10, replies=1, votes=90, stances=60, people=12),
                _day("2025-03-02", comments=8, replies=2, votes=70, stances=50, people=9),
                _day("2025-03-04", comments=9, replies=3, votes=110, stances=70, people=15),
                _day("2025-03-05", comments=3, replies=0, votes=40, stances=20, people=4),
            ],
            "jurisdictions": [
                {"id": 3, "name": "City", "participants": 25},
                {"id": None, "name": "Unknown", "participants": 15},
            ],
        },
        "stances": {
            "proposal": _stance(120, 50, 30),
            "sections": [
                {
                    "id": 11,
                    "order": 1,
                    "heading": "Speed limits",
                    **_stance(80, 15, 5),
                    "comments": 14,
                    "comments_unique": 10,
                },
                {
                    "id": 12,
                    "order": 2,
                    "heading": CHINESE_SECTION,
                    **_stance(30, 30, 20),
                    "comments": 10,
                    "comments_unique": 8,
                },
                {
                    "id": 13,
                    "order": 3,
                    "heading": "Enforcement cameras",
                    **_stance(0, 0, 0),
                    "comments": 0,
                    "comments_unique": 0,
                },
            ],
        },
        "themes": {
            "tagged": [
                {
                    "name": "Bus routes",
                    "slug": "bus-routes",
                    "comments": 12,
                    "comments_unique": 7,
                    "comment_ids": [101, 102, 103, 104, 105, 106],
                    "representative": [101, 103],
                },
                {
                    "name": "School safety",
                    "slug": "school-safety",
                    "comments": 9,
                    "comments_unique": 9,
                    "comment_ids": [130, 131, 140],
                    "representative": [140],
                },
                {
                    "name": CHINESE_THEME,
                    "slug": CHINESE_THEME,
                    "comments": 5,
                    "comments_unique": 5,
                    "comment_ids": [120, 121],
                    "representative": [120],
                },
            ],
            "suggested": [
                {
                    "label": "bus, gates, school",
                    "terms": ["bus", "gates", "school", "number"],
                    "comments": 8,
                    "comment_ids": [101, 102, 103],
                    "representative": [101],
                },
                {
                    "label": "公交车站, 学校",
                    "terms": ["公交车站", "学校", "门口"],
                    "comments": 4,
                    "comment_ids": [120, 121],
                    "representative": [120],
                },
            ],
        },
        "groups": _groups_ok(),
        "campaigns": {
            "groups": [
                {
                    "id": 0,
                    "size": 6,
                    "first": MARCH_1,
                    "last": MARCH_4,
                    "representative": 101,
                    "comment_ids": [101, 102, 103, 104, 105, 106],
                    "variations": 4,
                    "examples": [101, 102, 103, 105],
                },
                {
                    "id": 1,
                    "size": 2,
                    "first": MARCH_1 + 3600,
                    "last": MARCH_1 + 7200,
                    "representative": 150,
                    "comment_ids": [150, 151],
                    "variations": 1,
                    "examples": [150],
                },
            ],
            # 30 comments, 8 of them in 2 campaigns: 30 - 8 + 2 = 24 unique.
            "comments_in_groups": 8,
            "unique_comments": 24,
            "membership": {**dict.fromkeys(range(101, 107), 0), 150: 1, 151: 1},
            "threshold": 0.7,
            "num_perm": 128,
        },
        "coverage": {
            "themes": [
                {"name": "Bus routes", "answered": True, "responses": 2},
                {"name": "School safety", "answered": False, "responses": 0},
                {"name": CHINESE_THEME, "answered": True, "responses": 1},
            ],
            "sections": [
                {"id": 11, "heading": "Speed limits", "answered": True, "responses": 1},
                {"id": 12, "heading": CHINESE_SECTION, "answered": False, "responses": 0},
                {"id": 13, "heading": "Enforcement cameras", "answered": False, "responses": 0},
            ],
            "top_comments": [
                {"comment": 140, "agree": 30, "answered": True},
                {"comment": 101, "agree": 5, "answered": False},
            ],
            "comments_answered": 5,
            "comments_public": 30,
            "response_hours": {"count": 5, "median": 26.5, "p90": 70.0, "max": 80.25},
        },
        "comments": _comments(),
    }


def _day(date, *, comments, replies, votes, stances, people) -> dict:
    return {
        "date": date,
        "comments": comments,
        "replies": replies,
        "comment_votes": votes,
        "stances": stances,
        "participants": people,
    }


def _stance(support: int, oppose: int, neutral: int) -> dict:
    total = support + oppose + neutral

    def share(count: int) -> float:
        return round(count / total, 4) if total else 0.0

    return {
        "support": support,
        "oppose": oppose,
        "neutral": neutral,
        "total": total,
        "shares": {"support": share(support), "oppose": share(oppose), "neutral": share(neutral)},
    }


def _groups_ok() -> dict:
    return {
        "status": "ok",
        "reason": None,
        "participants": 40,
        "participants_considered": 36,
        "comments_considered": 25,
        "votes_considered": 300,
        "k": 2,
        "silhouette": 0.61,
        "explained_variance": [0.42, 0.11],
        "groups": [
            {
                "id": 0,
                "size": 20,
                "centre": [-1.2, 0.1],
                "distinctive": [
                    {
                        "comment": 101,
                        "direction": "agree",
                        "agree": 18,
                        "disagree": 1,
                        "pass": 1,
                        "seen": 20,
                        "share": 0.8636,
                        "others_share": 0.1111,
                        "score": 3.1,
                    },
                ],
            },
            {
                "id": 1,
                "size": 16,
                "centre": [1.4, -0.2],
                "distinctive": [
                    {
                        "comment": 130,
                        "direction": "disagree",
                        "agree": 2,
                        "disagree": 13,
                        "pass": 1,
                        "seen": 16,
                        "share": 0.7778,
                        "others_share": 0.0909,
                        "score": 2.7,
                    },
                ],
            },
        ],
        "consensus": [
            {"comment": 140, "direction": "agree", "shares": [0.9091, 0.8889], "score": 0.8081},
        ],
        "divisive": [
            {"comment": 101, "shares": [0.8636, 0.1111], "spread": 0.7525},
        ],
        "points": [
            [-1.5, 0.3, 0],
            [-1.1, -0.2, 0],
            [-0.9, 0.4, 0],
            [-1.3, 0.0, 0],
            [1.2, -0.4, 1],
            [1.6, 0.1, 1],
            [1.3, -0.3, 1],
        ],
    }


def _entries() -> list[dict]:
    return [
        {
            "kind": "theme",
            "key": "theme:bus-routes",
            "title": "Bus routes",
            "you_said": "Run the number 12 bus past the school.",
            "you_said_html": "<p>Run the number 12 bus past the school.</p>",
            "we_did": "The route now stops at the school gates.",
            "we_did_html": "<p>The route now stops at the school gates.</p>",
            "status": "accepted",
            "figures": {
                "comments": 12,
                "comments_unique": 7,
                "support": None,
                "oppose": None,
                "neutral": None,
            },
            "comment_ids": [101, 102, 103],
            "version": {"number": 2, "change_note": "A bus stop at the school gates"},
            "diff": [
                {
                    "kind": "changed",
                    "heading_html": "Buses",
                    "body_html": "Buses <del>may</del><ins>must</ins> stop at the gates.",
                }
            ],
        },
        {
            "kind": "theme",
            "key": f"theme:{CHINESE_THEME}",
            "title": CHINESE_THEME,
            "you_said": "学校门口需要公交车站。",
            "you_said_html": "<p>学校门口需要公交车站。</p>",
            "we_did": "我们会研究。",
            "we_did_html": "<p>我们会研究。</p>",
            "status": "noted",
            "figures": {
                "comments": 5,
                "comments_unique": 5,
                "support": None,
                "oppose": None,
                "neutral": None,
            },
            "comment_ids": [120, 121],
            "version": None,
            "diff": [],
        },
        {
            "kind": "section",
            "key": "section:11",
            "title": "Speed limits",
            "you_said": "Most support 20 km/h, some want cameras.",
            "you_said_html": "<p>Most support 20 km/h, some want cameras.</p>",
            "we_did": "20 km/h from September; cameras later.",
            "we_did_html": "<p>20 km/h from September; cameras later.</p>",
            "status": "partly_accepted",
            "figures": {
                "comments": 14,
                "comments_unique": 10,
                "support": 80,
                "oppose": 15,
                "neutral": 5,
            },
            "comment_ids": [130, 131],
            "version": {"number": 2, "change_note": "Start date set"},
            "diff": [
                {
                    "kind": "added",
                    "heading_html": "Start date",
                    "body_html": "<ins>The limit starts in September.</ins>",
                }
            ],
        },
        {
            "kind": "section",
            "key": "section:12",
            "title": CHINESE_SECTION,
            "you_said": "意见不一。",
            "you_said_html": "<p>意见不一。</p>",
            "we_did": '=HYPERLINK("http://example.invalid")',
            "we_did_html": "<p>=HYPERLINK(&quot;http://example.invalid&quot;)</p>",
            "status": "not_accepted",
            "figures": {
                "comments": 10,
                "comments_unique": 8,
                "support": 30,
                "oppose": 30,
                "neutral": 20,
            },
            "comment_ids": [],
            "version": None,
            "diff": [],
        },
    ]


def sample_snapshot(*, too_few_votes: bool = False) -> dict:
    """A published report of a small consultation. With `too_few_votes`, the
    opinion groups could not be found and say why instead."""
    summary = _summary()
    if too_few_votes:
        summary["groups"] = {
            "status": "too_few_votes",
            "reason": "participants",
            "participants": 5,
            "participants_considered": 3,
            "comments_considered": 4,
            "votes_considered": 11,
            "k": None,
            "silhouette": None,
            "explained_variance": [],
            "groups": [],
            "consensus": [],
            "divisive": [],
            "points": [],
        }
    return {
        "schema": 1,
        "proposal": {
            "id": 7,
            "slug": "safer-streets",
            "title": "Safer streets near schools",
            "department": "Ministry of Transport",
            "jurisdiction": "City",
        },
        "published_at": "2025-04-02T09:30:00+00:00",
        "summary_generated_at": "2025-04-01T18:00:00+00:00",
        "intro": "Thank you to the **40 people** who took part.",
        "intro_html": "<p>Thank you to the <strong>40 people</strong> who took part.</p>",
        "entries": _entries(),
        "summary": summary,
    }


def empty_snapshot() -> dict:
    """A report of a consultation that nobody took part in: every list empty."""
    snapshot = copy.deepcopy(sample_snapshot(too_few_votes=True))
    summary = snapshot["summary"]
    participation = summary["participation"]
    for key in (
        "participants",
        "comments",
        "comments_unique",
        "replies",
        "replies_unique",
        "comment_votes",
        "stances",
    ):
        participation[key] = 0
    participation["daily"] = []
    participation["jurisdictions"] = []
    summary["stances"] = {"proposal": _stance(0, 0, 0), "sections": []}
    summary["themes"] = {"tagged": [], "suggested": []}
    summary["campaigns"] = {
        "groups": [],
        "comments_in_groups": 0,
        "unique_comments": 0,
        "membership": {},
        "threshold": 0.7,
        "num_perm": 128,
    }
    summary["coverage"] = {
        "themes": [],
        "sections": [],
        "top_comments": [],
        "comments_answered": 0,
        "comments_public": 0,
        "response_hours": {"count": 0, "median": None, "p90": None, "max": None},
    }
    summary["comments"] = {}
    snapshot["entries"] = []
    snapshot["intro"] = snapshot["intro_html"] = ""
    return snapshot


def with_group_facts(snapshot: dict, *, as_clear: int = 0, informed: bool = True) -> dict:
    """The snapshot's groups as summaries give them since they are tested
    against reshuffled votes and carry Polis's group-informed consensus."""
    groups = snapshot["summary"]["groups"]
    groups["silhouette"] = 0.428
    groups["min_group_size"] = 5
    groups["significance"] = {
        "shuffles": 99,
        "as_clear": as_clear,
        "p_value": round((1 + as_clear) / 100, 4),
        "level": 0.01,
        "chance_mean": 0.325,
        "chance_sd": 0.004,
        "chance_highest": 0.336,
    }
    groups["group_consensus"] = (
        [
            {"comment": 140, "direction": "agree", "probability": 0.8081, "shares": [0.9, 0.89]},
            {"comment": 131, "direction": "disagree", "probability": 0.42, "shares": [0.7, 0.6]},
        ]
        if informed
        else []
    )
    return snapshot


def without_groups(snapshot: dict, *, reason: str) -> dict:
    """No groups shown: "not_above_chance" (37 of 99 reshufflings as clear) or
    "small_groups" (every split leaves a group under 5 people)."""
    groups = snapshot["summary"]["groups"]
    groups.update(
        status="no_clear_groups",
        reason=reason,
        k=None,
        silhouette=0.331,
        min_group_size=5,
        groups=[],
        consensus=[],
        group_consensus=[],
        divisive=[],
        points=[],
        significance=None,
    )
    if reason == "not_above_chance":
        groups["significance"] = {
            "shuffles": 99,
            "as_clear": 37,
            "p_value": 0.38,
            "level": 0.01,
            "chance_mean": 0.329,
            "chance_sd": 0.004,
            "chance_highest": 0.341,
        }
    return snapshot
