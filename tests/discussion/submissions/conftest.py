import pytest

from consult.accounts.models import Role
from consult.testing.data import open_consultation


@pytest.fixture
def official(make_user, grant, tree):
    return grant(make_user(display_name="Official"), tree.ministry, Role.OFFICIAL)


@pytest.fixture
def form_consultation(official, tree):
    """An open consultation of the ministry with a form of every kind of question."""
    return open_consultation(
        official=official,
        department=tree.ministry,
        jurisdiction=tree.nation,
        title="Safer streets near schools",
        form=True,
    )


@pytest.fixture
def questions(form_consultation):
    """The form's questions by what they ask about."""
    by_prompt = {q.prompt: q for q in form_consultation.form_questions.all()}
    return {
        "agree": by_prompt["Do you agree with the proposed 20 km/h limit?"],
        "why_not": by_prompt["If not, why not?"],
        "travel": by_prompt["How do you travel near schools?"],
        "safety": by_prompt["Streets near schools are safe today."],
        "priorities": by_prompt["Rank these measures."],
        "children": by_prompt["How many children in your household walk to school?"],
        "comments": by_prompt["Anything else?"],
    }
