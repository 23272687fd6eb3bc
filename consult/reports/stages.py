"""The steps of a summary run, with the share of the run each ends at: what
the progress bar shows. Kept apart from consult.reports.summary, whose
numeric libraries a web process should not load at start-up."""

from django.utils.translation import gettext_lazy as _

# (code, label, share of the whole run's time when it ends)
STAGES = [
    ("load", _("Reading comments, votes and stances"), 25),
    ("campaigns", _("Finding campaigns of near-identical comments"), 45),
    ("counts", _("Counting participation and stances"), 50),
    ("themes", _("Finding themes"), 70),
    ("groups", _("Finding opinion groups"), 90),
    ("coverage", _("Checking which points have an official response"), 97),
    ("finish", _("Saving the summary"), 100),
]
STAGE_LABELS = {code: label for code, label, _end in STAGES}
START = {code: (STAGES[i - 1][2] if i else 0) for i, (code, _label, _end) in enumerate(STAGES)}
END = {code: end for code, _label, end in STAGES}


def stage_percent(stage: str, fraction: float) -> int:
    start, end = START[stage], END[stage]
    return int(start + (end - start) * min(max(fraction, 0.0), 1.0))
