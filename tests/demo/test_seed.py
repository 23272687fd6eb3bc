"""Demo data: complete, in several states, and safe to load twice."""

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from consult.accounts import roles
from consult.accounts.models import Department, Jurisdiction, Membership, User
from consult.demo.management.commands.seed_demo import DEMO_PASSWORD
from proposals.models import Proposal, Status

pytestmark = pytest.mark.django_db

MODELS = [User, EmailAddress, Jurisdiction, Department, Membership, Proposal]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_is_idempotent():
    call_command("seed_demo", verbosity=0)
    first = counts()
    call_command("seed_demo", verbosity=0)
    assert counts() == first
    assert first["User"] >= 5


def test_seed_demo_covers_roles_levels_and_states():
    call_command("seed_demo", verbosity=0)
    city_office = Department.objects.get(slug="riverton-housing")
    assert city_office.parent.slug == "ministry-housing"
    national_official = User.objects.get(email="official@example.org")
    assert roles.is_official_for(national_official, city_office)
    moderator = User.objects.get(email="moderator@example.org")
    assert roles.is_moderator_for(moderator, city_office)
    assert User.objects.get(email="admin@example.org").is_staff
    states = set(Proposal.objects.values_list("status", flat=True))
    assert {
        Status.DRAFT,
        Status.SCHEDULED,
        Status.OPEN,
        Status.CLOSED,
        Status.REPORT_PUBLISHED,
    } <= states
    assert User.objects.get(email="citizen@example.org").check_password(DEMO_PASSWORD)
    assert not EmailAddress.objects.filter(verified=False).exists()


def test_demo_consultations_show_on_the_home_page_but_drafts_do_not(client):
    call_command("seed_demo", verbosity=0)
    html = client.get("/").content.decode()
    assert "Safer streets near schools" in html
    assert "Street trees plan" not in html


def test_demo_discussions_have_threads_reports_and_a_held_comment(client):
    from discussion.models import Comment, Report

    call_command("seed_demo", verbosity=0)
    streets = Proposal.objects.get(slug="safer-streets-near-schools")
    comments = Comment.objects.filter(proposal=streets)
    assert comments.filter(depth=0, held_at__isnull=True).count() == 3
    assert comments.filter(depth=1).count() == 2
    held = comments.get(held_at__isnull=False)
    assert {reason["code"] for reason in held.held_reasons} == {"links", "blocked_term"}
    # Reports below the threshold: in the queue, still public.
    reported = Report.objects.filter(comment__proposal=streets).first().comment
    assert reported.reports.count() == 2 and not reported.is_hidden
    page = client.get(reported.url_in_context().split("#")[0]).content.decode()
    assert "20 km/h at all times" in page
    assert "www.example.com/deals" not in page
    assert Comment.objects.filter(proposal__slug="elevator-retrofit-subsidy").count() == 3


def test_finished_demo_consultations_have_a_crowd_and_a_published_report(client):
    from consult.reports.models import ResponseReport
    from discussion.models import CommentVote

    call_command("seed_demo", verbosity=0)
    closed = Proposal.objects.get(slug="empty-homes-levy")
    assert closed.comments.count() >= 20
    assert CommentVote.objects.filter(comment__proposal=closed).count() > 200
    published = Proposal.objects.get(slug="cycle-parking-standards")
    assert published.status == Status.REPORT_PUBLISHED
    report = ResponseReport.objects.get(proposal=published)
    assert report.is_published
    assert report.snapshot["summary"]["groups"]["status"] == "ok"
    page = client.get(f"/consultations/{published.slug}/report/")
    assert page.status_code == 200
    assert "We now require one space per bedroom" in page.content.decode()


def test_demo_has_a_verified_resident_a_letter_to_send_and_a_residents_only_consultation():
    from django.core.exceptions import ValidationError

    from consult.identity.models import Verification
    from consult.identity.selectors import is_verified_resident
    from proposals.services import stances

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    casey = User.objects.get(email="citizen@example.org")
    li = User.objects.get(email="citizen2@example.org")
    elevator = Proposal.objects.get(slug="elevator-retrofit-subsidy")
    assert elevator.requires_verification
    assert is_verified_resident(casey, elevator.jurisdiction)
    assert not is_verified_resident(li, elevator.jurisdiction)
    assert (
        Verification.objects.filter(
            user__email="citizen3@example.org", status="pending", method="post"
        ).count()
        == 1
    )
    with pytest.raises(ValidationError):
        stances.stance_cast(actor=li, proposal=elevator, value="support")
    stances.stance_cast(actor=casey, proposal=elevator, value="support")


def test_seed_demo_has_a_response_form_answered_online_and_by_post():
    from discussion.submissions.models import FormResponse

    call_command("seed_demo", verbosity=0)
    proposal = Proposal.objects.get(slug="safer-streets-near-schools")
    questions = proposal.form_questions.all()
    assert {q.kind for q in questions} == {
        "single",
        "multiple",
        "scale",
        "ranking",
        "number",
        "text",
    }
    assert all(q.published_in_id and q.frozen_at for q in questions)
    assert questions.filter(shown_if__isnull=False).count() == 1
    channels = sorted(
        FormResponse.objects.filter(proposal=proposal).values_list("channel", flat=True)
    )
    assert channels == ["post", "web", "web"]
    letter = FormResponse.objects.get(proposal=proposal, channel="post")
    clerk = User.objects.get(email="clerk@example.org")
    assert letter.entered_by == clerk and roles.is_clerk_for(clerk, proposal.department)
    assert FormResponse.objects.get(proposal=proposal, respondent_kind="organisation").official_view
