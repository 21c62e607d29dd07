"""`Question.starter`: which starter question a bank question came from, so the bank can offer
the starters it does not have yet. Existing questions loaded from the starters are keyed by
their first wording (the oldest revision's, if they were edited since)."""

import hashlib

from django.db import migrations, models


def key(mode: str, text: str) -> str:
    return hashlib.sha1(f"{mode}\n{text}".encode()).hexdigest()[:12]  # noqa: S324


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    with schema_editor.connection.cursor() as cursor:
        # Every workspace's rows (the owner may be under forced row-level security).
        cursor.execute("SELECT set_config('app.all_workspaces', 'on', true)")
        cursor.execute(
            """
            SELECT q.id, q.workspace_id, coalesce(first.data->>'mode', q.mode),
                   coalesce(first.data->>'text', q.text)
            FROM stewardship_question q
            LEFT JOIN LATERAL (
                SELECT r.data FROM stewardship_questionrevision r
                WHERE r.question_id = q.id ORDER BY r.version LIMIT 1
            ) first ON true
            WHERE q.source LIKE 'Paraphrased from Human Learning Systems%%'
            ORDER BY q.id
            """
        )
        taken: set[tuple[int, str]] = set()
        for pk, workspace_id, mode, text in cursor.fetchall():
            starter = key(mode, text)
            if (workspace_id, starter) not in taken:
                taken.add((workspace_id, starter))
                cursor.execute(
                    "UPDATE stewardship_question SET starter = %s WHERE id = %s", [starter, pk]
                )


class Migration(migrations.Migration):
    dependencies = [
        ("stewardship", "0005_session_revision"),
    ]

    operations = [
        migrations.AddField(
            model_name="question",
            name="starter",
            field=models.CharField(blank=True, editable=False, max_length=16),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="question",
            constraint=models.UniqueConstraint(
                condition=models.Q(("starter", ""), _negated=True),
                fields=("workspace", "starter"),
                name="stewardship_question_one_per_starter",
            ),
        ),
    ]
