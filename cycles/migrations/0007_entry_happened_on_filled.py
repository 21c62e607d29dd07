"""`Entry.happened_on` always filled: existing entries without a date take the local date they
were logged (created_at in TIME_ZONE); then the column is NOT NULL, with an index for timelines
and patterns by month."""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        # Every workspace's rows (the owner may be under forced row-level security).
        cursor.execute("SELECT set_config('app.all_workspaces', 'on', true)")
        cursor.execute(
            "UPDATE cycles_entry SET happened_on = (created_at AT TIME ZONE %s)::date "
            "WHERE happened_on IS NULL",
            [settings.TIME_ZONE],
        )


class Migration(migrations.Migration):
    dependencies = [("cycles", "0006_entry_signed")]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="entry",
            name="happened_on",
            field=models.DateField(
                default=django.utils.timezone.localdate, verbose_name="when it happened"
            ),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                fields=["workspace", "cycle", "-happened_on", "-created_at"],
                name="cycles_entry_happened",
            ),
        ),
    ]
