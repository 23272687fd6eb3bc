from tests.proposals.conftest import draft, open_proposal, people, published  # noqa: F401
