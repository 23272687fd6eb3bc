"""The opinion groups of a large consultation are computed in a process of
their own, beside the other steps: the same result, byte for byte, their
progress told, and nothing lost when that process fails."""

import json
import logging
import multiprocessing
import os
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from consult.analysis.beside import Beside
from consult.analysis.inputs import Inputs
from consult.reports.summary import computing as summary
from consult.reports.summary.stages import END, START
from consult.testing import steps
from tests.reports.summary.test_progress_stages import summary_inputs, votes


def inputs() -> Inputs:
    return summary_inputs(600)


def computed(monkeypatch, *, apart: bool):
    monkeypatch.setattr(summary, "GROUPS_BESIDE_VOTES", 0 if apart else 10**12)
    monkeypatch.setattr(summary, "processors", lambda: 2)
    reported, steps_seen = [], set()

    def progress(stage, percent):
        reported.append((stage, percent))
        names = {child.name for child in multiprocessing.active_children()}
        if stage == "campaigns" and "summary-step" in names:
            steps_seen.add(stage)

    result = summary.compute(inputs(), proposal={"id": 1}, zone=ZoneInfo("UTC"), progress=progress)
    return json.dumps(result, sort_keys=True), reported, steps_seen


def test_groups_computed_in_their_own_process_are_the_same_byte_for_byte(monkeypatch):
    here, _, seen_here = computed(monkeypatch, apart=False)
    apart, reported, seen_apart = computed(monkeypatch, apart=True)
    assert seen_here == set()
    assert seen_apart == {"campaigns"}, "the groups' process was not running beside the campaigns"
    assert json.loads(apart)["groups"]["status"] == "ok"
    assert apart == here
    inside = [p for s, p in reported if s == "groups" and START["groups"] < p < END["groups"]]
    assert inside, "the groups' progress was not told from their process"
    assert not multiprocessing.active_children()


def test_progress_is_told_and_the_result_comes_from_the_steps_process():
    told = []
    with Beside(steps.reports, os.getpid()) as step:
        pid, at_home = step.result(told.append)
    assert told == [0.25, 0.5, 0.75]
    assert pid != os.getpid() and not at_home


def test_a_step_is_computed_in_place_when_asked():
    told = []
    pid, at_home = Beside(steps.reports, os.getpid(), process=False).result(told.append)
    assert (pid, at_home) == (os.getpid(), True)
    assert told == [0.25, 0.5, 0.75]


def test_a_step_whose_process_dies_is_computed_in_place(caplog):
    with caplog.at_level(logging.WARNING, logger="consult.analysis.beside"):
        assert Beside(steps.dies_away, os.getpid()).result() == "computed in place"
    assert "ended without a result" in caplog.text


def test_a_step_that_fails_in_its_process_is_computed_in_place_and_the_error_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="consult.analysis.beside"):
        assert Beside(steps.fails_away, os.getpid()).result() == "computed in place"
    assert "ValueError: failed in its own process" in caplog.text


def test_a_step_no_longer_wanted_has_its_process_stopped():
    step = Beside(steps.waits_away, os.getpid())
    pid = step._process.pid
    step.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not multiprocessing.active_children()


def test_a_run_that_fails_stops_the_groups_process(monkeypatch):
    monkeypatch.setattr(summary, "GROUPS_BESIDE_VOTES", 0)
    monkeypatch.setattr(summary, "processors", lambda: 2)
    started = []

    def broken(words, progress):
        started.extend(child.pid for child in multiprocessing.active_children())
        raise RuntimeError("the campaigns step failed")

    monkeypatch.setattr(summary, "_campaigns", broken)
    with pytest.raises(RuntimeError, match="campaigns step failed"):
        summary.compute(inputs(), proposal={"id": 1}, zone=ZoneInfo("UTC"))
    assert started
    for pid in started:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_reshuffles_shared_out_among_processes_are_the_same_rows(monkeypatch):
    from consult.analysis import group_chance
    from consult.analysis.group_steps import considered_votes
    from consult.analysis.groups import DEFAULT_THRESHOLDS

    chosen = considered_votes(*votes(people=80, comments=24), DEFAULT_THRESHOLDS)
    monkeypatch.setattr(group_chance, "processors", lambda: 3)
    monkeypatch.setattr(group_chance, "SHARED_OUT_DEALT", 10**12)
    alone = group_chance.reshuffled(chosen, 5, 0, 11)
    monkeypatch.setattr(group_chance, "SHARED_OUT_DEALT", 0)
    told, started = [], []

    def progress(fraction):
        told.append(fraction)
        started.extend(c.pid for c in multiprocessing.active_children() if c.name == "summary-step")

    shared = group_chance.reshuffled(chosen, 5, 0, 11, progress)
    assert len(set(started)) == 2, "the reshuffles were not shared out among three processes"
    assert np.isfinite(alone).any()
    np.testing.assert_array_equal(shared, alone)
    assert told == sorted(told) and told[-1] == 1.0
    assert not multiprocessing.active_children()


def test_a_step_whose_process_cannot_start_is_computed_in_place(monkeypatch, caplog):
    def refused(self):
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.context.ForkServerProcess, "start", refused)
    with caplog.at_level(logging.WARNING, logger="consult.analysis.beside"):
        step = Beside(steps.reports, os.getpid())
        pid, at_home = step.result()
    assert (pid, at_home) == (os.getpid(), True)
    assert "could not start a process" in caplog.text
    assert "Resource temporarily unavailable" in caplog.text


def test_reshuffles_are_shared_among_no_more_processes_than_allowed(monkeypatch):
    from consult.analysis import group_chance
    from consult.analysis.group_steps import considered_votes
    from consult.analysis.groups import DEFAULT_THRESHOLDS

    chosen = considered_votes(*votes(people=80, comments=24), DEFAULT_THRESHOLDS)
    monkeypatch.setattr(group_chance, "processors", lambda: 3)
    monkeypatch.setattr(group_chance, "SHARED_OUT_DEALT", 0)
    started = []

    def progress(fraction):
        started.extend(c.pid for c in multiprocessing.active_children() if c.name == "summary-step")

    group_chance.reshuffled(chosen, 5, 0, 11, progress, processes=1)
    assert started == []
    group_chance.reshuffled(chosen, 5, 0, 11, progress, processes=2)
    assert len(set(started)) == 1


def test_groups_beside_the_other_steps_leave_them_a_processor_below_many_votes(monkeypatch):
    asked = []

    def recorded(function, *args, process, **kwargs):
        asked.append((process, kwargs["processes"]))
        return Beside(function, *args, process=False, **kwargs)

    monkeypatch.setattr(summary, "Beside", recorded)
    monkeypatch.setattr(summary, "processors", lambda: 4)
    monkeypatch.setattr(summary, "GROUPS_BESIDE_VOTES", 0)
    summary.compute(inputs(), proposal={"id": 1}, zone=ZoneInfo("UTC"))
    monkeypatch.setattr(summary, "GROUPS_SHARE_VOTES", 0)
    summary.compute(inputs(), proposal={"id": 1}, zone=ZoneInfo("UTC"))
    monkeypatch.setattr(summary, "GROUPS_BESIDE_VOTES", 10**12)
    summary.compute(inputs(), proposal={"id": 1}, zone=ZoneInfo("UTC"))
    assert asked == [(True, 3), (True, 4), (False, 4)]
