from django.db import migrations, models


def forget_kept_figures(apps, schema_editor):
    # Kept figures have no sections rendered yet: forgotten, each project's are worked out
    # again, sections and all, at the next visit to its report.
    apps.get_model("evidence", "ReportFigures").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0009_report_figures"),
    ]

    operations = [
        migrations.RunPython(forget_kept_figures, migrations.RunPython.noop),
        migrations.AddField(
            model_name="reportfigures",
            name="sections_html",
            field=models.TextField(default=""),
            preserve_default=False,
        ),
    ]
