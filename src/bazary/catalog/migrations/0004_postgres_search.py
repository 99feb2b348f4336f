# PostgreSQL only: pg_trgm and the GIN indexes of the search backend. A
# regular GinIndex would break other databases, hence the vendor-guarded
# RunPython; it indexes whichever product model is in use (swapped or not).

import swapper
from django.db import migrations


def install(apps, schema_editor):
    from bazary.catalog.search import install_postgres_search

    app_label, model_name = swapper.get_model_name('bazary_catalog', 'Product').split('.')
    install_postgres_search(schema_editor, apps.get_model(app_label, model_name))


class Migration(migrations.Migration):

    dependencies = [
        ('bazary_catalog', '0003_product'),
        swapper.dependency('bazary_catalog', 'Product'),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop, elidable=False),
    ]
