from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('gearshop', '0002_telegram_unreachable')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Category',
            name='name_es',
            field=fields.CharField(default='', max_length=96),
        ),
        ops.AddField(
            model_name='Category',
            name='name_ru',
            field=fields.CharField(default='', max_length=96),
        ),
        ops.AddField(
            model_name='Category',
            name='name_uk',
            field=fields.CharField(default='', max_length=96),
        ),
    ]
