from django.db import migrations, models


def count_people(apps, schema_editor):
    """The kept count starts from the people there are (stakeholders.people_count)."""
    Person = apps.get_model("stakeholders", "Person")
    PeopleCount = apps.get_model("stakeholders", "PeopleCount")
    PeopleCount.objects.update_or_create(
        pk=1, defaults={"not_erased": Person.objects.filter(erased_at=None).count()}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0012_user_has_authenticator_app"),
    ]

    operations = [
        migrations.CreateModel(
            name="PeopleCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("not_erased", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(count_people, migrations.RunPython.noop),
    ]
