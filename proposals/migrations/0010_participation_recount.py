# The counters of existing consultations, counted from their rows. A migration
# of its own: PostgreSQL refuses schema changes after rows are written in the
# same transaction.

from django.db import migrations


def recount(apps, schema_editor):
    # By the same function that repairs them (proposals.services.participation).
    from proposals.services.participation import counters_recount

    counters_recount(apps=apps)


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0009_participation_counters'),
        ('discussion', '0010_answer_hidden_category'),
    ]

    operations = [
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
