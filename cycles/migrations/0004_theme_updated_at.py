import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cycles", "0003_connected_cycles")]

    operations = [
        migrations.AddField(
            model_name="theme",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
    ]
