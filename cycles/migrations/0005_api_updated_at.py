import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """`updated_at` on what the partner API exposes (for `updated_since` and cursor order)."""

    dependencies = [("cycles", "0004_theme_updated_at")]

    operations = [
        migrations.AddField(
            model_name=name,
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        )
        for name in ("experiment", "cyclelink", "enabler")
    ]
