"""The steps of a summary run, with the share of the run each ends at: what
the progress bar shows. Kept apart from consult.reports.summary.computing, whose
numeric libraries a web process should not load at start-up."""

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

# (code, label, share of the whole run's time when it ends). The shares follow
# where the time goes (docs/benchmarks.md, bench/summary.py: reading 6.7 s,
# campaigns 3.7 s, counts 0.5 s, themes 7.0 s, groups 4.0 s of 22 s). Loading
# the numeric libraries comes first, as a step of its own: for a small
# consultation it is most of the run, and done after reading it held the
# bar at the end of that step until the very end.
STAGES = [
    ("prepare", _("Starting the analysis"), 5),
    ("load", _("Reading comments, votes and stances"), 35),
    ("campaigns", _("Finding campaigns of near-identical comments"), 50),
    ("counts", _("Counting participation and stances"), 53),
    ("form", _("Counting the answers to the response form"), 55),
    ("themes", _("Finding themes"), 80),
    ("groups", _("Finding opinion groups"), 95),
    ("coverage", _("Checking which points have an official response"), 98),
    ("finish", _("Saving the summary"), 100),
]
STAGE_LABELS = {code: label for code, label, _end in STAGES}
START = {code: (STAGES[i - 1][2] if i else 0) for i, (code, _label, _end) in enumerate(STAGES)}
END = {code: end for code, _label, end in STAGES}


def stage_percent(stage: str, fraction: float) -> int:
    start, end = START[stage], END[stage]
    return int(start + (end - start) * min(max(fraction, 0.0), 1.0))


def within(progress: Callable[[str, int], None], stage: str) -> Callable[[float], None]:
    """A stage's own progress (the share of it done, 0-1) as the run's percent."""
    return lambda fraction: progress(stage, stage_percent(stage, fraction))
