"""Drafts made before their slugs were random keep a plain title slug, which a
later public consultation of the same title would be numbered past ("-2"),
revealing the draft. Give every draft the random suffix new drafts get; a
draft's slug appears nowhere public, and officials reach it by its number."""

import secrets

from django.db import migrations
from django.utils.text import slugify


def randomise_draft_slugs(apps, schema_editor):
    Proposal = apps.get_model("proposals", "Proposal")
    for proposal in Proposal.objects.filter(status="draft").only("pk", "title", "slug"):
        base = slugify(proposal.title, allow_unicode=True)[:200] or "consultation"
        proposal.slug = f"{base}-{secrets.token_hex(4)}"
        proposal.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [("proposals", "0005_proposal_requires_verification")]

    operations = [migrations.RunPython(randomise_draft_slugs, migrations.RunPython.noop)]
