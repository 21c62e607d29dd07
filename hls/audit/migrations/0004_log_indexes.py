# The audit log page (hls/audit/selectors.py): newest first by keyset (time, id), everything
# about one object (a person's subject access file), and the log narrowed to some actions.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_retentionrun'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='auditevent',
            name='audit_ws_created',
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['workspace', '-created_at', '-id'], name='audit_ws_created_id'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['workspace', 'target_type', 'target_id', 'created_at'], name='audit_ws_target'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['workspace', 'action', '-created_at'], name='audit_ws_action'),
        ),
    ]
