"""Bulk writes of the import: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

The ORM's ``bulk_create`` compiles one placeholder and one adapted parameter
per value (a batch of 1,000 products is some 25,000 of them) and psycopg then
splits that statement again on the client: for a plain product that was most
of an import's time. On PostgreSQL the rows go instead, as they are, through
``COPY ... FROM STDIN`` into a temporary table, and one statement moves them
into place:

- :func:`upsert`: ``INSERT INTO t SELECT ... FROM tmp ON CONFLICT (key) DO
  UPDATE SET ...`` for the given columns, returning each key's primary key;
- :func:`insert`: ``COPY`` straight into the table (new rows only: links,
  stock movements).

Every name in these statements is a table or column name of a model,
quoted by the backend (``quote_name``); the values travel through ``COPY``,
never in the SQL text (hence the ``S608`` exemptions below).

All run inside the caller's transaction (the temporary table is dropped at
the end of each call), apply what ``save()`` would to each value
(``pre_save``: ``auto_now`` times; ``get_db_prep_save``: JSON) and send no
signals, as ``bulk_create`` does not. Other databases get ``bulk_create``
with the same arguments.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import connections, models

_counter = itertools.count()


@dataclass(frozen=True)
class Extra:
    """A column of the temporary table that is not one of the model's:
    ``value(obj)`` fills it, a ``computed`` expression of :func:`upsert` reads it."""

    name: str
    db_type: str
    value: Callable[[Any], Any]


def _columns(model: type[models.Model]) -> list[models.Field]:
    """The concrete fields an INSERT writes (not an auto primary key)."""
    return [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField | models.BigAutoField | models.SmallAutoField))
    ]


#: Fields (exactly these classes, not subclasses that may convert values)
#: whose Python value is what the column stores.
_PLAIN = {
    models.CharField,
    models.TextField,
    models.SlugField,
    models.EmailField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
    models.BooleanField,
    models.DecimalField,
}


#: Primary keys whose value an ``*_id`` column stores as it is.
_PLAIN_KEYS = {models.AutoField, models.BigAutoField, models.SmallAutoField, models.IntegerField}


def _constant(obj: Any, *, value: Any) -> Any:
    return value


def _attribute(obj: Any, *, attname: str) -> Any:
    return getattr(obj, attname)


def _pre_saved(obj: Any, *, field: models.Field, connection: Any) -> Any:
    return field.get_db_prep_save(field.pre_save(obj, True), connection=connection)


def _prepared(obj: Any, *, field: models.Field, connection: Any) -> Any:
    value = getattr(obj, field.attname)
    return None if value is None else field.get_db_prep_save(value, connection=connection)


def _preparers(fields: Sequence[models.Field], connection: Any) -> list[Callable[[Any], Any]]:
    """Per field, what turns an instance into the value to write."""
    from django.utils import timezone

    now = timezone.now()  # auto_now / auto_now_add: one time for the whole statement
    preparers: list[Callable[[Any], Any]] = []
    for field in fields:
        pre_save_overridden = type(field).pre_save is not models.Field.pre_save
        if type(field) in _PLAIN or (isinstance(field, models.ForeignKey) and type(field.target_field) in _PLAIN_KEYS):
            # psycopg adapts these Python values itself.
            preparers.append(partial(_attribute, attname=field.attname))
        elif type(field) is models.DateTimeField and (field.auto_now or field.auto_now_add):
            value = field.get_db_prep_save(now, connection=connection)
            preparers.append(partial(_constant, value=value))
        elif pre_save_overridden:
            preparers.append(partial(_pre_saved, field=field, connection=connection))
        else:
            preparers.append(partial(_prepared, field=field, connection=connection))
    return preparers


def _copy_into_temp(
    cursor: Any,
    model: type[models.Model],
    fields: Sequence[models.Field],
    objs: Iterable[Any],
    extra: Sequence[Extra] = (),
) -> str:
    connection = cursor.db
    qn = connection.ops.quote_name
    temp = qn(f"bazary_load_{next(_counter)}")
    columns = ", ".join(qn(str(field.column)) for field in fields)
    cursor.execute(
        f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {columns} "  # noqa: S608
        f"FROM {qn(str(model._meta.db_table))} WITH NO DATA"
    )
    for column in extra:
        cursor.execute(f"ALTER TABLE {temp} ADD COLUMN {qn(column.name)} {column.db_type}")
    copied = ", ".join([columns, *(qn(column.name) for column in extra)])
    preparers = [*_preparers(fields, connection), *(column.value for column in extra)]
    with cursor.cursor.copy(f"COPY {temp} ({copied}) FROM STDIN") as copy:
        for obj in objs:
            copy.write_row([prepare(obj) for prepare in preparers])
    return temp


def upsert(
    manager: models.Manager,
    objs: list[Any],
    *,
    unique_field: str,
    update_fields: list[str] | None,
    computed: Mapping[str, str] | None = None,
    extra: Sequence[Extra] = (),
) -> dict[Any, Any]:
    """Insert ``objs``, or update ``update_fields`` of the row with the same
    ``unique_field`` (``None``: insert only, a conflict is an error); returns
    ``{unique value: primary key}``.

    ``computed`` (PostgreSQL only; ignored elsewhere) maps field names to SQL
    expressions over the temporary table's columns (the model's, quoted, and
    the ``extra`` ones): those fields are written (inserted and updated) from
    the expression in the same statement instead of from the instances."""
    model = manager.model
    db = manager.db
    connection = connections[db]
    unique = model._meta.get_field(unique_field)
    pk = model._meta.pk
    assert pk is not None
    if connection.vendor != "postgresql":
        if update_fields is None:
            manager.bulk_create(objs)
        else:
            manager.bulk_create(objs, update_conflicts=True, unique_fields=[unique_field], update_fields=update_fields)
        keys = [getattr(obj, unique.attname) for obj in objs]
        return dict(manager.filter(**{f"{unique_field}__in": keys}).values_list(unique_field, "pk"))
    computed = computed or {}
    qn = connection.ops.quote_name
    computed_columns = {str(model._meta.get_field(name).column): sql for name, sql in computed.items()}
    fields = [field for field in _columns(model) if str(field.column) not in computed_columns]
    columns = ", ".join([*(qn(str(field.column)) for field in fields), *map(qn, computed_columns)])
    selected = ", ".join([*(qn(str(field.column)) for field in fields), *computed_columns.values()])
    conflict = ""
    if update_fields is not None:
        updated = [str(model._meta.get_field(n).column) for n in update_fields]
        updated += [column for column in computed_columns if column not in updated]
        updates = ", ".join(f"{qn(column)} = EXCLUDED.{qn(column)}" for column in updated)
        conflict = f"ON CONFLICT ({qn(str(unique.column))}) DO UPDATE SET {updates} "
    table = qn(str(model._meta.db_table))
    with connection.cursor() as cursor:
        temp = _copy_into_temp(cursor, model, fields, objs, extra)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {selected} FROM {temp} {conflict}"  # noqa: S608
            f"RETURNING {qn(str(unique.column))}, {qn(str(pk.column))}"
        )
        ids = dict(cursor.fetchall())
        cursor.execute(f"DROP TABLE {temp}")
    return ids


def update(manager: models.Manager, objs: list[Any], *, fields: list[str]) -> None:
    """Write ``fields`` of ``objs`` (rows that exist) to their rows, by primary key."""
    if not objs:
        return
    model = manager.model
    connection = connections[manager.db]
    if connection.vendor != "postgresql":
        manager.bulk_update(objs, fields)
        return
    pk = model._meta.pk
    assert pk is not None
    written = [model._meta.get_field(name) for name in fields]
    qn = connection.ops.quote_name
    table = qn(str(model._meta.db_table))
    sets = ", ".join(f"{qn(str(field.column))} = t.{qn(str(field.column))}" for field in written)
    with connection.cursor() as cursor:
        temp = _copy_into_temp(cursor, model, [pk, *written], objs)
        cursor.execute(
            f"UPDATE {table} SET {sets} FROM {temp} t "  # noqa: S608
            f"WHERE {table}.{qn(str(pk.column))} = t.{qn(str(pk.column))}"
        )
        cursor.execute(f"DROP TABLE {temp}")


def insert(model: type[models.Model], objs: list[Any], *, using: str = "default") -> None:
    """Insert ``objs`` (new rows; their primary keys are not read back)."""
    if not objs:
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        model._default_manager.using(using).bulk_create(objs)
        return
    fields = _columns(model)
    qn = connection.ops.quote_name
    columns = ", ".join(qn(str(field.column)) for field in fields)
    preparers = _preparers(fields, connection)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {qn(str(model._meta.db_table))} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objs:
            copy.write_row([prepare(obj) for prepare in preparers])


def insert_values(model: type[models.Model], attnames: list[str], rows: list[tuple[Any, ...]], *, using: str) -> None:
    """Insert ``rows``, tuples of database-ready values for ``attnames``
    (every column the table needs a value for; no instances are built on
    PostgreSQL)."""
    if not rows:
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        model._default_manager.using(using).bulk_create(
            [model(**dict(zip(attnames, row, strict=True))) for row in rows]
        )
        return
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    qn = connection.ops.quote_name
    columns = ", ".join(qn(str(by_attname[name].column)) for name in attnames)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {qn(str(model._meta.db_table))} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
