from tortoise import migrations
from tortoise.migrations import operations as ops
from core.notifications.models import OutboxStatus
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gearshop', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Customer',
            name='telegram_unreachable_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AlterField(
            model_name='OutboxMessage',
            name='status',
            field=fields.CharEnumField(default=OutboxStatus.PENDING, db_index=True, description='PENDING: pending\nSENDING: sending\nSENT: sent\nDEAD: dead\nREFUSED: refused\nUNDELIVERABLE: undeliverable', enum_type=OutboxStatus, max_length=13),
        ),
    ]
