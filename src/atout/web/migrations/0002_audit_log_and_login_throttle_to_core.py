"""The audit log and the sign-in counters now belong to core (see core/0001): state only, no table moves."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_audit_log_and_login_throttle_from_web'),
        ('web', '0001_audit_log_and_login_throttle'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name='AuditEntry'),
            migrations.DeleteModel(name='LoginThrottle'),
        ]),
    ]
