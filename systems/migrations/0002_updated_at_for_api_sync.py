"""`updated_at` on every systems model the partner API exposes, for `updated_since` sync."""

import django.utils.timezone
from django.db import migrations, models


def _updated_at(model_name: str) -> migrations.AddField:
    return migrations.AddField(
        model_name=model_name,
        name="updated_at",
        field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
        preserve_default=False,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("systems", "0001_initial"),
    ]

    operations = [
        _updated_at("scale"),
        _updated_at("actor"),
        _updated_at("factor"),
        _updated_at("relationship"),
        _updated_at("person"),
    ]
