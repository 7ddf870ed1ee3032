"""Babel's extraction of records/ (babel.cfg's `descriptions`): each module's `_()` messages, as Babel's
Python extractor finds them, and the description of every field it declares, read from the declarations
themselves (a description built from a list, a helper that makes fields: whatever the module holds), so
that each one has its translation and is shown in the reader's language where a person reads it
(`described`). Imported by `pybabel extract` and the tests only, never by a command.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection, Iterator, Mapping
from pathlib import PurePath
from typing import IO, Any

from policytrack.records.field import Field, Kind


def fields_of(value: object) -> Iterator[Field]:
    """The fields a module-level value declares: a field, a kind's fields, or those in a tuple, list or
    dict of them."""
    if isinstance(value, Field):
        yield value
    elif isinstance(value, Kind):
        yield from value.fields
    elif isinstance(value, tuple | list):
        for item in value:
            yield from fields_of(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from fields_of(item)


def descriptions(module: str) -> list[str]:
    """The description of every field the module `policytrack.records.NAME` holds, in the order met,
    each once."""
    found: dict[str, None] = {}
    for value in vars(importlib.import_module(module)).values():
        for field in fields_of(value):
            found.setdefault(field.description, None)
    return list(found)


def module_of(filename: str) -> str | None:
    """`.../src/policytrack/records/entry.py` -> `policytrack.records.entry` (None for another file)."""
    path = PurePath(filename)
    parts = path.with_suffix("").parts
    if path.suffix != ".py" or len(parts) < 3 or parts[-3:-1] != ("policytrack", "records"):
        return None
    return ".".join(parts[-3:])


def extract(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: dict[str, Any],
) -> Iterator[tuple[Any, ...]]:
    """A Babel extraction method: the file's messages, then its fields' descriptions (line 0: they are
    read from the module, not its text). Each is (line, function, message, comments), as Babel's own
    Python extractor yields (its annotations say otherwise)."""
    from babel.messages.extract import extract_python

    yield from extract_python(fileobj, keywords, comment_tags, options)  # type: ignore[arg-type]
    module = module_of(getattr(fileobj, "name", ""))
    if module is not None:
        for description in descriptions(module):
            yield 0, None, description, []
