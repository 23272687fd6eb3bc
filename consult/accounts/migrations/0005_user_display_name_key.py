from django.db import migrations, models

from consult.infra.names import comparable


def fill_keys(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    changed = []
    for user in User.objects.only("pk", "display_name").iterator(chunk_size=2000):
        user.display_name_key = comparable(user.display_name or "")
        changed.append(user)
        if len(changed) >= 2000:
            User.objects.bulk_update(changed, ["display_name_key"])
            changed = []
    User.objects.bulk_update(changed, ["display_name_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_deleted_at_and_sessions"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="display_name_key",
            field=models.TextField(blank=True, db_index=True, default="", editable=False),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
    ]
