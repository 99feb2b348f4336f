# PostgreSQL only: the UPPER(sku) index that lets search's SKU match use an
# index (with the GIN indexes of 0004, no branch of the search needs a full
# table scan). install_postgres_search is idempotent (IF NOT EXISTS).

import swapper
from django.db import migrations


def install(apps, schema_editor):
    from bazary.catalog.search import install_postgres_search

    app_label, model_name = swapper.get_model_name('bazary_catalog', 'Product').split('.')
    install_postgres_search(schema_editor, apps.get_model(app_label, model_name))


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != 'postgresql':
        return
    app_label, model_name = swapper.get_model_name('bazary_catalog', 'Product').split('.')
    table = apps.get_model(app_label, model_name)._meta.db_table
    schema_editor.execute(f'DROP INDEX IF EXISTS {schema_editor.quote_name(table + "_sku_upper")}')


class Migration(migrations.Migration):

    dependencies = [
        ('bazary_catalog', '0004_postgres_search'),
        swapper.dependency('bazary_catalog', 'Product'),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
