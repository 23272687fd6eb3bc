"""Stances: the counts, and taking one."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from consult.api import serializers as shapes
from consult.api.base import ApiView
from consult.api.views.shared import public_proposal, writer
from consult.opendata import public
from discussion.comments import places as discussion_places
from proposals.models import Section, StanceValue
from proposals.services import stances as proposal_stances


def tally(values: dict[str, int]) -> dict[str, int]:
    row = {value: values.get(value, 0) for value in StanceValue.values}
    return {**row, "total": sum(row.values())}


class Stances(ApiView):
    @extend_schema(operation_id="stances_retrieve", responses=shapes.Stances)
    def get(self, request, slug):
        proposal = public_proposal(slug)
        counts = public.stance_counts(proposal)
        stances = {
            "consultation": proposal.slug,
            "proposal": tally(counts.get(None, {})),
            "sections": [
                {
                    "section": s.section_id,
                    "heading": s.heading,
                    **tally(counts.get(s.section_id, {})),
                }
                for s in public.sections(proposal.current_version_id)
            ],
        }
        return Response(shapes.Stances(stances).data)


class Stance(ApiView):
    @extend_schema(
        operation_id="stances_cast", request=shapes.StanceCast, responses=shapes.StanceRecorded
    )
    def put(self, request, slug):
        actor = writer(request)
        proposal = public_proposal(slug)
        given = shapes.StanceCast(data=request.data)
        given.is_valid(raise_exception=True)
        section = None
        if given.validated_data.get("section"):
            section = Section.objects.filter(
                pk=given.validated_data["section"], proposal=proposal
            ).first()
            if section is None:
                raise ValidationError({"section": [discussion_places.SECTION_ELSEWHERE]})
        stance = proposal_stances.stance_cast(
            actor=actor, proposal=proposal, value=given.validated_data["value"], section=section
        )
        recorded = {"consultation": proposal.slug, "section": section and section.pk}
        return Response(shapes.StanceRecorded({**recorded, "value": stance.value}).data)
