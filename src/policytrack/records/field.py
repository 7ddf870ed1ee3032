"""What a field of a record is, and what a kind of record is: the one vocabulary every declaration in
records/ uses, and every writer, reader, validator, data package and sync file derives from.

A `Field` says, once: its type, what it means (one sentence, used wherever a column is described), the rule
its values follow (bounds, choices, a pattern), whether people type it (`free_text`: shown literally, never a
spreadsheet formula), whether it is published (`public`) or stays with the team, whether it travels in sync
(`synced`), the value data written by an older release gets (`default`), and the migration that added it
(`since`), and whether it names who made the record (`actor`: in sync, a line binds to the analyst whose
folder holds it by these fields). A `Kind` is a named, ordered tuple of fields.

Plain classes with slots, not dataclasses: `log` imports the entry declaration at every start, and a
dataclass costs its class creation at import time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final, Literal

Type = Literal["integer", "number", "text", "date", "datetime", "list", "boolean", "uuid", "key"]


class _Missing:
    """The default of a field that every record must carry (no default for older data)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Final = _Missing()

# How each type is described to people (the xlsx `columns` sheet) and to a Table Schema (data packages).
TYPE_WORDS: Final[dict[str, str]] = {
    "integer": "whole number",
    "number": "number",
    "text": "text",
    "date": "date (YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD, at its precision)",
    "datetime": "time (UTC, ISO 8601)",
    "list": "list (text, items joined with '; ')",
    "boolean": "true/false",
    "uuid": "uuid",
    "key": "key (lower-case letters, digits, '-' and '_')",
}
TABLE_SCHEMA_TYPES: Final[dict[str, str]] = {
    "integer": "integer",
    "number": "number",
    "text": "string",
    "date": "string",
    "datetime": "string",
    "list": "string",
    "boolean": "boolean",
    "uuid": "string",
    "key": "string",
}
DATE_PATTERN: Final = r"^\d{4}(-\d{2}(-\d{2})?|-Q[1-4])?$"
UUID_PATTERN: Final = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
KEY_PATTERN: Final = r"^[a-z0-9][a-z0-9_-]*$"
# A language as a BCP 47 tag, checked for form only (a lower-case primary language of two or three letters,
# then subtags: fr, en-GB, bm-Latn-ML); `und` (undetermined) is the tag of a language not said.
LANGUAGE_PATTERN: Final = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
OPTIONAL_LANGUAGE_PATTERN: Final = r"^([a-z]{2,3}(-[A-Za-z0-9]{2,8})*)?$"
UNDETERMINED: Final = "und"


class Field:
    """One field of a record kind (see the module's docstring for what each attribute means)."""

    __slots__ = (
        "actor",
        "choices",
        "default",
        "description",
        "free_text",
        "maximum",
        "minimum",
        "name",
        "nullable",
        "pattern",
        "public",
        "since",
        "synced",
        "type",
    )

    def __init__(
        self,
        name: str,
        type: Type,
        description: str,
        *,
        free_text: bool = False,
        public: bool = True,
        synced: bool = True,
        nullable: bool = False,
        default: Any = REQUIRED,
        since: str = "m001_initial",
        minimum: int | None = None,
        maximum: int | None = None,
        choices: tuple[str, ...] | None = None,
        pattern: str | None = None,
        actor: bool | tuple[str, str] = False,
    ) -> None:
        self.name = name
        self.type = type
        self.description = description
        self.free_text = free_text
        self.public = public
        self.synced = synced
        self.nullable = nullable
        self.default = default
        self.since = since
        self.minimum = minimum
        self.maximum = maximum
        self.choices = choices
        self.pattern = pattern
        # True: the field names who made the record (when set); (WHEN, AT): it names who acted when the
        # record's WHEN field equals its AT field (a review is made by the revision whose time it has; one
        # carried over from an earlier revision names who acted then).
        self.actor = actor

    def renamed(self, name: str) -> Field:
        """The same field under another name (an output that calls a stored field otherwise: a target's
        `start` is the `from` of `targets`): one description, one rule."""
        twin = object.__new__(type(self))
        for slot in _all_slots(type(self)):
            setattr(twin, slot, getattr(self, slot))
        twin.name = name
        return twin

    @property
    def required(self) -> bool:
        """Whether data written by an older release must already carry it (it has no default)."""
        return self.default is REQUIRED

    def table_schema(self) -> dict[str, Any]:
        """The field as a Frictionless Table Schema field: name, type, description and constraints."""
        out: dict[str, Any] = {
            "name": self.name,
            "type": TABLE_SCHEMA_TYPES[self.type],
            "description": self.description,
        }
        constraints: dict[str, Any] = {}
        # empty text is an empty cell, which a Table Schema reads as missing: only other types are required
        if not self.nullable and self.required and self.type not in ("text", "list"):
            constraints["required"] = True
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if self.choices is not None:
            constraints["enum"] = list(self.choices)
        pattern = self.pattern or {"date": DATE_PATTERN, "uuid": UUID_PATTERN}.get(self.type)
        if pattern is not None:
            constraints["pattern"] = pattern
        if constraints:
            out["constraints"] = constraints
        return out

    def __repr__(self) -> str:
        return f"Field({self.name!r}, {self.type!r})"


def _all_slots(cls: type) -> tuple[str, ...]:
    return tuple(s for c in cls.__mro__ for s in getattr(c, "__slots__", ()))


class Column(Field):
    """A field a store table keeps (or a query reads): the SQL expression that reads it (entries read over
    the aliases e for entries, i indicators, f frameworks, s and v sources; other kinds name the table's
    column), whether the table stores it (what an insert writes), and whether export writes it."""

    __slots__ = ("exported", "sql", "stored")

    def __init__(
        self,
        name: str,
        type: Type,
        description: str,
        sql: str,
        *,
        stored: bool = False,
        exported: bool = True,
        **rules: Any,
    ) -> None:
        super().__init__(name, type, description, **rules)
        self.sql = sql
        self.stored = stored
        self.exported = exported

    @property
    def kind(self) -> str:
        """The cell kind export and import work with: number, text or list."""
        return "number" if self.type in ("integer", "number") else "list" if self.type == "list" else "text"


class Kind:
    """A kind of record: its name (singular, as sync files and messages say it), what one record is, and
    its fields in their order (the order of CSV columns, JSON keys and xlsx columns)."""

    __slots__ = ("_by_name", "description", "fields", "name")

    def __init__(self, name: str, description: str, fields: tuple[Field, ...]) -> None:
        self.name = name
        self.description = description
        self.fields = fields
        self._by_name = {f.name: f for f in fields}
        if len(self._by_name) != len(fields):
            raise ValueError(f"record kind {name!r} declares a field twice")

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Field:
        return self._by_name[name]

    def get(self, name: str) -> Field | None:
        return self._by_name.get(name)

    def names(
        self,
        *,
        public: bool | None = None,
        synced: bool | None = None,
        free_text: bool | None = None,
    ) -> tuple[str, ...]:
        """The names of the fields that match every filter given, in declaration order."""
        return tuple(
            f.name
            for f in self.fields
            if (public is None or f.public == public)
            and (synced is None or f.synced == synced)
            and (free_text is None or f.free_text == free_text)
        )

    def subset(self, name: str, description: str, names: tuple[str, ...]) -> Kind:
        """Another kind made of some of these fields, in the order given (a view of this kind: the same
        descriptions and rules)."""
        return Kind(name, description, tuple(self[n] for n in names))

    def stored(self) -> tuple[str, ...]:
        """The names of the fields the kind's table stores (Columns with stored=True), in order."""
        return tuple(f.name for f in self.fields if isinstance(f, Column) and f.stored)

    def exported(self) -> tuple[str, ...]:
        """The names of the fields its export writes (every field but a Column with exported=False)."""
        return tuple(f.name for f in self.fields if not isinstance(f, Column) or f.exported)

    def actors(self) -> tuple[Field, ...]:
        """The fields that name who made a record of this kind (`Field.actor`): what binds a teammate's
        line to the analyst whose folder holds it."""
        return tuple(f for f in self.fields if f.actor)

    def descriptions(self) -> dict[str, str]:
        return {f.name: f.description for f in self.fields}

    def defaults(self) -> dict[str, Any]:
        """What data written before a field existed is read with: each field that has a default."""
        return {f.name: f.default for f in self.fields if not f.required}

    def table_schema(self, names: tuple[str, ...] | None = None) -> dict[str, Any]:
        """A Frictionless Table Schema of these fields (all, or `names` in that order)."""
        chosen = self.fields if names is None else tuple(self[n] for n in names)
        return {"fields": [f.table_schema() for f in chosen]}

    def __repr__(self) -> str:
        return f"Kind({self.name!r}, {len(self.fields)} fields)"
