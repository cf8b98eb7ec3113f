"""ONS4 personal wellbeing comes with coprod: the four questions in the Office for National
Statistics' own words, each reported on its own and never added up."""

from django.db import migrations

ONS4 = {
    "code": "ons4",
    "name": "ONS4 personal wellbeing",
    "description": (
        "Four questions the Office for National Statistics asks about how people feel about "
        "their lives: satisfaction, whether what they do is worthwhile, happiness and "
        "anxiety. Each is reported on its own."
    ),
    "source": "Office for National Statistics, Personal well-being user guidance",
    "source_url": (
        "https://www.ons.gov.uk/peoplepopulationandcommunity/wellbeing/methodologies/"
        "personalwellbeingsurveyuserguide"
    ),
    "licence": "free",
    "licence_details": "",
    "shipped": True,
    "scale_min": 0,
    "scale_max": 10,
    "scale_min_label": "Not at all",
    "scale_max_label": "Completely",
    "scoring": "separate",
    # ONS publishes no smallest change that matters for one person.
    "meaningful_change": "1.00",
    "meaningful_change_source": (
        "coprod's working assumption, not an ONS figure: ONS publishes no smallest change "
        "that matters, so a change of 1 point on the 0 to 10 scale is taken as meaningful."
    ),
}

QUESTIONS = [
    ("Overall, how satisfied are you with your life nowadays?", "Life satisfaction", "higher"),
    (
        "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
        "Worthwhile",
        "higher",
    ),
    ("Overall, how happy did you feel yesterday?", "Happiness yesterday", "higher"),
    ("Overall, how anxious did you feel yesterday?", "Anxiety yesterday", "lower"),
]


def ship_ons4(apps, schema_editor):
    Measure = apps.get_model("evidence", "Measure")
    MeasureQuestion = apps.get_model("evidence", "MeasureQuestion")
    measure, _ = Measure.objects.update_or_create(code=ONS4["code"], defaults=ONS4)
    for position, (text, short_name, better) in enumerate(QUESTIONS, start=1):
        MeasureQuestion.objects.update_or_create(
            measure=measure,
            position=position,
            defaults={"text": text, "short_name": short_name, "better": better},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0006_measure_reminders"),
    ]

    operations = [
        migrations.RunPython(ship_ons4, migrations.RunPython.noop),
    ]
