"""`policytrack publish DIR`: a citable bundle, validated by frictionless and served by the real Datasette."""

from __future__ import annotations

import asyncio
import csv as csv_module
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Invoke


@pytest.fixture
def published(cli: Invoke, log: Callable[..., int], tmp_path: Path) -> Path:
    log(
        "diversify",
        "Barkhane and Takuba withdrawal announced",
        "--date",
        "2022-02-17",
        "--grade",
        "A1",
        "--effect",
        "-1",
    )
    log("regional", "AES treaty signed in Niamey", "--date", "2024-07-06", "--status", "commitment")
    gone = log("regional", "Barkhane rumour later withdrawn", "--date", "2024-07-07")
    assert cli("delete", str(gone), "--force").exit_code == 0
    log("regional", "=formula-looking summary", "--date", "2024-08")
    assert cli("target", "regional", "in-progress", "--by", "2027-12").exit_code == 0
    out = tmp_path / "bundle"
    result = cli("publish", str(out), "--as-of", "2024-12-31")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Published 14 files into")
    return out


def test_the_bundle_holds_every_file_and_a_manifest_of_their_sums(published: Path) -> None:
    names = sorted(p.relative_to(published).as_posix() for p in published.rglob("*") if p.is_file())
    assert names == [
        "CITATION.cff",
        "MANIFEST",
        "datapackage.json",
        "entries.csv",
        "entries.jsonl",
        "frameworks/mali-china-security.toml",
        "indicators.csv",
        "metadata.json",
        "policytrack.db",
        "report-mali-china-security.csv",
        "report-mali-china-security.html",
        "report-mali-china-security.json",
        "report-mali-china-security.md",
        "report-mali-china-security.xlsx",
    ]
    manifest = (published / "MANIFEST").read_text().splitlines()
    assert manifest[:2] == ["# policytrack 0.1.0", "# as-of 2024-12-31"]
    pairs = [line.split("  ", 1) for line in manifest if not line.startswith("#")]
    sums = {name: digest for digest, name in pairs}
    assert set(sums) == set(names) - {"MANIFEST"}
    for name, digest in sums.items():
        assert hashlib.sha256((published / name).read_bytes()).hexdigest() == digest
    entries = [json.loads(line) for line in (published / "entries.jsonl").read_text().splitlines()]
    assert [e["summary"] for e in entries] == [
        "Barkhane and Takuba withdrawal announced",
        "AES treaty signed in Niamey",
        "=formula-looking summary",
    ]
    citation = (published / "CITATION.cff").read_text()
    assert "cff-version: 1.2.0" in citation and '  - name: "tester"' in citation
    assert "title: \"China's support for Mali's military carries risks" in citation


def test_publishing_twice_gives_the_same_bytes(cli: Invoke, published: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert cli("publish", str(again), "--as-of", "2024-12-31").exit_code == 0
    for path in published.rglob("*"):
        if path.is_file() and path.name != "policytrack.db":
            assert path.read_bytes() == (again / path.relative_to(published)).read_bytes(), path.name
    later = tmp_path / "later"
    assert cli("publish", str(later), "--as-of", "2025-06-30").exit_code == 0
    assert (later / "MANIFEST").read_bytes() != (published / "MANIFEST").read_bytes()


def test_frictionless_validates_the_data_package(published: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    package = json.loads((published / "datapackage.json").read_text())
    entries = next(r for r in package["resources"] if r["name"] == "entries")
    fields = {f["name"]: f for f in entries["schema"]["fields"]}
    assert fields["effect"]["constraints"] == {"required": True, "minimum": -2, "maximum": 2}
    assert fields["date"]["type"] == "string" and "pattern" in fields["date"]["constraints"]
    assert fields["date_precision"]["constraints"] == {"enum": ["day", "month", "quarter", "year"]}
    assert entries["schema"]["primaryKey"] == ["uuid"]
    # every column of every CSV in the bundle is described, by its declaration
    for resource in package["resources"]:
        with (published / resource["path"]).open(encoding="utf-8", newline="") as f:
            header = next(csv_module.reader(f))
        described = resource["schema"]["fields"]
        assert [d["name"] for d in described] == header, resource["name"]
        assert all(d["description"] for d in described), resource["name"]
    assert entries["schema"]["foreignKeys"][0]["reference"]["resource"] == "indicators"
    report = frictionless.validate(str(published / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    # and it has teeth: an effect out of range, or an indicator no resource holds, is caught
    csv = published / "entries.csv"
    text = csv.read_text(encoding="utf-8")
    csv.write_text(text.replace('"diversify",', '"no-such-indicator",', 1), encoding="utf-8")
    broken = frictionless.validate(str(published / "datapackage.json"))
    assert not broken.valid
    assert "foreign-key" in {row[0] for row in broken.flatten(["type"])}


def test_datasette_serves_a_searchable_view_without_deleted_entries(published: Path) -> None:
    datasette_app = pytest.importorskip("datasette.app")
    metadata = json.loads((published / "metadata.json").read_text())
    ds = datasette_app.Datasette([str(published / "policytrack.db")], metadata=metadata)

    async def fetch(path: str) -> Any:
        response = await ds.client.get(path)
        assert response.status_code == 200, path
        return response.json()

    found = asyncio.run(fetch("/policytrack/current_entries.json?_search=Barkhane&_shape=array"))
    assert [r["summary"] for r in found] == ["Barkhane and Takuba withdrawal announced"]
    nothing = asyncio.run(fetch("/policytrack/current_entries.json?_search=rumour&_shape=array"))
    assert nothing == []
    table = asyncio.run(fetch("/policytrack/entries.json?_search=rumour&_shape=array"))
    assert table == []
    revisions = asyncio.run(
        fetch(
            "/policytrack.json?sql=select+count(*)+as+n+from+entry_revisions+where+summary+like+'%25rumour%25'&_shape=array"
        )
    )
    assert revisions == [{"n": 0}]
    faceted = asyncio.run(fetch("/policytrack/current_entries.json?_facet=indicator"))
    counts = {f["value"]: f["count"] for f in faceted["facet_results"]["indicator"]["results"]}
    assert counts == {"regional": 2, "diversify": 1}
    sorted_rows = asyncio.run(fetch("/policytrack/current_entries.json?_shape=array"))
    assert [r["date"] for r in sorted_rows] == ["2024-08", "2024-07-06", "2022-02-17"]


@pytest.mark.parametrize("setup", ["file", "nonempty", "noparent"])
def test_a_directory_that_is_not_new_or_empty_is_refused(
    cli: Invoke, log: Callable[..., int], tmp_path: Path, setup: str
) -> None:
    log("regional", "AES treaty signed", "--date", "2024-07-06")
    target = tmp_path / "out"
    if setup == "file":
        target.write_text("x")
    elif setup == "nonempty":
        target.mkdir()
        (target / "keep.txt").write_text("mine")
    else:
        target = tmp_path / "missing" / "out"
    result = cli("publish", str(target))
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert "directory" in result.stderr
    if setup == "nonempty":
        assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_an_empty_directory_and_every_framework(cli: Invoke, log: Callable[..., int], tmp_path: Path) -> None:
    assert cli("framework", "add", "mali-china-risks").exit_code == 0
    log("regional", "AES treaty signed", "--date", "2024-07-06")
    target = tmp_path / "out"
    target.mkdir()
    result = cli("publish", str(target), "--all-frameworks", "--as-of", "2024-12-31")
    assert result.exit_code == 0, result.stderr
    assert (target / "report-mali-china-risks.csv").exists() and (
        target / "frameworks/mali-china-risks.toml"
    ).exists()
    both = cli("publish", str(tmp_path / "x"), "--all-frameworks", "--framework", "mali-china-risks")
    assert both.exit_code == 1 and "not both" in both.stderr


def test_the_as_of_date_bounds_the_files_and_the_database_copy(
    cli: Invoke, log: Callable[..., int], tmp_path: Path
) -> None:
    import sqlite3

    log("regional", "AES treaty signed in Niamey", "--date", "2024-07-06")
    log("regional", "Example Ministry statement", "--date", "2024-08")
    out = tmp_path / "july"
    assert cli("publish", str(out), "--as-of", "2024-07-31").exit_code == 0
    entries = (out / "entries.jsonl").read_text().splitlines()
    assert [json.loads(line)["summary"] for line in entries] == ["AES treaty signed in Niamey"]
    conn = sqlite3.connect(out / "policytrack.db")
    try:
        assert conn.execute("SELECT summary FROM current_entries").fetchall() == [
            ("AES treaty signed in Niamey",)
        ]
        assert conn.execute("SELECT count(*) FROM entry_revisions").fetchone() == (1,)
        assert conn.execute(
            "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'ministry'"
        ).fetchone() == (0,)
    finally:
        conn.close()


def test_the_database_copy_keeps_no_trigger_and_checks_clean(
    cli: Invoke, log: Callable[..., int], tmp_path: Path
) -> None:
    """The copy never changes, so it keeps no trigger (none fired while it was cut down); its search index
    and the counts `list` reads are made from the rows it kept, and `db check` finds nothing wrong with
    it: the tables it leaves out by design are not reported missing."""
    import sqlite3

    for n, day in enumerate(("2024-07-06", "2024-07-07", "2024-08-01")):
        log("regional" if n < 2 else "diversify", f"Example Ministry statement {n}", "--date", day)
    assert cli("delete", "2", "--force").exit_code == 0
    out = tmp_path / "bundle"
    assert cli("publish", str(out), "--as-of", "2024-07-31").exit_code == 0
    copy = out / "policytrack.db"
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").fetchone() == (0,)
        counted = "SELECT indicator_id, count(*) FROM entries WHERE deleted_at IS NULL GROUP BY 1 ORDER BY 1"
        assert conn.execute("SELECT indicator_id, n FROM entry_counts WHERE n > 0 ORDER BY 1").fetchall() == (
            conn.execute(counted).fetchall()
        )
        assert conn.execute("SELECT count(*) FROM entries").fetchone() == (1,)
        assert conn.execute(
            "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'ministry'"
        ).fetchone() == (1,)
    finally:
        conn.close()
    checked = cli("--db", str(copy), "db", "check")
    assert checked.exit_code == 0 and checked.stderr == "", checked.stderr
    listed = cli("--db", str(copy), "list", "--csv")
    assert listed.exit_code == 0 and listed.stdout.count("Example Ministry statement") == 1


# -- publishing only what is public (issue 22, point 6) -----------------------------------------------

# A made-up informant: the name an analyst wrote and then removed by an edit.
INFORMANT = "Zorba Quillfeather"


def _bundle_bytes(bundle: Path) -> dict[str, bytes]:
    return {p.relative_to(bundle).as_posix(): p.read_bytes() for p in bundle.rglob("*") if p.is_file()}


def _holding(bundle: Path, *texts: str) -> list[str]:
    """The files of the bundle whose bytes hold any of the texts (as written, or lower case: the full-text
    index keeps its terms folded)."""
    needles = [t.encode("utf-8") for t in texts] + [t.lower().encode("utf-8") for t in texts]
    return sorted(name for name, data in _bundle_bytes(bundle).items() if any(n in data for n in needles))


@pytest.fixture
def edited_away(cli: Invoke, log: Callable[..., int], tmp_path: Path) -> int:
    """An entry that named an informant (summary, note, source, a registered source) until an edit
    removed every trace; private notes on a source and a forecast; an entry returned with a comment."""
    assert cli("source", "add", "informant", "--name", INFORMANT, "--note", "met-in-person").exit_code == 0
    assert (
        cli("source", "add", "aes", "--name", "AES secretariat", "--note", "privatenotealpha").exit_code == 0
    )
    entry = log(
        "regional",
        f"AES treaty signed, says {INFORMANT}",
        "--date",
        "2024-07-06",
        "--note",
        f"told by {INFORMANT} in Niamey",
        "--source",
        "informant",
    )
    changed = cli(
        "edit", str(entry), "--summary", "AES treaty signed in Niamey", "--note", "", "--source", "aes"
    )
    assert changed.exit_code == 0, changed.stderr
    other = log("diversify", "Example Ministry statement", "--date", "2024-08", "--analyst", "ana")
    assert cli("review", str(other), "--request-changes", "returncommentbeta").exit_code == 0
    made = cli("forecast", "regional", "in-progress", "--by", "2099", "-l", "60", "-n", "forecastnotegamma")
    assert made.exit_code == 0, made.stderr
    assert cli("target", "regional", "substantial", "--by", "2030", "--note", "oldtargetdelta").exit_code == 0
    assert cli("target", "regional", "in-progress", "--by", "2031").exit_code == 0
    return entry


PRIVATE = ("met-in-person", "privatenotealpha", "returncommentbeta", "forecastnotegamma")


def test_the_bundle_holds_no_earlier_revision_and_no_private_field(
    cli: Invoke, edited_away: int, tmp_path: Path
) -> None:
    import sqlite3

    bundle = tmp_path / "bundle"
    result = cli("publish", str(bundle), "--as-of", "2024-12-31")
    assert result.exit_code == 0, result.stderr
    assert _holding(bundle, INFORMANT, "oldtargetdelta", *PRIVATE) == []
    assert _holding(bundle, "AES treaty signed in Niamey") != []  # the grep has teeth: current text is there
    package = json.loads((bundle / "datapackage.json").read_text())
    assert package["policytrack:history"] is False
    assert "no earlier revision, no deleted entry, no private note" in package["description"]
    entries = next(r for r in package["resources"] if r["name"] == "entries")
    assert "return_comment" not in [f["name"] for f in entries["schema"]["fields"]]
    conn = sqlite3.connect(bundle / "policytrack.db")
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not {t for t in tables if t.startswith("sync_")} and "analysts" not in tables
        assert "reversals" not in tables
        assert conn.execute("SELECT count(*) FROM entry_revisions").fetchone() == (2,)  # one per entry
        assert conn.execute("SELECT key, note FROM sources").fetchall() == [("aes", "")]
        assert conn.execute("SELECT note FROM forecasts").fetchall() == [("",)]
        assert conn.execute("SELECT level FROM targets").fetchall() == [("in-progress",)]
        assert conn.execute("SELECT count(*) FROM framework_versions").fetchone() == (1,)
    finally:
        conn.close()


def test_with_history_keeps_the_revisions_and_says_so(cli: Invoke, edited_away: int, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    result = cli("publish", str(bundle), "--as-of", "2024-12-31", "--with-history")
    assert result.exit_code == 0, result.stderr
    assert _holding(bundle, INFORMANT) == ["policytrack.db"]  # the history, opted into
    assert _holding(bundle, *PRIVATE) == []  # private fields stay private even so
    for name in ("datapackage.json", "metadata.json", "CITATION.cff"):
        assert "published with --with-history" in (bundle / name).read_text(), name
    assert json.loads((bundle / "datapackage.json").read_text())["policytrack:history"] is True


@pytest.mark.slow  # test_publishing_twice_gives_the_same_bytes is its fast representative
def test_the_whole_bundle_repeats_byte_for_byte(cli: Invoke, edited_away: int, tmp_path: Path) -> None:
    for flags in ((), ("--with-history",)):
        first, second = tmp_path / f"a{len(flags)}", tmp_path / f"b{len(flags)}"
        assert cli("publish", str(first), "--as-of", "2024-12-31", *flags).exit_code == 0
        assert cli("publish", str(second), "--as-of", "2024-12-31", *flags).exit_code == 0
        assert _bundle_bytes(first) == _bundle_bytes(second)


# three bundles each: CI runs it; test_the_bundle_holds_no_earlier_revision_and_no_private_field
# is its fast representative
@pytest.mark.slow
@pytest.mark.parametrize("where", ["summary", "note"])
def test_a_name_edited_out_then_redacted_is_in_no_file_of_any_bundle(
    cli: Invoke, log: Callable[..., int], tmp_path: Path, where: str
) -> None:
    """Issue 22: an entry names a person in its summary or note; an edit removes the name; publish holds
    it in no file (the database copy included). After `redact`, not even `--with-history` holds it."""
    said = {"summary": "AES treaty signed in Niamey", "note": "from the treaty text"}
    named = {**said, where: f"{said[where]}, as {INFORMANT} told us"}
    entry = log("regional", named["summary"], "--date", "2024-07-06", "--note", named["note"])
    assert _holding_db(cli, INFORMANT)  # the grep has teeth: the database holds the name
    edited = cli("edit", str(entry), f"--{where}", said[where])
    assert edited.exit_code == 0, edited.stderr
    plain = tmp_path / "plain"
    assert cli("publish", str(plain), "--as-of", "2024-12-31").exit_code == 0
    assert _holding(plain, INFORMANT) == []
    assert _holding(plain, "AES treaty signed in Niamey") != []
    history = tmp_path / "history"
    assert cli("publish", str(history), "--as-of", "2024-12-31", "--with-history").exit_code == 0
    assert _holding(history, INFORMANT) == ["policytrack.db"]  # the earlier revision, opted into
    redacted = cli("redact", str(entry), "--field", where, "--reason", "names an informant")
    assert redacted.exit_code == 0, redacted.stderr
    for flags in ((), ("--with-history",)):
        bundle = tmp_path / f"after{len(flags)}"
        result = cli("publish", str(bundle), "--as-of", "2024-12-31", *flags)
        assert result.exit_code == 0, result.stderr
        assert _holding(bundle, INFORMANT) == [], flags
        kept = said["note" if where == "summary" else "summary"]  # the field not redacted is published
        assert "policytrack.db" in _holding(bundle, kept), flags


def _holding_db(cli: Invoke, text: str) -> bool:
    """Whether this test's database holds the text (every revision, as export shows them)."""
    shown = cli("export", "entries", "--all-revisions", "--format", "jsonl")
    assert shown.exit_code == 0, shown.stderr
    return text in shown.stdout


SCRIPTED = """
[framework]
name = "scripted"
title = "Scripted"
default_status = "none"

[framework.source]
title = "A paper"
url = "{url}"

[[scale]]
name = "none"
label = "None"
percent = 0

[[scale]]
name = "done"
label = "Done"
percent = 100

[[indicators]]
key = "first"
number = 1
title = "First"
description = "The first."
"""


@pytest.mark.parametrize(
    "url", ["javascript:alert(document.cookie)", "data:text/html;base64,PHNjcmlwdD4=", "JavaScript:x"]
)
def test_a_url_that_is_not_http_is_published_as_text_never_a_link(
    cli: Invoke, tmp_path: Path, url: str
) -> None:
    path = tmp_path / "f.toml"
    path.write_text(SCRIPTED.format(url=url), encoding="utf-8")
    assert cli("framework", "add", str(path)).exit_code == 0
    bundle = tmp_path / "bundle"
    result = cli("publish", str(bundle), "--framework", "scripted", "--as-of", "2024-12-31")
    assert result.exit_code == 0, result.stderr
    package = json.loads((bundle / "datapackage.json").read_text())
    assert package["sources"] == [{"title": f"'A paper', {url}"}]  # the citation, as text; no path
    metadata = json.loads((bundle / "metadata.json").read_text())
    assert "source_url" not in metadata and url in metadata["source"]
    assert metadata["license_url"].startswith("https://")
    citation = (bundle / "CITATION.cff").read_text()
    assert "url:" not in citation and f"URL as given (not a web address): {url}" in citation


def test_an_http_url_is_a_link(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    path.write_text(SCRIPTED.format(url="https://example.org/paper"), encoding="utf-8")
    assert cli("framework", "add", str(path)).exit_code == 0
    bundle = tmp_path / "bundle"
    assert cli("publish", str(bundle), "--framework", "scripted", "--as-of", "2024-12-31").exit_code == 0
    package = json.loads((bundle / "datapackage.json").read_text())
    assert package["sources"][0]["path"] == "https://example.org/paper"
    assert json.loads((bundle / "metadata.json").read_text())["source_url"] == "https://example.org/paper"
    assert 'url: "https://example.org/paper"' in (bundle / "CITATION.cff").read_text()


@pytest.mark.parametrize(
    "where",
    ["policytrack.db.sync/bundle", "policytrack.db.sync/analysts/bundle", "policytrack.db.sync.new/x"],
)
def test_publish_refuses_a_folder_a_sync_would_delete(
    cli: Invoke, log: Callable[..., int], db_path: Path, where: str
) -> None:
    log("regional", "AES treaty signed", "--date", "2024-07-06")
    target = db_path.parent / where
    target.parent.mkdir(parents=True)
    result = cli("publish", str(target))
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert "which `policytrack sync` rewrites (the next sync would delete the bundle)" in result.stderr
    assert result.stderr.strip().endswith(f"give a folder outside it, such as {db_path.parent / 'release'}")
    assert not target.exists() and list(target.parent.iterdir()) == []


def test_publish_refuses_the_sync_clone_reached_through_a_symlink(
    cli: Invoke, log: Callable[..., int], db_path: Path, tmp_path: Path
) -> None:
    log("regional", "AES treaty signed", "--date", "2024-07-06")
    clone = db_path.parent / "policytrack.db.sync"
    clone.mkdir()
    (tmp_path / "elsewhere").symlink_to(clone)
    result = cli("publish", str(tmp_path / "elsewhere" / "bundle"))
    assert result.exit_code == 1 and "which `policytrack sync` rewrites" in result.stderr
    beside = cli("publish", str(db_path.parent / "policytrack.db.sync-release"))  # only a name alike
    assert beside.exit_code == 0, beside.stderr
