"""Writing many rows of one model in one statement each, without building the ORM's SQL per object.

An Excel import saves a few hundred cells and their history at once. Django's `bulk_create` and
`bulk_update` compile every field of every object through the query compiler (and `bulk_update`
writes a CASE per column); that was nine tenths of an import's time. These helpers prepare each
value with the field's own `get_db_prep_save` (so encrypted JSON fields, dates and foreign keys are
stored exactly as the ORM stores them) and hand the rows to the driver's `executemany`.

`values_insert` and `values_update` take plain rows (a tuple of the columns' values), so a caller
writing hundreds of cells need not build a model instance for each; `rows_insert` and `rows_update`
take model instances. They do not send signals, run `save()`, fill defaults or return primary keys:
the caller gives every column. Use them only where that is what the caller wants (appending history rows, updating
rows it has locked).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from django.db import connections, models, router


def _columns(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    return [model._meta.get_field(name) for name in names]  # type: ignore[misc]


def _name(column: models.Field[Any, Any]) -> str:
    if column.column is None:
        raise ValueError(f"{column.name} has no database column")
    return column.column


# Columns whose Python value is what the driver takes: no preparation needed.
_AS_IS_TYPES = frozenset(
    {models.CharField, models.TextField, models.IntegerField, models.PositiveIntegerField,
     models.PositiveSmallIntegerField, models.SmallIntegerField, models.BigIntegerField}
)  # fmt: skip


def _preparers(columns: Sequence[models.Field[Any, Any]], connection: Any) -> list[Callable[[Any], Any]]:
    """Per column, how its Python value becomes a parameter: as the ORM would, with the plain
    cases (text, integers, foreign keys by id, datetimes) done directly."""
    out: list[Callable[[Any], Any]] = []
    for column in columns:
        if type(column) in _AS_IS_TYPES or isinstance(column, models.ForeignKey):
            out.append(_identity)
        elif type(column) is models.DateTimeField:
            out.append(_last_kept(connection.ops.adapt_datetimefield_value))
        elif isinstance(column, models.JSONField):
            out.append(_json_preparer(column, connection))
        else:
            out.append(partial(column.get_db_prep_save, connection=connection))
    return out


def _identity(value: Any) -> Any:
    return value


def _json_preparer(column: models.JSONField[Any], connection: Any) -> Callable[[Any], Any]:
    """A JSON column's value: plain text (most cells) and SQL NULL directly, as the field's own
    preparation ends up with them; everything else through the field (a `str` subclass too, such
    as the strings `SealedJSONField` encrypts). A field whose `get_prep_value` changes plain text
    is always asked."""
    adapt, encoder = connection.ops.adapt_json_value, column.encoder
    full = partial(column.get_db_prep_save, connection=connection)
    probe = "lib.rows probe"
    if type(prep := column.get_prep_value(probe)) is not str or prep != probe:
        return full

    def prepared(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is str:
            return adapt(value, encoder)
        return full(value)

    return prepared


def _last_kept(prepare: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`prepare`, done once for a run of the same (immutable) value: the rows of one save share
    their timestamp."""
    last: list[Any] = [object(), None]

    def prepared(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, prepare(value)
        return last[1]

    return prepared


def _prepared(
    model: type[models.Model], rows: Sequence[Sequence[Any]], fields: Sequence[str]
) -> tuple[Any, list[models.Field[Any, Any]], list[tuple[Any, ...]]]:
    """The connection, the columns and each row's values of `fields`, prepared for the driver.
    Column by column: the columns taken as they are (most of them) are not touched, and the others
    are prepared with one `map` each, rather than a Python call for every value of every row."""
    connection = connections[router.db_for_write(model)]
    columns = _columns(model, fields)
    preparers = _preparers(columns, connection)
    if not rows:
        return connection, columns, []
    # strict: a row with more or fewer values than `fields` raises ValueError, as row by row did.
    by_column = [
        values if prepare is _identity else list(map(prepare, values))
        for prepare, values in zip(preparers, zip(*rows, strict=True), strict=True)
    ]
    return connection, columns, list(zip(*by_column, strict=True))


def _attributes(
    model: type[models.Model], objects: Sequence[models.Model], fields: Sequence[str]
) -> list[list[Any]]:
    names = [c.attname for c in _columns(model, fields)]
    return [[getattr(obj, a) for a in names] for obj in objects]


def rows_insert(model: type[models.Model], objects: Sequence[models.Model], fields: Sequence[str]) -> None:
    """INSERT `objects` (their `fields`, by attribute name: `updated_by`, not `updated_by_id`)."""
    values_insert(model, _attributes(model, objects, fields), fields)


def values_insert(model: type[models.Model], rows: Sequence[Sequence[Any]], fields: Sequence[str]) -> None:
    """INSERT `rows`, each the values of `fields` in order, as the model's attributes hold them
    (a foreign key by its id), without building model instances."""
    if not rows:
        return
    connection, columns, params = _prepared(model, rows, fields)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(_name(c)) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def rows_update(model: type[models.Model], objects: Sequence[models.Model], fields: Sequence[str]) -> None:
    """UPDATE each of `objects` (by primary key) to its `fields`' current values."""
    values_update(
        model,
        [[*row, obj.pk] for row, obj in zip(_attributes(model, objects, fields), objects, strict=True)],
        fields,
    )


def values_update(model: type[models.Model], rows: Sequence[Sequence[Any]], fields: Sequence[str]) -> None:
    """UPDATE rows by primary key: each of `rows` is the values of `fields` in order, then the key."""
    if not rows:
        return
    pk = model._meta.pk
    assert pk is not None
    connection, columns, params = _prepared(model, [row[:-1] for row in rows], fields)
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(model._meta.db_table),
        ", ".join(f"{quote(_name(c))} = %s" for c in columns),
        quote(_name(pk)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*values, row[-1]] for values, row in zip(params, rows, strict=True)])
