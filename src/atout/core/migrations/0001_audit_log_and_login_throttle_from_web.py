"""The audit log and the sign-in counters move from the web app to core: state only, the tables keep
their names (``db_table``) and their rows. Their content types follow, so permissions granted on them stay."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("auditentry", "loginthrottle")


def move_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="core", model__in=MODELS).exists():
        content_type.objects.filter(app_label="web", model__in=MODELS).update(app_label="core")


def restore_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="web", model__in=MODELS).exists():
        content_type.objects.filter(app_label="core", model__in=MODELS).update(app_label="web")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('processes', '0001_initial'),
        ('web', '0001_audit_log_and_login_throttle'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
                migrations.CreateModel(
                    name='LoginThrottle',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=70, unique=True)),
                        ('failures', models.PositiveIntegerField(default=0)),
                        ('first_failure', models.DateTimeField()),
                        ('locked_until', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'db_table': 'web_loginthrottle',
                    },
                ),
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='date')),
                        ('username', models.CharField(max_length=150, verbose_name="nom d'utilisateur")),
                        ('action', models.CharField(choices=[('create', 'création'), ('update', 'modification'), ('delete', 'suppression'), ('import', 'import'), ('publish', 'publication'), ('export', 'export'), ('other', 'autre')], max_length=10, verbose_name='action')),
                        ('object_type', models.CharField(max_length=100, verbose_name="type d'objet")),
                        ('object_id', models.CharField(blank=True, max_length=64, verbose_name="identifiant de l'objet")),
                        ('object_label', models.CharField(blank=True, max_length=200, verbose_name="libellé de l'objet")),
                        ('changes', models.JSONField(blank=True, default=dict, verbose_name='champs modifiés')),
                        ('process', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='processes.process', verbose_name='démarche')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='utilisateur')),
                    ],
                    options={
                        'db_table': 'web_auditentry',
                        'verbose_name': 'entrée du journal',
                        'verbose_name_plural': 'journal des actions',
                        'ordering': ['-at', '-pk'],
                        'indexes': [models.Index(fields=['process', '-at'], name='audit_process_at')],
                    },
                ),        ]),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
