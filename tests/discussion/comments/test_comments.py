"""Comments and replies: stored as threads that load in a fixed number of
queries, edited within a window with history, deleted as tombstones."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from discussion.comments import selectors, services
from discussion.models import DISPLAY_DEPTH, Comment, CommentRevision, Event

pytestmark = pytest.mark.django_db


def post(people, proposal, body="A point", **kwargs):
    return services.comment_create(actor=people.citizen, proposal=proposal, body=body, **kwargs)


def test_replies_to_any_depth_know_their_thread(open_proposal, section, people):
    root = post(people, open_proposal, section=section)
    reply = post(people, open_proposal, parent=root)
    deeper = post(people, open_proposal, parent=reply)
    assert (root.root_id, reply.root_id, deeper.root_id) == (root.pk, root.pk, root.pk)
    assert (root.depth, reply.depth, deeper.depth) == (0, 1, 2)
    assert deeper.section_id == section.pk  # a reply belongs where its parent is
    assert Comment.objects.get(pk=root.pk).reply_count == 2


def test_a_page_of_threads_loads_in_a_fixed_number_of_queries(
    open_proposal, section, people, make_user
):
    def build(n):
        for _ in range(n):
            root = post(people, open_proposal, section=section)
            child = post(people, open_proposal, parent=root)
            post(people, open_proposal, parent=child)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            _page, threads = selectors.comment_threads(proposal=open_proposal, section=section)
            for node in threads:
                _ = node.comment.author.display_name
                for child in node.children:
                    _ = child.comment.author.display_name
        return len(captured)

    build(2)
    small = count()
    build(15)
    # The count of roots, the page of roots, every reply of those, and the
    # official responses to all of them.
    assert count() == small == 4


def test_deep_threads_continue_on_their_own_page(open_proposal, section, people):
    parent = post(people, open_proposal, section=section)
    chain = [parent]
    for _ in range(DISPLAY_DEPTH + 2):
        chain.append(post(people, open_proposal, parent=chain[-1]))
    _page, threads = selectors.comment_threads(proposal=open_proposal, section=section)
    node, depth = threads[0], 0
    while node.children:
        node, depth = node.children[0], depth + 1
    assert depth == DISPLAY_DEPTH - 1 and node.continues
    subtree = selectors.comment_subtree(comment=node.comment)
    assert subtree.children[0].comment.pk == chain[DISPLAY_DEPTH].pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_replies_to_one_parent_are_all_kept(tree, make_user, grant):
    from consult.accounts.models import Role
    from consult.testing.data import open_consultation

    official = grant(make_user(), tree.ministry, Role.OFFICIAL)
    proposal = open_consultation(
        official=official, department=tree.ministry, jurisdiction=tree.nation, title="Busy"
    )
    parent = services.comment_create(actor=make_user(), proposal=proposal, body="Busy parent")
    repliers = [make_user() for _ in range(8)]
    barrier = threading.Barrier(len(repliers))
    errors: list[BaseException] = []

    def reply(user):
        try:
            barrier.wait()
            services.comment_create(
                actor=user, proposal=proposal, body=f"reply by {user.pk}", parent=parent
            )
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reply, args=(u,)) for u in repliers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Comment.objects.filter(parent=parent).count() == 8
    assert Comment.objects.get(pk=parent.pk).reply_count == 8
    seqs = list(
        Event.objects.filter(proposal=proposal).values_list("seq", flat=True).order_by("seq")
    )
    # One gap-free sequence, whatever the interleaving: the window opening, the
    # parent, and the eight replies.
    assert seqs == list(range(1, 11))


def test_markdown_is_rendered_safely_and_the_source_kept(open_proposal, people):
    comment = post(
        people, open_proposal, body="**Yes** <script>alert(1)</script> [x](https://e.org)"
    )
    assert comment.body.startswith("**Yes**")
    assert "<strong>Yes</strong>" in comment.body_html
    assert "<script>" not in comment.body_html
    assert 'rel="nofollow ugc noopener noreferrer"' in comment.body_html


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write something"), ("   ", "Write something"), ("x" * 5001, "at most 5000")],
)
def test_empty_or_overlong_comments_are_refused(open_proposal, people, body, message):
    with pytest.raises(ValidationError, match=message):
        post(people, open_proposal, body=body)
    assert not Comment.objects.exists()
    assert not Event.objects.filter(type__startswith="comment").exists()


def test_no_comments_once_the_consultation_has_closed(open_proposal, people):
    from proposals.services import lifecycle

    lifecycle.proposal_close_early(actor=people.official, proposal=open_proposal, reason="Done")
    with pytest.raises(ValidationError, match="discussion is closed"):
        post(people, open_proposal)


def test_authors_edit_within_the_window_and_the_history_is_kept(open_proposal, people, settings):
    comment = post(people, open_proposal, body="First thought")
    services.comment_edit(actor=people.citizen, comment=comment, body="Second thought")
    comment.refresh_from_db()
    assert comment.edited_at is not None and comment.body == "Second thought"
    assert list(CommentRevision.objects.values_list("body", flat=True)) == ["First thought"]
    with pytest.raises(Exception, match="Only the author"):
        services.comment_edit(actor=people.moderator, comment=comment, body="Hijack")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    with pytest.raises(ValidationError, match="15 minutes"):
        services.comment_edit(actor=people.citizen, comment=comment, body="Too late")


def test_deleting_leaves_a_tombstone_that_keeps_the_replies(
    client, open_proposal, section, people, make_user
):
    root = post(people, open_proposal, body="Regrettable", section=section)
    reply = services.comment_create(
        actor=make_user(), proposal=open_proposal, body="A reply", parent=root
    )
    services.comment_delete(actor=people.citizen, comment=root)
    root.refresh_from_db()
    assert root.is_deleted and root.body == "" and root.body_html == ""
    assert (
        CommentRevision.objects.get(comment=root).body == "Regrettable"
    )  # on record, not on the page
    html = client.get(f"{open_proposal.get_absolute_url()}sections/{section.pk}/").content.decode()
    assert "The author deleted this comment." in html
    assert "Regrettable" not in html
    assert "A reply" in html
    with pytest.raises(ValidationError, match="deleted"):
        services.comment_create(actor=make_user(), proposal=open_proposal, body="late", parent=root)
    assert Comment.objects.get(pk=reply.pk).parent_id == root.pk


def test_replies_must_stay_in_their_consultation(open_proposal, people, tree):
    from proposals.services import drafts

    other = drafts.proposal_create(
        actor=people.official,
        department=tree.city_office,
        jurisdiction=tree.city,
        title="Other",
        summary="S",
    )
    foreign_section = drafts.section_add(
        actor=people.official, proposal=other, heading="H", body="B"
    )
    with pytest.raises(ValidationError, match="not part of the published text"):
        post(people, open_proposal, section=foreign_section)
