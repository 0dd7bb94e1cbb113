"""New rows of several tables written together: on PostgreSQL in two round trips, whatever their number.

An order placed whole is a dozen tables' worth of new rows that refer to each other (items to the
order, tasks to items, a new product to its item and back). Written table by table through the ORM,
each waits for the ids of the one before, and each pays the ORM's statement building, which costs
more CPU than the database spends storing the rows. Here the ids are taken from the tables'
sequences first, in one statement, and every row is then inserted with its id in one more round
trip: PostgreSQL's foreign keys are checked at commit (Django declares them deferred), so rows may
refer to rows written after them, and an item can have its product from the start instead of an
UPDATE afterwards.

Values go through each field's own pre_save and get_db_prep_save, as in Model.save and bulk_create
(auto_now timestamps, JSON, decimals), so the rows are those the ORM would write. Elsewhere
(SQLite) the rows go through bulk_create table by table, in the order given, and a reference to a
row not written yet is filled in by an UPDATE once it is.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

from django.db import connections
from django.db.models import BooleanField, CharField, Field, IntegerField, Model, TextField
from django.db.models.signals import post_save, pre_save
from psycopg.types.json import Jsonb


class Rows:
    """New model instances to insert together (add them in an order where rows come after what they need).

    give_ids() gives every row added so far its id; write() writes them all, with those added since
    (which do not learn their ids on PostgreSQL: add there only rows nothing refers to).
    """

    def __init__(self, using: str = "default"):
        self.using = using
        self.connection = connections[using]
        self.groups: list[tuple[type[Model], list[Model]]] = []
        self.saved: list[Model] = []
        # Ids from the sequences and every row in one round trip; otherwise table by table (any database).
        self.batched = self.connection.vendor == "postgresql"

    def add(self, objects, *, as_saved: bool = False) -> None:
        """Rows of one model; `as_saved`: send pre_save and post_save as Model.save() would (it did before)."""
        objects = [objects] if isinstance(objects, Model) else list(objects)
        if objects:
            self.groups.append((type(objects[0]), objects))
            if as_saved:
                for obj in objects:
                    pre_save.send(sender=type(obj), instance=obj, raw=False, using=self.using, update_fields=None)
                self.saved += objects

    def give_ids(self) -> None:
        """Every row added so far has its id (PostgreSQL: from the sequences, one statement; elsewhere written now)."""
        if not self.batched:
            self._write_each()
            return
        wanting = [(model, [obj for obj in objects if obj.pk is None]) for model, objects in self.groups]
        wanting = [(model, objects) for model, objects in wanting if objects]
        if not wanting:
            return
        columns, params = [], []
        for model, objects in wanting:
            table, column = model._meta.db_table, model._meta.pk.column
            if table in _sequences:
                columns.append("ARRAY(SELECT nextval(%s::regclass) FROM generate_series(1, %s))")
                params += [_sequences[table], len(objects)]
            else:  # learnt once per process, in the same statement (looked up on every row it costs more)
                columns.append(
                    "ARRAY(SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)), "
                    "pg_get_serial_sequence(%s, %s)"
                )
                params += [table, column, len(objects), table, column]
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(columns)}", params)
            answer = iter(cursor.fetchone())
        for model, objects in wanting:
            table = model._meta.db_table
            ids = next(answer)
            if table not in _sequences:
                _sequences[table] = next(answer)
            for obj, pk in zip(objects, sorted(ids), strict=True):
                obj.pk = pk

    def write(self) -> None:
        if self.batched:
            self._write_postgresql()
        else:
            self._write_each()
        for obj in self.saved:
            post_save.send(
                sender=type(obj), instance=obj, created=True, update_fields=None, raw=False, using=self.using
            )
        self.saved = []

    def _written(self, groups) -> None:
        for _model, objects in groups:
            for obj in objects:
                obj._state.adding, obj._state.db = False, self.using
                if hasattr(obj, "_update_initial_state"):  # django-fsm's ConcurrentTransitionMixin, as save() does
                    obj._update_initial_state()

    def _write_postgresql(self) -> None:
        for _model, objects in self.groups:
            for obj in objects:
                _fill_references(obj)
        statements = [_insert(self.connection, model, objects) for model, objects in self.groups]
        with self.connection.cursor() as cursor:
            if self.connection.settings_dict["OPTIONS"].get("server_side_binding"):
                for sql, params in statements:
                    cursor.execute(sql, params)
            elif statements:
                # Client-side binding sends the statements as one query string: one round trip.
                cursor.execute(
                    ";\n".join(sql for sql, _ in statements), [p for _, params in statements for p in params]
                )
        self._written(self.groups)
        self.groups = []

    def _write_each(self) -> None:
        later: dict[tuple[type[Model], tuple[str, ...]], list[Model]] = {}
        for model, objects in self.groups:
            pending = set()
            for obj in objects:
                for field in _references(model):
                    target = field.get_cached_value(obj, None)
                    if target is not None and target.pk is None:
                        pending.add(field.name)
            if pending:
                # Refers to rows written after these: written without the reference, filled in below.
                kept = [(obj, {name: getattr(obj, name) for name in pending}) for obj in objects]
                for obj, values in kept:
                    for name in values:
                        setattr(obj, name, None)
            model._default_manager.using(self.using).bulk_create(objects)
            if pending:
                for obj, values in kept:
                    for name, value in values.items():
                        setattr(obj, name, value)
                later.setdefault((model, tuple(sorted(pending))), []).extend(objects)
        for (model, names), objects in later.items():
            for obj in objects:
                _fill_references(obj)
            model._default_manager.using(self.using).bulk_update(objects, list(names))
        self._written(self.groups)
        self.groups = []


_sequences: dict[str, str] = {}  # table: its id's sequence
_plans: dict[tuple[type[Model], bool], list] = {}  # (model, without its id): columns to write
_references_of: dict[type[Model], list] = {}


def _references(model: type[Model]) -> list:
    if model not in _references_of:
        _references_of[model] = [f for f in model._meta.concrete_fields if f.is_relation]
    return _references_of[model]


def _fill_references(obj: Model) -> None:
    """The foreign key columns of rows related in memory (as bulk_create does before it writes)."""
    for field in _references(type(obj)):
        target = field.get_cached_value(obj, None)
        if target is not None:
            if target.pk is None:
                raise ValueError(f"{type(obj).__name__}.{field.name} refers to a row that is not written")
            if getattr(obj, field.attname) is None:
                setattr(obj, field.name, target)  # through the relation: keeps the object in memory too


def _insert(connection, model: type[Model], objects: list[Model]) -> tuple[str, list]:
    """One INSERT of every row of a table, their values sent as one JSON document (one parameter).

    Binding hundreds of parameters client-side costs more CPU than the rest of the write; PostgreSQL
    turns the document's values into the columns' types with the types' own input functions, as it
    does the literals psycopg would send.
    """
    key = (model, objects[0].pk is None)
    if key not in _plans:
        fields = [f for f in model._meta.concrete_fields if not f.generated]
        if objects[0].pk is None:  # the table's own default id (rows nothing refers to)
            fields.remove(model._meta.pk)
        _plans[key] = [(f.column, f.attname, _plain_type(f), f) for f in fields]
    plan = _plans[key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column, *_ in plan)
    table = quote(model._meta.db_table)
    document = json.dumps([_values(obj, plan, connection) for obj in objects], default=_json_value, ensure_ascii=False)
    sql = f"INSERT INTO {table} ({columns}) SELECT {columns} FROM json_populate_recordset(NULL::{table}, %s::json)"
    return sql, [document]


def _values(obj: Model, plan: list, connection) -> dict:
    """A row's values as Model.save() and bulk_create send them (pre_save, then get_db_prep_save).

    A text, number, flag or reference holding its plain type (or None) is sent as it is, which is
    what those two methods give back for it, without calling them.
    """
    row = {}
    for column, attname, plain, field in plan:
        if plain is not None:
            value = getattr(obj, attname)
            if value is None or type(value) is plain:
                row[column] = value
                continue
        row[column] = field.get_db_prep_save(field.pre_save(obj, True), connection)
    return row


def _plain_type(field) -> type | None:
    if field.is_relation:
        field = field.target_field
    if type(field).pre_save is not Field.pre_save:  # auto_now and the like
        return None
    if isinstance(field, CharField | TextField):
        return str
    if isinstance(field, BooleanField):
        return bool
    if isinstance(field, IntegerField):
        return int
    return None


def _json_value(value):
    """The document's form of what the fields give the database adapter (psycopg's Jsonb: its value)."""
    if isinstance(value, Jsonb):
        if value.dumps is not json.dumps:  # a field's own encoder: not one of ours so far
            raise TypeError("JSON fields with an encoder are not written by orders.rows")
        return value.obj
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    raise TypeError(f"{type(value).__name__} values are not written by orders.rows")
