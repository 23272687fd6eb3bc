"""The versions of a consultation a report speaks of."""

from __future__ import annotations

from dataclasses import dataclass

from proposals.models import Proposal, ProposalVersion, SectionVersion


@dataclass
class Versions:
    """The versions since the consultation opened, read once: the one people
    commented on, the latest, and the sections whose text changed between them."""

    baseline: ProposalVersion | None
    latest: ProposalVersion | None
    changed_sections: set[int]

    @classmethod
    def of(cls, proposal: Proposal) -> Versions:
        versions = list(proposal.versions.order_by("number"))
        if not versions:
            return cls(None, None, set())
        opened = proposal.opens_at
        before = [v for v in versions if opened is None or v.published_at <= opened]
        baseline, latest = (before[-1] if before else versions[0]), versions[-1]
        if latest.pk == baseline.pk:
            return cls(baseline, latest, set())
        texts: dict[int, dict[int, str]] = {baseline.pk: {}, latest.pk: {}}
        for version_id, section_id, body in SectionVersion.objects.filter(
            version__in=[baseline, latest]
        ).values_list("version_id", "section_id", "body"):
            texts[version_id][section_id] = body
        old, new = texts[baseline.pk], texts[latest.pk]
        changed = {pk for pk in old.keys() | new.keys() if old.get(pk) != new.get(pk)}
        return cls(baseline, latest, changed)

    def for_section(self, section_id: int) -> ProposalVersion | None:
        """The latest version, when it changed the section since opening."""
        return self.latest if section_id in self.changed_sections else None
