"""`policytrack publish DIR`: a citable bundle for a data repository or a journal: entries (CSV, JSONL),
indicators, the framework files as loaded, the reports, a Frictionless `datapackage.json`, a public copy
of the database with a Datasette `metadata.json`, `CITATION.cff` and a `MANIFEST` of sha256 sums.

Every file holds the current state and public fields only (records/ declares what is public); `--with-history`
adds earlier revisions to the database copy, and says so. Everything is a function of the data and the as-of
date: publishing twice gives the same bytes. The JSON and YAML are written with the standard library.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from policytrack import __version__
from policytrack.core.errors import InputError
from policytrack.core.i18n import _
from policytrack.core.paths import path_problem, too_long
from policytrack.exchange.export import csv_lines, json_texts
from policytrack.records.columns import PUBLISHED
from policytrack.records.entry import ENTRY, FACETS, SEARCHED, SOURCE_NAME, VIA_NAME
from policytrack.records.field import Column, Kind
from policytrack.records.forecast import FORECAST
from policytrack.records.framework import FRAMEWORK_VERSION
from policytrack.records.indicator import PUBLISHED_INDICATOR
from policytrack.records.models import EntryFilter, Framework, Source
from policytrack.records.source import SOURCE
from policytrack.records.target import TARGET
from policytrack.render.formats import write_built, write_csv, write_records
from policytrack.render.text import source_link
from policytrack.store import Store
from policytrack.store.counts import KEPT_COUNTS, refill
from policytrack.store.reports import latest_target_sql
from policytrack.store.schema import PUBLISHED_SEARCH_TABLE

DATABASE = "policytrack.db"
LICENSE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/", "title": "CC BY 4.0"}
# The public copy's own full-text index of the current_entries view (records.entry.SEARCHED).
SEARCH_TABLE = PUBLISHED_SEARCH_TABLE
# The tables the public copy keeps, each with the record kind that declares its columns (None: a table of
# the framework, public as the framework file published beside it). Every other table is dropped: sync's
# bookkeeping (sync_*), the analysts' display names, undo's reversals, and any table added later until it
# is named here. In a kept table, a field declared `public=False` is emptied (`_private_columns`).
PUBLIC_TABLES: dict[str, Kind | None] = {
    "frameworks": None,
    "status_levels": None,
    "indicators": None,
    "entries": ENTRY,
    "entry_revisions": ENTRY,
    "sources": SOURCE,
    "forecasts": FORECAST,
    "targets": TARGET,
    "framework_versions": FRAMEWORK_VERSION,
    "entry_counts": None,  # filled from the copy's own rows once they are chosen (it keeps no trigger)
    "_sqlite_migrations": None,  # which schema the copy has
}


def check_target(target: Path, keep_out: Sequence[Path] = ()) -> None:
    """DIR must not exist yet, or be an empty directory: a bundle never mixes with other files. It is
    written beside DIR and moved into place, so DIR must be a name of its own (not the current folder,
    not a symlink) short enough for the file system to hold beside it. Nor may it be in any of the
    `keep_out` folders (what `policytrack sync` rewrites: a bundle there would be deleted)."""
    try:
        _check_target(target)
        _check_outside(target, keep_out)
    except OSError as exc:
        raise InputError(
            _("cannot publish into {target}: {problem}").format(
                target=target, problem=path_problem(target, exc)
            )
        ) from None


def _check_outside(target: Path, keep_out: Sequence[Path]) -> None:
    where = target.parent.resolve() / target.name  # symlinks of the parents followed; DIR is no symlink
    for folder in keep_out:
        inside = folder.resolve()
        if where == inside or where.is_relative_to(inside):
            raise InputError(
                _(
                    "cannot publish into {target}: it is inside {folder}, which `policytrack sync` rewrites "
                    "(the next sync would delete the bundle); give a folder outside it, such as {example}"
                ).format(target=target, folder=folder, example=folder.parent / "release")
            )


def _check_target(target: Path) -> None:
    if target.name in ("", ".", ".."):
        raise InputError(
            _(
                "cannot publish into {target}: it is the current folder (or above it); give the name of a "
                "new folder, such as release-2024"
            ).format(target=target)
        )
    if too_long(target, spare=len("..") + 8):  # the folder written beside it: .NAME.XXXXXXXX
        raise InputError(
            _(
                "cannot publish into {target}: its name is too long for the file system; give a shorter name"
            ).format(target=target)
        )
    if target.is_symlink():
        linked = _("it is a symlink; give the folder itself, or a new name")
        problem = path_problem(target) if not target.exists() else linked
        raise InputError(_("cannot publish into {target}: {problem}").format(target=target, problem=problem))
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(
            _("{target} is not an empty directory; give a new or empty directory to publish into").format(
                target=target
            )
        )
    if not target.parent.exists():
        raise InputError(
            _("cannot publish into {target}: directory {parent} does not exist").format(
                target=target, parent=target.parent
            )
        )
    if not target.parent.is_dir():
        raise InputError(
            _("cannot publish into {target}: {parent} is not a folder; check the path").format(
                target=target, parent=target.parent
            )
        )


def _schema(kind: Kind) -> dict[str, Any]:
    """The Table Schema of a CSV of `kind`: each field typed, described and constrained by its declaration;
    an empty cell is a missing value."""
    return {**kind.table_schema(), "missingValues": [""]}


def _entry_files(store: Store, frameworks: Sequence[Framework], as_of: date, work: Path) -> dict[str, str]:
    """entries.csv, entries.jsonl and indicators.csv written into `work` as SQLite reads them (flat memory at
    any size); their sha256 by name."""
    flt = EntryFilter(until=as_of)
    fields = PUBLISHED.names()
    paths = {name: work / name for name in ("entries.csv", "entries.jsonl", "indicators.csv")}
    with paths["entries.csv"].open("w", encoding="utf-8", newline="") as out:
        write_csv(out, fields, lines=csv_lines(store, frameworks, flt, fields=fields))
    with paths["entries.jsonl"].open("w", encoding="utf-8", newline="") as out:
        write_built("jsonl", out, PUBLISHED, json_texts(store, frameworks, flt, fields=fields))
    with paths["indicators.csv"].open("w", encoding="utf-8", newline="") as out:
        write_records("csv", out, PUBLISHED_INDICATOR, _indicator_records(frameworks))
    return {name: _digest(path) for name, path in paths.items()}


def _digest(path: Path) -> str:
    """A file's sha256, read a block at a time."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _indicator_records(frameworks: Sequence[Framework]) -> Iterator[dict[str, Any]]:
    for fw in frameworks:
        for ind in fw.indicators:
            yield {
                "framework": fw.name,
                "key": ind.key,
                "number": ind.number,
                "kind": ind.kind,
                "title": ind.title,
                "description": ind.description,
            }


def _title(frameworks: Sequence[Framework]) -> str:
    titles = dict.fromkeys(fw.title for fw in frameworks)  # two frameworks of one paper: named once
    return "; ".join(titles) + " - evidence tracked with policytrack"


def _sources(frameworks: Sequence[Framework]) -> list[Source]:
    """The papers the frameworks track, each once (a paper's recommendations and its risks cite it twice)."""
    cited: dict[tuple[str, ...], Source] = {}
    for fw in frameworks:
        src = fw.source
        cited.setdefault((src.title, src.author, src.outlet, src.url), src)
    return list(cited.values())


def _description(frameworks: Sequence[Framework], as_of: date, with_history: bool) -> str:
    sources = "; ".join(src.citation() for src in _sources(frameworks))
    held = (
        "The database copy also holds every earlier revision of the published entries, and of targets "
        "and framework versions (published with --with-history): text an edit removed is in that history."
        if with_history
        else "Every file and the database copy hold the current state and public fields only: no earlier "
        "revision, no deleted entry, no private note."
    )
    return (
        f"Dated, sourced and graded evidence on whether the recommendations of {sources} are carried out, "
        f"as of {as_of.isoformat()}. {held} Text cells of the CSV that a spreadsheet would run as a "
        "formula start with an apostrophe; entries.jsonl holds the text exactly."
    )


def datapackage(
    frameworks: Sequence[Framework],
    as_of: date,
    reports: dict[str, Kind],
    *,
    with_history: bool = False,
    datasets: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The Frictionless Data Package: one resource per CSV, each with its Table Schema; whether the
    database copy holds earlier revisions is said in its description and in `policytrack:history`; its
    sources the papers tracked and the datasets that accepted evidence came from (`datasets`: name and
    attribution, Store.publish_datasets)."""
    entries_schema = _schema(PUBLISHED)
    entries_schema["primaryKey"] = ["uuid"]
    entries_schema["foreignKeys"] = [
        {
            "fields": ["framework", "indicator"],
            "reference": {"resource": "indicators", "fields": ["framework", "key"]},
        }
    ]
    indicators_schema = _schema(PUBLISHED_INDICATOR)
    indicators_schema["primaryKey"] = ["framework", "key"]
    resources = [
        _resource("entries", "entries.csv", "Current evidence entries", entries_schema),
        _resource("indicators", "indicators.csv", "The frameworks' indicators", indicators_schema),
    ]
    for path, kind in sorted(reports.items()):
        name = path.removesuffix(".csv").replace("_", "-")
        resources.append(_resource(name, path, f"Report as of {as_of.isoformat()}", _schema(kind)))
    first = frameworks[0].source
    return {
        "profile": "tabular-data-package",
        "name": "policytrack-" + "-".join(fw.name for fw in frameworks),
        "title": _title(frameworks),
        "description": _description(frameworks, as_of, with_history),
        "version": as_of.isoformat(),
        "created": f"{as_of.isoformat()}T00:00:00Z",
        "policytrack:history": with_history,
        "licenses": [LICENSE],
        "sources": [
            *(_source(src) for src in _sources(frameworks)),
            *({"title": _dataset_citation(name, terms)} for name, terms in datasets),
        ],
        "keywords": ["policy", "recommendations", "implementation tracking", first.outlet or "evidence"],
        "resources": resources,
    }


def _source(src: Source) -> dict[str, str]:
    """A framework's paper as a Data Package source: its citation (any URL in it as text), and its URL
    as the link (`path`) only when it is http(s) (render.text.source_link)."""
    link = source_link(src.url)
    return {"title": src.citation(), **({"path": link} if link else {})}


def _dataset_citation(name: str, terms: str) -> str:
    """A dataset that evidence came from, as its attribution asks to be cited (issue 24: the terms stay
    the user's; the bundle carries the entries made from it, never its rows)."""
    return f"{terms} (dataset: {name})" if terms else f"Dataset: {name}"


def _resource(name: str, path: str, title: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "title": title,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def datasette_metadata(
    frameworks: Sequence[Framework], as_of: date, *, with_history: bool = False
) -> dict[str, Any]:
    """Datasette's metadata: title, licence, source, column descriptions, facets, a default sort and
    full-text search on the current_entries view through the public copy's own index of it (SEARCHED).
    Datasette links `source_url` and `license_url`: each is given only when it is http(s)."""
    source = frameworks[0].source
    source_url = source_link(source.url)
    license_url = source_link(LICENSE["path"])
    columns = PUBLISHED.descriptions()
    view_columns = {
        **columns,
        **{f.name: f.description for f in (SOURCE_NAME, VIA_NAME)},
    }
    return {
        "title": _title(frameworks),
        "description": _description(frameworks, as_of, with_history),
        "license": LICENSE["title"],
        **({"license_url": license_url} if license_url else {}),
        "source": source.citation(),
        **({"source_url": source_url} if source_url else {}),
        "databases": {
            Path(DATABASE).stem: {
                "tables": {
                    "current_entries": {
                        "title": "Current evidence entries",
                        "fts_table": SEARCH_TABLE,
                        "fts_pk": "id",
                        "sort_desc": "date",
                        "facets": list(FACETS),
                        "columns": view_columns,
                    },
                    "entries": {"sort_desc": "date", "columns": columns},
                }
            }
        },
    }


def _yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def citation(
    store: Store,
    frameworks: Sequence[Framework],
    as_of: date,
    with_history: bool = False,
    names: dict[str, str] | None = None,
) -> str:
    """CITATION.cff (Citation File Format 1.2.0): the dataset, its analysts by their display names (`names`,
    else their login), the papers it tracks, each once (a paper's `url` only when it is http(s); any
    other is kept as text in `notes`), and the datasets accepted evidence came from, with their
    attribution."""
    logins = store.publish_analysts([fw.name for fw in frameworks], as_of.isoformat())
    analysts = list(dict.fromkeys((names or {}).get(a) or a for a in logins)) or ["policytrack"]
    lines = [
        "cff-version: 1.2.0",
        'message: "If you use this dataset, please cite it as below, and the paper it tracks."',
        "type: dataset",
        f"title: {_yaml_text(_title(frameworks))}",
        f"abstract: {_yaml_text(_description(frameworks, as_of, with_history))}",
        f"version: {_yaml_text(as_of.isoformat())}",
        f"date-released: {_yaml_text(as_of.isoformat())}",
        f"license: {LICENSE['name']}",
        "authors:",
        *(f"  - name: {_yaml_text(name)}" for name in analysts),
        "references:",
    ]
    for src in _sources(frameworks):
        lines += ["  - type: article", f"    title: {_yaml_text(src.title)}"]
        if src.author:
            lines += ["    authors:", f"      - name: {_yaml_text(src.author)}"]
        else:
            lines += ["    authors:", '      - name: "unknown"']
        if src.outlet:
            lines.append(f"    journal: {_yaml_text(src.outlet)}")
        link = source_link(src.url)
        if link:
            lines.append(f"    url: {_yaml_text(link)}")
        elif src.url:
            lines.append(f"    notes: {_yaml_text('URL as given (not a web address): ' + src.url)}")
    for name, terms in store.publish_datasets([fw.name for fw in frameworks], as_of.isoformat()):
        lines += [
            "  - type: data",
            f"    title: {_yaml_text(_dataset_citation(name, terms))}",
            "    authors:",
            f"      - name: {_yaml_text(name)}",
        ]
    return "\n".join(lines) + "\n"


def manifest(files: dict[str, bytes], as_of: date, digests: dict[str, str] | None = None) -> str:
    """The MANIFEST: each file's sha256, from its bytes (`files`) or its digest (`digests`: the files
    written as they were made)."""
    sums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()} | (digests or {})
    lines = [f"# policytrack {__version__}", f"# as-of {as_of.isoformat()}", "# sha256  file"]
    lines += [f"{digest}  {name}" for name, digest in sorted(sums.items())]
    return "\n".join(lines) + "\n"


def _write_streamed(path: Path, chunks: Iterable[bytes]) -> str:
    """A file written piece by piece as it is made; its sha256."""
    digest = hashlib.sha256()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in chunks:
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _public_copy(
    store: Store, target: Path, frameworks: Sequence[Framework], as_of: date, with_history: bool
) -> None:
    """The database with what the bundle publishes: no deleted entry nor its history, no entry dated after
    the as-of date or of another framework; only the tables of PUBLIC_TABLES, their private fields
    emptied; without `with_history`, only the current revision of each entry, the current target of each
    indicator and the current version of each framework; a full-text index of the current_entries view
    (the copy never changes, so it keeps no trigger: those the backup brought are dropped first, so no
    deletion or emptied field below updates the search index or a count row by row; both are made once
    from the rows kept); compacted, so nothing removed stays in its bytes."""
    store.backup(target)
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("BEGIN")
        for (trigger,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.execute(f'DROP TRIGGER "{trigger}"')
        names = [fw.name for fw in frameworks]
        left_out = f"""SELECT e.id FROM entries e JOIN indicators i ON i.id = e.indicator_id
                       JOIN frameworks f ON f.id = i.framework_id
                       WHERE e.deleted_at IS NOT NULL OR e.date_start > ?
                       OR f.name NOT IN ({", ".join("?" for _ in names)})"""
        params = (as_of.isoformat(), *names)
        _drop_team_tables(conn)
        conn.execute(f"DELETE FROM entry_revisions WHERE entry_id IN ({left_out})", params)
        conn.execute(f"DELETE FROM entries WHERE id IN ({left_out})", params)
        if not with_history:
            _current_only(conn)
        _uncited_sources_out(conn)
        _private_columns_out(conn)
        conn.execute("INSERT INTO entries_fts(entries_fts) VALUES ('rebuild')")
        for kept in KEPT_COUNTS:
            if kept.table in PUBLIC_TABLES:
                refill(conn, kept.table)
        searched = ", ".join(SEARCHED)
        conn.execute(f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5({searched}, tokenize='unicode61')")
        conn.execute(
            f"INSERT INTO {SEARCH_TABLE} (rowid, {searched}) "
            f"SELECT id, {', '.join(f'coalesce({c}, {chr(39) * 2})' for c in SEARCHED)} FROM current_entries"
        )
        conn.execute("COMMIT")
        conn.execute("VACUUM")
    finally:
        conn.close()


def _drop_team_tables(conn: sqlite3.Connection) -> None:
    """Every table PUBLIC_TABLES does not name (the full-text index's own tables stay: it is rebuilt)."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "AND name NOT LIKE 'entries\\_fts%' ESCAPE '\\' ORDER BY name"
        )
    ]
    dropped = [table for table in tables if table not in PUBLIC_TABLES]
    for table in dropped:
        conn.execute(f'DROP TABLE "{table}"')


def _current_only(conn: sqlite3.Connection) -> None:
    """No history: each entry's current revision, each indicator's current target (the latest set, as
    reports take it), each framework's current version."""
    conn.execute(
        """DELETE FROM entry_revisions WHERE revision < (SELECT max(r.revision) FROM entry_revisions r
           WHERE r.entry_id = entry_revisions.entry_id)"""
    )
    conn.execute(f"DELETE FROM targets WHERE id <> {latest_target_sql('targets')}")
    conn.execute(
        """DELETE FROM framework_versions WHERE version < (SELECT max(v.version) FROM framework_versions v
           WHERE v.framework_id = framework_versions.framework_id)"""
    )


def _uncited_sources_out(conn: sqlite3.Connection) -> None:
    """Registered sources no published entry (or revision) cites, directly or through a merge: a name
    registered and never published (an informant's, say) is not published by the registry either."""
    conn.execute(
        """WITH RECURSIVE cited(id) AS (
               SELECT source_id FROM entry_revisions WHERE source_id IS NOT NULL
               UNION SELECT via_id FROM entry_revisions WHERE via_id IS NOT NULL
               UNION SELECT source_id FROM entries WHERE source_id IS NOT NULL
               UNION SELECT via_id FROM entries WHERE via_id IS NOT NULL
               UNION SELECT s.merged_into FROM sources s JOIN cited c ON s.id = c.id
                     WHERE s.merged_into IS NOT NULL)
           DELETE FROM sources WHERE id NOT IN (SELECT id FROM cited)"""
    )


def _private_columns_out(conn: sqlite3.Connection) -> None:
    """Every stored field a kept table's declaration says is not public, emptied (NULL where the field may
    be empty, else ''); the local ids that join the copy's own tables stay (they say nothing outside it)."""
    for table, kind in PUBLIC_TABLES.items():
        for f in kind or ():
            if isinstance(f, Column) and f.stored and not f.public and f.type != "integer":
                conn.execute(f'UPDATE "{table}" SET "{f.name}" = ?', (None if f.nullable else "",))


def publish(
    store: Store,
    frameworks: Sequence[Framework],
    as_of: date,
    target: Path,
    reports: dict[str, bytes],
    report_kinds: dict[str, Kind],
    *,
    with_history: bool = False,
    keep_out: Sequence[Path] = (),
    names: dict[str, str] | None = None,
    streamed: Iterable[tuple[str, Iterable[bytes]]] = (),
) -> list[str]:
    """Write the bundle into a new folder beside `target`, then move it into place: all of it, or nothing.
    `reports` are the report files by name (the command renders them), `report_kinds` the kind of record of
    each CSV one (for its schema); `with_history` keeps earlier revisions in the database copy; `keep_out`
    the folders the bundle must not be in (check_target); `streamed` the files too large to hold (the
    site), by name, each made piece by piece as it is written, one after the other. Returns the files
    written."""
    check_target(target, keep_out)
    files: dict[str, bytes] = dict(reports)
    for fw in frameworks:
        files[f"frameworks/{fw.name}.toml"] = store.framework_definition(fw.name).encode("utf-8")
    datasets = store.publish_datasets([fw.name for fw in frameworks], as_of.isoformat())
    package = datapackage(frameworks, as_of, report_kinds, with_history=with_history, datasets=datasets)
    files["datapackage.json"] = _json(package)
    files["metadata.json"] = _json(datasette_metadata(frameworks, as_of, with_history=with_history))
    files["CITATION.cff"] = citation(store, frameworks, as_of, with_history, names).encode("utf-8")
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise InputError(
            _("cannot publish into {target}: {problem}").format(
                target=target, problem=path_problem(target.parent, exc)
            )
        ) from None
    try:
        for name, data in files.items():
            path = work / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        digests = _entry_files(store, frameworks, as_of, work)
        digests.update({name: _write_streamed(work / name, chunks) for name, chunks in streamed})
        _public_copy(store, work / DATABASE, frameworks, as_of, with_history)
        digests[DATABASE] = _digest(work / DATABASE)
        (work / "MANIFEST").write_text(manifest(files, as_of, digests), encoding="utf-8")
        for path in [work, *work.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        if target.exists():
            target.rmdir()  # checked empty above
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return sorted([*files, *digests, "MANIFEST"])


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
