"""(e) The opinion groups: a map of the people, what sets each group apart,
what they agree on and what divides them."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consult.reports.rendering import svg
from consult.reports.rendering.svg import (
    GRID,
    GROUP_COLOURS,
    INK,
    MUTED,
    excerpt,
    group_label,
    number,
    percent,
)


def _marker(shape: int, x: float, y: float, size: float, fill: str, stroke: str) -> str:
    """One person's mark: circle, square, triangle, diamond or cross, by group."""
    paint = f'fill="{fill}" fill-opacity="0.8" stroke="{stroke}" stroke-width="0.75"'
    s = size
    if shape == 0:
        return f'<circle cx="{svg.num(x)}" cy="{svg.num(y)}" r="{svg.num(s)}" {paint}/>'
    if shape == 1:
        return (
            f'<rect x="{svg.num(x - s)}" y="{svg.num(y - s)}" width="{svg.num(2 * s)}"'
            f' height="{svg.num(2 * s)}" {paint}/>'
        )
    if shape == 2:
        points = (
            f"{svg.num(x)},{svg.num(y - 1.2 * s)} {svg.num(x + 1.1 * s)},{svg.num(y + s)} "
            f"{svg.num(x - 1.1 * s)},{svg.num(y + s)}"
        )
        return f'<polygon points="{points}" {paint}/>'
    if shape == 3:
        points = (
            f"{svg.num(x)},{svg.num(y - 1.3 * s)} {svg.num(x + 1.3 * s)},{svg.num(y)} "
            f"{svg.num(x)},{svg.num(y + 1.3 * s)} {svg.num(x - 1.3 * s)},{svg.num(y)}"
        )
        return f'<polygon points="{points}" {paint}/>'
    return (
        f'<path d="M{svg.num(x - s)},{svg.num(y - s)} L{svg.num(x + s)},{svg.num(y + s)} '
        f'M{svg.num(x - s)},{svg.num(y + s)} L{svg.num(x + s)},{svg.num(y - s)}" stroke="{fill}"'
        f' stroke-width="2.2" fill="none"/>'
    )


def groups_ok(snapshot: dict) -> bool:
    groups = svg.summary_of(snapshot).get("groups") or {}
    return groups.get("status") == "ok" and bool(groups.get("groups"))


def groups_message(snapshot: dict) -> str:
    """Why there are no opinion groups, in words, instead of a chart of noise."""
    groups = svg.summary_of(snapshot).get("groups") or {}
    status = groups.get("status")
    counts = {
        "voters": number(groups.get("participants") or 0),
        "people": number(groups.get("participants_considered") or 0),
    }
    if status == "ok" and groups.get("groups"):
        return ""
    if status == "no_clear_groups":
        return _no_clear_groups_message(groups, counts)
    return (
        _(
            "There are too few votes to find opinion groups reliably: %(voters)s people voted on "
            "comments, %(people)s of them on enough comments to be counted. Groups are shown only "
            "when there are enough votes to tell them apart from chance."
        )
        % counts
    )


def _no_clear_groups_message(groups: dict, counts: dict) -> str:
    reason = groups.get("reason")
    chance = groups.get("significance")
    if reason == "not_above_chance" and isinstance(chance, dict):
        return " ".join((_as_clear_by_chance(groups, chance), score_explained(groups, chance)))
    minimum = groups.get("min_group_size")
    if reason == "small_groups" and isinstance(minimum, int):
        return ngettext(
            "The only ways found to split the %(people)s people who voted on enough comments "
            "leave a group of fewer than %(count)s person, too few to describe, so no groups "
            "are shown.",
            "The only ways found to split the %(people)s people who voted on enough comments "
            "leave a group of fewer than %(count)s people, too few to describe, so no groups "
            "are shown.",
            minimum,
        ) % {**counts, "count": number(minimum)}
    return (
        _(
            "The votes do not fall into clear groups: the views of the %(people)s people who "
            "voted on enough comments are spread out rather than gathered in camps, so no "
            "groups are shown."
        )
        % counts
    )


def _score(value: float | None) -> str:
    """A silhouette as the site writes decimals: two places (0.43)."""
    return number_format(round(float(value or 0), 2), decimal_pos=2)


def _reshuffled(chance: dict) -> str:
    shuffles = int(chance.get("shuffles") or 0)
    return ngettext(
        "The same votes were reshuffled %(count)s time: each person kept the number of votes "
        "they cast and each comment its tally of agree and disagree, but who agrees with whom "
        "was left to chance.",
        "The same votes were reshuffled %(count)s times: each person kept the number of votes "
        "they cast and each comment its tally of agree and disagree, but who agrees with whom "
        "was left to chance.",
        shuffles,
    ) % {"count": number(shuffles)}


def _as_clear_by_chance(groups: dict, chance: dict) -> str:
    as_clear = int(chance.get("as_clear") or 0)
    values = {"count": number(as_clear), "shuffles": number(int(chance.get("shuffles") or 0))}
    # "n of those m": the same words for one and for many.
    found = (
        _(
            "%(count)s of those %(shuffles)s reshufflings gave groups at least as clear as "
            "these, so groups like these could well come from chance alone, and none are shown."
        )
        % values
    )
    return " ".join(
        (
            _("The votes seem to fall into groups, but no more clearly than chance would give."),
            _reshuffled(chance),
            found,
        )
    )


def score_explained(groups: dict, chance: dict) -> str:
    """What the silhouette means, with this summary's own scores."""
    if chance.get("chance_mean") is None:
        # No reshuffling could be split into as many groups above the floor.
        return _(
            "(Clearness is scored from -1 to 1 by how much closer each person is to their own "
            "group than to the next one: these groups score %(observed)s; no reshuffling could "
            "be split into as many groups of the smallest size shown.)"
        ) % {"observed": _score(groups.get("silhouette"))}
    return _(
        "(Clearness is scored from -1 to 1 by how much closer each person is to their own group "
        "than to the next one: these groups score %(observed)s, the reshufflings %(mean)s on "
        "average and %(highest)s at most.)"
    ) % {
        "observed": _score(groups.get("silhouette")),
        "mean": _score(chance.get("chance_mean")),
        "highest": _score(chance.get("chance_highest")),
    }


def groups_certainty(snapshot: dict) -> str:
    """How far beyond chance the groups shown are, in words; "" when the summary
    does not say (before the test was made, or when no groups are shown)."""
    data = svg.summary_of(snapshot).get("groups") or {}
    chance = data.get("significance")
    if not groups_ok(snapshot) or not isinstance(chance, dict):
        return ""
    as_clear = int(chance.get("as_clear") or 0)
    shuffles = int(chance.get("shuffles") or 0)
    p_value = float(chance.get("p_value") or 0) or 1 / (1 + shuffles)
    odds = {"odds": number(max(round(1 / p_value), 1))}
    if as_clear == 0:
        found = (
            _(
                "None of them gave groups as clear as these: groups this clear would arise by "
                "chance less than once in %(odds)s."
            )
            % odds
        )
    else:
        found = _(
            "%(count)s of them gave groups at least as clear as these: groups this clear would "
            "arise by chance about once in %(odds)s."
        ) % {**odds, "count": number(as_clear)}
    return " ".join((_reshuffled(chance), found, score_explained(data, chance)))


def groups_chart(snapshot: dict, *, prefix: str = "chart-groups") -> SafeString:
    if not groups_ok(snapshot):
        return SafeString("")
    data = svg.summary_of(snapshot)["groups"]
    groups = data["groups"]
    points = data.get("points") or []
    xs = [p[0] for p in points] + [g["centre"][0] for g in groups]
    ys = [p[1] for p in points] + [g["centre"][1] for g in groups]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-6) * 1.1
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    left, top, side = 20, 10, 380

    def place(x: float, y: float) -> tuple[float, float]:
        # One scale for both axes, so that distances mean the same either way.
        return (
            left + side / 2 + (x - mid_x) / span * side,
            top + side / 2 - (y - mid_y) / span * side,
        )

    body = [svg.rect(left, top, side, side, "#ffffff", stroke=GRID)]
    for x, y, group in points:
        px, py = place(x, y)
        colour = GROUP_COLOURS[int(group) % len(GROUP_COLOURS)]
        body.append(_marker(int(group) % 5, px, py, 3.2, colour, INK))
    for group in groups:
        px, py = place(*group["centre"])
        letter = group_label(group["id"]).split()[-1]
        body.append(
            f'<circle cx="{svg.num(px)}" cy="{svg.num(py)}" r="11" fill="#ffffff"'
            f' stroke="{INK}" stroke-width="1.5"/>'
        )
        body.append(svg.text(px, py + 4.5, letter, size=13, anchor="middle", weight="700"))
    body.extend(_groups_legend(data, left + side + 24))
    variance = data.get("explained_variance") or []
    if variance:
        note = _("Position: the two main patterns in the votes (%(share)s of the variation)") % {
            "share": percent(sum(variance[:2]))
        }
        body.append(svg.text(left, top + side + 22, note, size=11, fill=MUTED))
    return svg.document(prefix, _("Opinion groups"), _groups_desc(data), 640, top + side + 32, body)


def _groups_legend(data: dict, x: float) -> list[str]:
    considered = data.get("participants_considered") or sum(g["size"] for g in data["groups"])
    body = [svg.text(x, 24, _("Each mark is one person"), size=12, fill=MUTED)]
    for index, group in enumerate(data["groups"]):
        y = 52 + index * 44
        colour = GROUP_COLOURS[group["id"] % len(GROUP_COLOURS)]
        body.append(_marker(group["id"] % 5, x + 6, y - 4, 5, colour, INK))
        body.append(svg.text(x + 18, y, group_label(group["id"]), weight="700"))
        people = ngettext("%(count)s person", "%(count)s people", group["size"]) % {
            "count": number(group["size"])
        }
        share = percent(group["size"] / considered) if considered else ""
        body.append(svg.text(x + 18, y + 17, f"{people} ({share})", size=12))
    return body


def _groups_desc(data: dict) -> str:
    parts = [
        _("%(group)s, %(count)s people")
        % {"group": group_label(g["id"]), "count": number(g["size"])}
        for g in data["groups"]
    ]
    return _(
        "%(k)s opinion groups among %(people)s people who voted on %(comments)s comments: "
        "%(groups)s. Each mark is one person (a sample of at most 2,000), placed by how they "
        "voted: people who voted alike are close together."
    ) % {
        "k": len(data["groups"]),
        "people": number(data.get("participants_considered") or 0),
        "comments": number(data.get("comments_considered") or 0),
        "groups": "; ".join(parts),
    }


def groups_table(snapshot: dict) -> dict:
    if not groups_ok(snapshot):
        return svg.table(_("Opinion groups"), [], [])
    data = svg.summary_of(snapshot)["groups"]
    considered = data.get("participants_considered") or 0
    rows = [
        [
            group_label(g["id"]),
            g["size"],
            percent(g["size"] / considered) if considered else "",
            len(g.get("distinctive") or []),
        ]
        for g in data["groups"]
    ]
    keys = [f"group:{g['id']}" for g in data["groups"]]
    columns = [_("Group"), _("People"), _("Share"), _("Comments that set it apart")]
    return svg.table(_("Opinion groups"), columns, rows, keys)


def _shares_text(shares: list[float]) -> str:
    return ", ".join(f"{group_label(index)} {percent(share)}" for index, share in enumerate(shares))


def direction_label(direction: str) -> str:
    return _("Agree") if direction == "agree" else _("Disagree")


def consensus_table(snapshot: dict) -> dict:
    data = svg.summary_of(snapshot).get("groups") or {}
    items = (data.get("consensus") or []) if groups_ok(snapshot) else []
    rows = [
        [
            excerpt(snapshot, item["comment"]),
            direction_label(item.get("direction", "agree")),
            _shares_text(item.get("shares") or []),
        ]
        for item in items
    ]
    keys = [f"comment:{item['comment']}" for item in items]
    return svg.table(
        _("Comments on which every group agrees"),
        [_("Comment"), _("Every group tends to"), _("Share in each group")],
        rows,
        keys,
    )


GROUP_CONSENSUS_SHOWN = 5


def group_consensus_explained() -> str:
    return _(
        "Ranked as Polis ranks them: by the chance that a member of each group agrees (or, "
        "where marked, disagrees), multiplied across the groups. A comment ranks high only "
        "when it does well in every group."
    )


def _informed_sentence(item: dict) -> str:
    values = {
        "shares": _shares_text(item.get("shares") or []),
        "together": percent(item.get("probability")),
    }
    if item.get("direction") == "disagree":
        return _("Disagree, in each group: %(shares)s (all groups together: %(together)s)") % values
    return _("Agree, in each group: %(shares)s (all groups together: %(together)s)") % values


def group_consensus_items(snapshot: dict, limit: int | None = None) -> list[dict] | None:
    """Polis's group-informed consensus, best first, in words; None for a
    summary made before it was computed (there is nothing to say either way)."""
    data = svg.summary_of(snapshot).get("groups") or {}
    if "group_consensus" not in data:
        return None
    items = (data.get("group_consensus") or []) if groups_ok(snapshot) else []
    return [
        {
            "comment": item["comment"],
            "excerpt": excerpt(snapshot, item["comment"]),
            "direction": item.get("direction", "agree"),
            "sentence": _informed_sentence(item),
        }
        for item in items[:limit]
    ]


def group_consensus_table(snapshot: dict) -> dict:
    data = svg.summary_of(snapshot).get("groups") or {}
    items = (data.get("group_consensus") or []) if groups_ok(snapshot) else []
    items = items[:GROUP_CONSENSUS_SHOWN]
    rows = [
        [
            excerpt(snapshot, item["comment"]),
            direction_label(item.get("direction", "agree")),
            _shares_text(item.get("shares") or []),
            percent(item.get("probability")),
        ]
        for item in items
    ]
    keys = [f"comment:{item['comment']}" for item in items]
    return svg.table(
        _("Comments most agreed across all groups"),
        [_("Comment"), _("Direction"), _("Share in each group"), _("All groups together")],
        rows,
        keys,
    )


def divisive_table(snapshot: dict) -> dict:
    data = svg.summary_of(snapshot).get("groups") or {}
    items = (data.get("divisive") or []) if groups_ok(snapshot) else []
    rows = [
        [
            excerpt(snapshot, item["comment"]),
            _shares_text(item.get("shares") or []),
            percent(item.get("spread", 0)),
        ]
        for item in items
    ]
    keys = [f"comment:{item['comment']}" for item in items]
    return svg.table(
        _("Comments that divide the groups most"),
        [_("Comment"), _("Agree, in each group"), _("Gap between groups")],
        rows,
        keys,
    )
