"""The newest entries of one kind across many cycles (patterns' stories and barriers), walked
newest first until enough are visible instead of sorting every entry of the cycles below."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cycles", "0014_search_candidates_newest")]

    operations = [
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                models.F("workspace"),
                models.F("kind"),
                models.OrderBy(models.F("happened_on"), descending=True),
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("deleted_at__isnull", True)),
                name="cycles_entry_kind_recent",
            ),
        ),
    ]
