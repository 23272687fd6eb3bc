"""Where people stand: on the whole proposal and on each section."""

from __future__ import annotations

import numpy as np

from consult.analysis.inputs import STANCES, Inputs, shares, unique_count


def _tally(values: np.ndarray) -> dict:
    counts = np.bincount(values.astype(np.int64), minlength=len(STANCES))
    row = {name: int(counts[i]) for i, name in enumerate(STANCES)}
    row["total"] = int(sum(row.values()))
    row["shares"] = shares({name: row[name] for name in STANCES})
    return row


def stances(inputs: Inputs, membership: np.ndarray) -> dict:
    sections = []
    order = np.argsort(inputs.section_stance_section, kind="stable")
    sorted_sections = inputs.section_stance_section[order]
    sorted_values = inputs.section_stance_value[order]
    for position, (section, heading) in enumerate(
        zip(inputs.section_id.tolist(), inputs.section_heading, strict=True)
    ):
        lo, hi = np.searchsorted(sorted_sections, [section, section + 1])
        row = {"id": section, "order": position + 1, "heading": heading}
        row.update(_tally(sorted_values[lo:hi]))
        on_section = inputs.comment_section == section
        row["comments"] = int(np.count_nonzero(on_section))
        row["comments_unique"] = unique_count(membership, on_section)
        sections.append(row)
    return {"proposal": _tally(inputs.stance_value), "sections": sections}
