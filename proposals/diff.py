"""A readable per-section diff between two versions of a proposal."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Words and spaces for alphabetic text, single characters for CJK text.
_TOKENS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|\w+|\s+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class SectionChange:
    kind: str  # "added", "removed", "changed", "unchanged"
    section_id: int
    heading: SafeString
    body: SafeString


def highlight(old: str, new: str) -> SafeString:
    """new, with what was inserted in <ins> and what was deleted in <del>."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[str] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[a1:a2])))
            continue
        if a2 > a1:
            out.append(f"<del>{escape(''.join(a[a1:a2]))}</del>")
        if b2 > b1:
            out.append(f"<ins>{escape(''.join(b[b1:b2]))}</ins>")
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def compare(old_sections: list, new_sections: list) -> list[SectionChange]:
    """Sections matched by identity; in the newer order, removed ones where they stood."""
    old_by_id = {s.section_id: s for s in old_sections}
    new_ids = {s.section_id for s in new_sections}
    changes: list[SectionChange] = []
    for old in old_sections:
        if old.section_id not in new_ids:
            changes.append(
                SectionChange(
                    "removed",
                    old.section_id,
                    mark_safe(f"<del>{escape(old.heading)}</del>"),  # noqa: S308
                    mark_safe(f"<del>{escape(old.body)}</del>"),  # noqa: S308
                )
            )
    for new in new_sections:
        old = old_by_id.get(new.section_id)
        if old is None:
            changes.append(
                SectionChange(
                    "added",
                    new.section_id,
                    mark_safe(f"<ins>{escape(new.heading)}</ins>"),  # noqa: S308
                    mark_safe(f"<ins>{escape(new.body)}</ins>"),  # noqa: S308
                )
            )
        else:
            same = old.heading == new.heading and old.body == new.body
            changes.append(
                SectionChange(
                    "unchanged" if same else "changed",
                    new.section_id,
                    highlight(old.heading, new.heading),
                    highlight(old.body, new.body),
                )
            )
    order = {s.section_id: i for i, s in enumerate(new_sections)}
    order.update(
        {s.section_id: i - 0.5 for i, s in enumerate(old_sections) if s.section_id not in new_ids}
    )
    return sorted(changes, key=lambda change: order[change.section_id])
