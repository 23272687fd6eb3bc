"""A crowd for the demo's finished consultations: residents who commented,
voted and took stances while the consultation was open, written as history
(the services refuse a closed consultation), so that the summary, its
opinion groups and campaigns, and the report have something to show."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from consult.accounts.models import User
from consult.infra.text import render_markdown
from discussion.models import Comment, CommentVote
from proposals.models import Proposal, ProposalStance, SectionStance
from proposals.services.participation import counters_recount

FIRST_NAMES = (
    "Ada Brooks", "Bilal Khan", "Chloe Martin", "Dev Patel", "Elena Rossi", "Femi Adeyemi",
    "Grace Liu", "Hugo Weber", "Isla Murray", "Jonas Berg", "Kiri Walker", "Leila Haddad",
    "Mateo Silva", "Nora Quinn", "Omar Farouk", "Priya Nair", "Quentin Moreau", "Rosa Díaz",
    "Sven Larsen", "Tamsin Reed", "Uma Shah", "Victor Hale", "Wen Zhao", "Xavier Cole",
    "Yara Nasser", "Zoe Clarke", "陈静", "刘洋", "王磊", "张敏", "李娜", "赵强",
    "Aaron Fox", "Bea Lopez", "Cal Ortiz", "Dana Kim", "Eli Grant", "Fay Moss", "Gus Hart",
    "Hana Sato",
)  # fmt: skip


@dataclass(frozen=True)
class Crowd:
    # (section index or None, camp, theme name or "", text): camp is "for",
    # "against" or "all" (a point both camps agree with).
    comments: tuple[tuple[int | None, str, str, str], ...]
    # (section index, base text, variations): sent by many, near-identical.
    campaign: tuple[int, str, tuple[str, ...]] | None = None
    campaign_copies: int = 0
    people: int = 40


def seed_crowd(proposal: Proposal, sections: list, crowd: Crowd, *, seed: int = 7) -> list[User]:
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    start, end = proposal.opens_at, proposal.closes_at
    span = (end - start).total_seconds()

    def when() -> object:
        return start + timedelta(seconds=rng.uniform(0.02, 0.98) * span)

    residents = []
    for i in range(crowd.people):
        email = f"resident{proposal.pk}-{i:02d}@example.org"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, None, display_name=FIRST_NAMES[i % len(FIRST_NAMES)]
        )
        if i % 3 != 2:
            user.home_jurisdiction = proposal.jurisdiction
            user.save(update_fields=["home_jurisdiction"])
        residents.append(user)
    camps = {"for": residents[: crowd.people // 2], "against": residents[crowd.people // 2 :]}
    camp_of = {u.pk: camp for camp, users in camps.items() for u in users}

    def comment(author, section, text, camp, parent=None) -> Comment:
        made = Comment.objects.create(
            proposal=proposal,
            section=section,
            parent=parent,
            root_id=parent.root_id if parent else None,
            depth=parent.depth + 1 if parent else 0,
            author=author,
            version_id=proposal.current_version_id,
            body=text,
            body_html=render_markdown(text),
            created_at=when(),
        )
        if parent is None:
            Comment.objects.filter(pk=made.pk).update(root_id=made.pk)
            made.root_id = made.pk
        made.camp = camp
        return made

    written = []
    turn = {"for": 0, "against": 0}
    for index, (section_index, camp, theme, text) in enumerate(crowd.comments):
        pool = camps["for" if camp == "all" and index % 2 else "against" if camp == "all" else camp]
        key = "for" if pool is camps["for"] else "against"
        author = pool[turn[key] % len(pool)]
        turn[key] += 1
        section = sections[section_index] if section_index is not None else None
        made = comment(author, section, text, camp)
        if theme:
            made.themes.add(theme)
        written.append(made)
    if crowd.campaign:
        section_index, base, variations = crowd.campaign
        senders = camps["against"] + camps["for"][: crowd.campaign_copies]
        for i in range(crowd.campaign_copies):
            text = base if i % 3 == 0 else variations[i % len(variations)]
            written.append(
                comment(senders[i % len(senders)], sections[section_index], text, "against")
            )

    votes = []
    for made in written:
        agree = disagree = passed = 0
        for voter in residents:
            if voter.pk == made.author_id or rng.random() > 0.7:
                continue
            mine = camp_of[voter.pk]
            if made.camp == "all":
                value = "agree" if rng.random() < 0.9 else "pass"
            elif made.camp == mine:
                value = "agree" if rng.random() < 0.85 else "pass"
            else:
                value = "disagree" if rng.random() < 0.8 else "pass"
            agree += value == "agree"
            disagree += value == "disagree"
            passed += value == "pass"
            # A vote comes after the comment it is on.
            after = (end - made.created_at).total_seconds()
            at = made.created_at + timedelta(seconds=rng.uniform(0, max(after, 1)))
            votes.append(CommentVote(comment=made, user=voter, value=value, created_at=at))
        Comment.objects.filter(pk=made.pk).update(
            agree_count=agree, disagree_count=disagree, pass_count=passed
        )
    CommentVote.objects.bulk_create(votes, batch_size=1000)

    stances, section_stances = [], []
    for i, resident in enumerate(residents):
        camp = camp_of[resident.pk]
        value = "neutral" if i % 7 == 3 else ("support" if camp == "for" else "oppose")
        at = when()
        stances.append(
            ProposalStance(
                proposal=proposal,
                user=resident,
                value=value,
                version_id=proposal.current_version_id,
                created_at=at,
                updated_at=at,
            )
        )
        for j, section in enumerate(sections):
            if rng.random() < 0.6:
                choice = value if rng.random() < 0.75 else ("support", "oppose", "neutral")[j % 3]
                section_stances.append(
                    SectionStance(
                        proposal=proposal,
                        section=section,
                        user=resident,
                        value=choice,
                        version_id=proposal.current_version_id,
                        created_at=at,
                        updated_at=at,
                    )
                )
    ProposalStance.objects.bulk_create(stances)
    SectionStance.objects.bulk_create(section_stances)
    # Written past the services that keep the counts: counted from the rows.
    counters_recount([proposal.pk])
    return residents
