# Written for the results aggregates (consultation.results.aggregates): an index covering the
# freshness checks of the stored sums. Depends on the last migration present when it was written.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('consultation', '0003_quotas'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='response',
            index=models.Index(fields=['survey', 'status', 'submitted_at', 'weight', 'simulated', 'id'],
                               name='response_results_facts'),
        ),
    ]
