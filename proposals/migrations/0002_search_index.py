"""A GIN index over the search document, on PostgreSQL only (SQLite searches
with LIKE and has no such index type)."""

from django.db import migrations

INDEX_NAME = "proposal_search_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex

    from proposals.search import search_vector

    schema_editor.add_index(
        apps.get_model("proposals", "Proposal"), GinIndex(search_vector(), name=INDEX_NAME)
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
