"""Issue 13: the source registry, corroboration in the report, one event for several indicators, and
duplicates, through the command line. The names are fictional (Example Ministry, Example Wire)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Invoke, InvokeJson, Log, SeededDb
from policytrack.core.errors import InputError
from policytrack.core.grades import grade_weight
from policytrack.domain.entries import event_effects
from policytrack.store import MIGRATION_NAMES
from test_hostile_cli import dump
from test_migrations import _old_database


@pytest.fixture
def registry(cli: Invoke, seeded_db: SeededDb) -> None:
    commands = [
        ["ministry", "--name", "Example Ministry", "--type", "official", "--origin", "Exampleland",
         "--reliability", "A"],
        ["wire", "--name", "Example Wire", "--type", "media", "--origin", "Otherland", "--reliability", "B",
         "--url", "https://www.wire.example"],
        ["outlet", "--name", "Example Outlet", "--type", "media", "--origin", "Otherland",
         "--reliability", "C"],
    ]  # fmt: skip

    def build() -> None:
        for args in commands:
            result = cli("source", "add", *args)
            assert result.exit_code == 0, result.stderr

    seeded_db("test_sources.registry", build)


def _entry(cli_json: InvokeJson, entry_id: int) -> dict[str, object]:
    record: dict[str, object] = cli_json("show", str(entry_id), "--json")
    return record


# -- the registry ------------------------------------------------------------------------------------


def test_add_list_show_edit(cli: Invoke, cli_json: InvokeJson, registry: None, log: Log) -> None:
    listed = cli_json("source", "list", "--json")
    assert [s["key"] for s in listed["sources"]] == ["ministry", "outlet", "wire"]
    wire = next(s for s in listed["sources"] if s["key"] == "wire")
    assert (wire["type"], wire["origin"], wire["reliability"], wire["entries"]) == (
        "media",
        "Otherland",
        "B",
        0,
    )
    entry = log("regional", "Example treaty signed", "--date", "2024-07-06", "--source", "wire")
    result = cli("source", "edit", "wire", "--reliability", "A", "--note", "checked")
    assert result.exit_code == 0, result.stderr
    shown = cli_json("source", "show", "wire", "--json")
    assert (shown["reliability"], shown["note"]) == ("A", "checked")
    assert [e["id"] for e in shown["entries"]] == [entry]
    table = cli("source", "show", "wire")
    assert table.exit_code == 0 and "Example treaty signed" in table.stdout
    assert cli("source", "edit", "wire", "--reliability", "A").exit_code == 1  # nothing to change


def test_log_links_keys_and_url_hosts_and_keeps_free_text(
    cli_json: InvokeJson, registry: None, log: Log
) -> None:
    by_key = log("regional", "one", "--date", "2024-07-06", "--source", "WIRE")
    by_url = log("regional", "two", "--date", "2024-07-06", "--source", "https://news.wire.example/a?b=1")
    free = log("regional", "three", "--date", "2024-07-06", "--source", "Example Gazette, 3 May 2024")
    other_host = log("regional", "four", "--date", "2024-07-06", "--source", "https://wire.example.org/x")
    got = {i: _entry(cli_json, i) for i in (by_key, by_url, free, other_host)}
    assert (got[by_key]["source_key"], got[by_key]["source"]) == ("wire", "")
    assert (got[by_url]["source_key"], got[by_url]["source"]) == ("wire", "https://news.wire.example/a?b=1")
    assert (got[free]["source_key"], got[free]["source"]) == (None, "Example Gazette, 3 May 2024")
    assert got[other_host]["source_key"] is None


def test_credibility_takes_the_sources_reliability_and_grade_wins(
    cli_json: InvokeJson, registry: None, log: Log
) -> None:
    graded = log("regional", "a", "--date", "2024-07-06", "--source", "wire", "--credibility", "3")
    assert _entry(cli_json, graded)["grade"] == "B3"
    explicit = log(
        "regional", "b", "--date", "2024-07-06", "--source", "wire", "--credibility", "3", "-g", "D4"
    )
    assert _entry(cli_json, explicit)["grade"] == "D4"


def test_via_is_kept_and_does_not_count_as_a_source(cli_json: InvokeJson, registry: None, log: Log) -> None:
    entry = log("regional", "a", "--date", "2024-07-06", "--source", "wire", "--via", "outlet")
    assert (_entry(cli_json, entry)["source_key"], _entry(cli_json, entry)["via"]) == ("wire", "outlet")
    (row,) = [r for r in cli_json("report", "--as-of", "2024-12-31", "-f", "json") if r["key"] == "regional"]
    assert (row["sources"], row["single_source"]) == (1, True)


BAD = [
    (["source", "add", "x y", "--name", "X"], "invalid key 'x y'"),
    (["source", "add", "new", "--name", "X", "--reliability", "G"], "invalid reliability 'G'"),
    (["source", "add", "new", "--name", "X", "--type", "blog"], "invalid type 'blog'"),
    (["source", "add", "new", "--name", "X", "--url", "wire.example"], "invalid url"),
    (["source", "add", "new"], "a source needs a name: give --name"),
    (["source", "add", "wire", "--name", "X"], "already registered"),
    (["source", "show", "wier"], "did you mean 'wire'?"),
    (["source", "merge", "wire", "wire"], "already the same source"),
    (["source", "merge", "wire", "wyre"], "did you mean 'wire'?"),
    (["log", "regional", "x", "--source", "wirre"], "did you mean 'wire'?"),
    (["log", "regional", "x", "--source", "wire", "--via", "wire"], "via names the source itself"),
    (["log", "regional", "x", "--source", "wire", "--via", "outlett"], "did you mean 'outlet'?"),
    (["log", "regional", "x", "--credibility", "2"], "--credibility needs a registered --source"),
    (["log", "regional", "x", "--source", "Some paper", "--credibility", "2"], "needs a registered --source"),
    (["log", "regional", "x", "--source", "wire", "--credibility", "7"], "invalid --credibility '7'"),
    (["log", "regional,diversify,regional", "x"], "named twice"),
    (["log", "regional,5", "x"], "named twice"),  # 5 is regional's number
    (["log", "regional,diversify", "x", "--effect", "guidelines=1"], "not one of this entry's indicators"),
    (["log", "regional,diversify", "x", "--effect", "regional=3"], "invalid effect 3"),
    (["log", "regional,nope", "x"], "unknown indicator 'nope'"),
    (["log", "regional,", "x"], "empty indicator"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_exit_1_and_writes_nothing(
    cli: Invoke, db_path: Path, registry: None, args: list[str], message: str
) -> None:
    before = dump(db_path)
    result = cli(*args)
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert dump(db_path) == before


def test_unparsable_effect_is_a_usage_error(cli: Invoke) -> None:
    assert cli("log", "regional,diversify", "x", "--effect", "regional=abc").exit_code == 2


# -- merging -------------------------------------------------------------------------------------------


def test_merge_moves_entries_as_revisions_and_keeps_the_old_key(
    cli: Invoke, cli_json: InvokeJson, registry: None, log: Log
) -> None:
    assert (
        cli("source", "add", "wire-dup", "--name", "Example Wire (again)", "--type", "media").exit_code == 0
    )
    a = log("regional", "a", "--date", "2024-07-06", "--source", "wire-dup")
    b = log("regional", "b", "--date", "2024-07-07", "--source", "wire")
    c = log("regional", "c", "--date", "2024-07-08", "--source", "wire", "--via", "wire-dup")

    def report() -> dict[str, Any]:
        rows = cli_json("report", "--as-of", "2024-12-31", "-f", "json")
        return next(r for r in rows if r["key"] == "regional")

    assert report()["sources"] == 2
    merged = cli("source", "merge", "wire-dup", "wire")
    assert merged.exit_code == 0, merged.stderr
    assert "2 entries now cite wire" in merged.stdout
    assert report()["sources"] == 1
    assert [(_entry(cli_json, i)["source_key"], _entry(cli_json, i)["via"]) for i in (a, b, c)] == [
        ("wire", None),
        ("wire", None),
        ("wire", None),
    ]
    history = cli_json("history", str(a), "--json")
    assert [(r["action"], r["entry"]["source_key"]) for r in history] == [
        ("create", "wire-dup"),
        ("edit", "wire"),
    ]
    assert cli_json("source", "show", "wire-dup", "--json")["key"] == "wire"  # the old key leads there
    assert [s["key"] for s in cli_json("source", "list", "--json")["sources"]] == [
        "ministry",
        "outlet",
        "wire",
    ]


def test_suggest_lists_free_text_used_more_than_once(cli: Invoke, log: Log) -> None:
    for day in ("01", "02", "03"):
        log("regional", f"x {day}", "--date", f"2024-07-{day}", "--source", "Example Gazette")
    log("regional", "y", "--date", "2024-07-04", "--source", "Once Weekly")
    result = cli("source", "suggest")
    assert result.exit_code == 0
    assert result.stdout == "3\tExample Gazette\n"


# -- grade patterns ------------------------------------------------------------------------------------


def test_list_shows_the_share_of_grades_on_the_diagonal(
    cli: Invoke, cli_json: InvokeJson, registry: None, log: Log
) -> None:
    for n, grade in enumerate(("B2", "B2", "B3", "A1")):
        log("regional", f"x{n}", "--date", "2024-07-06", "--source", "wire", "-g", grade, "--analyst", "ana")
    log("regional", "y", "--date", "2024-07-06", "--source", "ministry", "-g", "C4", "--analyst", "bo")
    log("regional", "z", "--date", "2024-07-06", "--source", "ministry", "--analyst", "bo")
    listed = cli_json("source", "list", "--json")
    share = {s["key"]: (s["entries"], s["graded"], s["diagonal_share"]) for s in listed["sources"]}
    assert share == {"ministry": (2, 1, 0.0), "outlet": (0, 0, None), "wire": (4, 4, 0.75)}
    assert [(a["analyst"], a["diagonal_share"]) for a in listed["analysts"]] == [("ana", 0.75), ("bo", 0.0)]
    table = cli("source", "list")
    assert table.exit_code == 0 and "75% of 4" in table.stdout


# -- corroboration in the report: figures worked out by hand -------------------------------------------


def test_report_figures_with_sources_by_hand(
    cli: Invoke, cli_json: InvokeJson, registry: None, log: Log
) -> None:
    log(
        "regional", "r1", "--date", "2024-03-01", "-e", "2", "--source", "ministry", "--credibility", "1"
    )  # A1
    log(
        "regional",
        "r2",
        "--date",
        "2024-03-02",
        "-e",
        "1",
        "-s",
        "wire",
        "--via",
        "outlet",
        "--credibility",
        "2",
    )
    log("regional", "r3", "--date", "2024-03-03", "-e", "-1", "--source", "https://wire.example/story")
    log("regional", "r4", "--date", "2024-03-04", "-e", "0", "--source", "Example Gazette, 3 May", "-g", "C3")
    log("regional", "r5", "--date", "2024-03-05", "-e", "1", "--source", "Example Gazette, 3 May")
    gone = log("regional", "r6", "--date", "2024-03-06", "-e", "2", "--source", "Deleted Daily")
    assert cli("delete", str(gone), "--force").exit_code == 0
    log("regional", "r7", "--date", "2023-01-01", "-e", "2", "--source", "Before Window Weekly")
    event = cli("log", "diversify,civil-society", "ev", "--date", "2024-04-01", "-s", "wire", "-e", "2",
                "--effect", "diversify=-1")  # fmt: skip
    assert event.exit_code == 0, event.stderr
    rows = {
        r["key"]: r
        for r in cli_json("report", "--as-of", "2024-12-31", "--since", "2024-01-01", "-f", "json")
    }
    regional = rows["regional"]
    # r1..r5: effects +2 +1 -1 0 +1; weights A1 1.0, B2 .8*.8, ungraded .5, C3 .6*.6, ungraded .5
    assert (regional["entries"], regional["advancing"], regional["hindering"], regional["context"]) == (
        5,
        3,
        1,
        1,
    )
    assert regional["momentum"] == 3
    assert regional["weighted_momentum"] == round(2 * 1.0 + 1 * 0.64 - 1 * 0.5 + 0 + 1 * 0.5, 2) == 2.64
    # originators: ministry, wire (r2 via outlet, r3 by its URL), one free text (r4, r5): outlet not counted
    assert (regional["sources"], regional["single_source"]) == (3, False)
    assert regional["official_share"] == 0.2  # r1 of five
    assert regional["source_types"] == "media 1; official 1; free text 1"
    # one event, two indicators, each entry counted once for its own
    for key, effect in (("diversify", -1), ("civil-society", 2)):
        assert (rows[key]["entries"], rows[key]["momentum"], rows[key]["sources"]) == (1, effect, 1)
        assert rows[key]["single_source"] is True
        assert rows[key]["weighted_momentum"] == effect * 0.5
    assert (rows["guidelines"]["sources"], rows["guidelines"]["single_source"]) == (0, False)
    explained = cli("report", "--as-of", "2024-12-31", "--since", "2024-01-01", "--explain")
    assert explained.exit_code == 0, explained.stderr
    text = " ".join(explained.stdout.split())
    assert "regional: 3 independent originating sources (media 1, official 1, free text 1)" in text
    assert "20% of entries rest on official sources" in text
    assert "diversify: 1 independent originating source (media 1)" in text and "SINGLE SOURCE" in text
    assert "Single source (one independent originator): diversify, civil-society" in text


# -- one event, several indicators ---------------------------------------------------------------------


def test_event_links_entries_and_show_lists_them(cli: Invoke, cli_json: InvokeJson) -> None:
    both = "diversify,civil-society,mali-china-security:regional"
    result = cli(
        "log", both, "Example delivery", "--date", "2024-05", "--effect", "-1", "--effect", "regional=2"
    )
    assert result.exit_code == 0, result.stderr
    assert "Logged one event as entries 1 (diversify), 2 (civil-society), 3 (regional)" in result.stdout
    entries = [_entry(cli_json, i) for i in (1, 2, 3)]
    assert [e["effect"] for e in entries] == [-1, -1, 2]
    assert len({e["event"] for e in entries}) == 1 and entries[0]["event"]
    assert [e["linked"] for e in entries] == [[2, 3], [1, 3], [1, 2]]
    shown = cli("show", "2")
    assert "Same event" in shown.stdout and "mali-china-security:regional (+2)" in shown.stdout
    assert _entry(cli_json, cli_json("list", "--json")[0]["id"])["event"] == entries[0]["event"]
    single = cli("log", "regional", "alone", "--date", "2024-05")
    assert single.exit_code == 0
    assert _entry(cli_json, 4)["event"] is None and _entry(cli_json, 4)["linked"] == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bare=st.lists(st.integers(-2, 2), max_size=3),
    named=st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(-2, 2)),
)
def test_event_effects_named_ones_win_whatever_the_order(bare: list[int], named: dict[str, int]) -> None:
    raw = [str(v) for v in bare] + [f"{k}={v}" for k, v in named.items()]
    for order in (raw, raw[::-1]):
        got = event_effects(order, ["a", "b", "c"])
        last_bare = next((int(v) for v in reversed(order) if "=" not in v), 0)
        assert got == {k: named.get(k, last_bare) for k in ("a", "b", "c")}


def test_event_effects_refuse_a_value_out_of_range() -> None:
    with pytest.raises(InputError, match="invalid effect 3"):
        event_effects(["a=3"], ["a"])


# -- duplicates ----------------------------------------------------------------------------------------


def test_log_refuses_a_duplicate_naming_it(cli: Invoke, db_path: Path, log: Log) -> None:
    first = log("regional", "Example  Treaty signed", "--date", "2024-07-06")
    before = dump(db_path)
    again = cli("log", "regional", "example treaty SIGNED ", "--date", "2024-07-06")
    assert again.exit_code == 1
    assert f"entry {first} already records this" in again.stderr and "--allow-duplicate" in again.stderr
    assert dump(db_path) == before
    # another date, another indicator, or a deleted original: not duplicates
    log("regional", "Example treaty signed", "--date", "2024-07")
    log("diversify", "Example treaty signed", "--date", "2024-07-06")
    assert (
        cli("log", "regional", "Example treaty signed", "-d", "2024-07-06", "--allow-duplicate").exit_code
        == 0
    )


def test_a_hand_made_csv_imported_twice_adds_nothing_the_second_time(
    cli: Invoke, tmp_path: Path, cli_json: InvokeJson
) -> None:
    csv = tmp_path / "hand.csv"
    csv.write_text(
        "indicator,date,summary\nregional,2024-07-06,Example treaty\nregional,2024-07-06,EXAMPLE  treaty\n"
        "diversify,2024-07-06,Example treaty\n",
        encoding="utf-8",
    )
    first = cli("import", str(csv))
    assert first.exit_code == 0, first.stderr
    assert "2 added" in first.stdout and "1 duplicates skipped" in first.stdout
    second = cli("import", str(csv))
    assert "0 added" in second.stdout and "3 duplicates skipped" in second.stdout
    assert len(cli_json("list", "--json")) == 2
    forced = cli("import", str(csv), "--allow-duplicates")
    assert "3 added" in forced.stdout
    assert len(cli_json("list", "--json")) == 5


def test_export_and_import_keep_sources_vias_and_events(
    cli: Invoke, cli_json: InvokeJson, registry: None, tmp_path: Path
) -> None:
    assert (
        cli("log", "diversify,regional", "ev", "-d", "2024-05", "-s", "wire", "--via", "outlet").exit_code
        == 0
    )
    exported = tmp_path / "out.csv"
    assert cli("export", "entries", "--all-frameworks", "-o", str(exported)).exit_code == 0
    header = exported.read_text(encoding="utf-8").splitlines()[0]
    assert '"source_key","via","event"' in header
    other = tmp_path / "other.db"
    registry_file = tmp_path / "sources.csv"
    assert cli("source", "export", "-o", str(registry_file)).exit_code == 0
    taken = cli("--db", str(other), "source", "import", str(registry_file))
    assert taken.exit_code == 0, taken.stderr
    assert "3 sources added" in taken.stdout
    fields = ("key", "uuid", "name", "url", "type", "origin", "reliability", "note")

    def registered(*db: str) -> list[tuple[object, ...]]:
        return [tuple(s[f] for f in fields) for s in cli_json(*db, "source", "list", "--json")["sources"]]

    assert registered("--db", str(other)) == registered()
    again = cli("--db", str(other), "source", "import", str(registry_file))
    assert "0 sources added, 0 updated, 3 unchanged" in again.stdout
    imported = cli("--db", str(other), "import", str(exported))
    assert imported.exit_code == 0, imported.stderr
    records = json.loads(cli("--db", str(other), "list", "--json").stdout)
    original = cli_json("list", "--json")
    assert [(r["uuid"], r["source_key"], r["via"], r["event"]) for r in records] == [
        (r["uuid"], "wire", "outlet", original[0]["event"]) for r in original
    ]
    # into a database without the sources, a row naming one is refused with the fix
    bare = tmp_path / "bare.db"
    refused = cli("--db", str(bare), "import", str(exported))
    assert refused.exit_code == 1
    assert "unknown source_key source 'wire'" in refused.output


# -- the upgrade from today's release ------------------------------------------------------------------


@pytest.mark.no_db
def test_database_from_todays_release_keeps_every_entry_and_free_text_source(
    cli: Invoke, cli_json: InvokeJson, db_path: Path, tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh.db"
    assert cli("--db", str(fresh), "indicators").exit_code == 0
    release = MIGRATION_NAMES.index("m005_search_and_view") + 1  # the schema of the current release
    _old_database(db_path, release, fresh)
    conn = sqlite3.connect(db_path)
    texts = ["Reuters", "reuters.com/world/x", "Reuters (via RFI)", "", "  spaced  ", "=formula", "Ünïcode"]
    with conn:
        for n, text in enumerate(texts * 3):
            conn.execute(
                "INSERT INTO entries (uuid, indicator_id, date, date_start, date_precision, summary, source, "
                "grade, effect, recorded_at) SELECT ?, id, '2024-01-02', '2024-01-02', 'day', ?, ?, ?, ?, "
                "'2024-01-03' FROM indicators WHERE key = 'diversify'",
                (f"u-{n}", f"entry {n}", text, [None, "A1", "C4", "F6"][n % 4], n % 5 - 2),
            )
    old_columns = [r[1] for r in conn.execute("PRAGMA table_info(entries)")]
    before = conn.execute(f"SELECT {', '.join(old_columns)} FROM entries ORDER BY id").fetchall()
    old_sources = dict(
        conn.execute(
            "SELECT i.key, count(DISTINCT CASE WHEN source <> '' THEN source END) FROM entries e "
            "JOIN indicators i ON i.id = e.indicator_id WHERE deleted_at IS NULL GROUP BY i.key"
        ).fetchall()
    )
    conn.close()

    assert cli("list", "--json").exit_code == 0  # upgrades
    conn = sqlite3.connect(db_path)
    try:
        after = conn.execute(f"SELECT {', '.join(old_columns)} FROM entries ORDER BY id").fetchall()
        links = conn.execute("SELECT grade, weight, source_id, via_id, event FROM entries").fetchall()
        revisions = conn.execute("SELECT grade, weight FROM entry_revisions").fetchall()
    finally:
        conn.close()
    assert after == before
    assert all((s, v, e) == (None, None, None) for _, _, s, v, e in links)
    assert all(weight == grade_weight(grade) for grade, weight, *_ in links)
    assert all(weight == grade_weight(grade) for grade, weight in revisions)
    rows = cli_json("report", "--as-of", "2025-01-01", "-f", "json")
    assert {r["key"]: r["sources"] for r in rows if r["key"] in old_sources} == old_sources


def test_source_import_merges_by_uuid_and_keeps_merges(
    cli: Invoke, cli_json: InvokeJson, registry: None, tmp_path: Path, db_path: Path
) -> None:
    assert cli("source", "add", "wire-dup", "--name", "Example Wire (again)").exit_code == 0
    assert cli("source", "merge", "wire-dup", "wire").exit_code == 0
    exported = tmp_path / "sources.json"
    assert cli("source", "export", "-f", "json", "-o", str(exported)).exit_code == 0
    records = json.loads(exported.read_text(encoding="utf-8"))
    assert {r["key"]: r["merged_into"] for r in records}["wire-dup"] == "wire"
    other = tmp_path / "other.db"
    # registered apart under the same key: kept as it is there
    assert cli("--db", str(other), "source", "add", "ministry", "--name", "Ministry here").exit_code == 0
    result = cli("--db", str(other), "source", "import", str(exported))
    assert result.exit_code == 0, result.stderr
    assert "3 sources added" in result.stdout and "1 kept as registered here" in result.stdout
    shown = cli_json("--db", str(other), "source", "show", "wire-dup", "--json")
    assert shown["key"] == "wire"
    assert cli_json("--db", str(other), "source", "show", "ministry", "--json")["name"] == "Ministry here"
    # an edit travels by uuid
    assert cli("source", "edit", "wire", "--origin", "Farland").exit_code == 0
    assert cli("source", "export", "-f", "jsonl", "-o", str(exported)).exit_code == 0
    assert "1 updated" in cli("--db", str(other), "source", "import", str(exported)).stdout
    assert cli_json("--db", str(other), "source", "show", "wire", "--json")["origin"] == "Farland"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not,a,registry\n1,2,3\n", "lacks the columns uuid, key, name"),
        ('[{"uuid": "x", "key": "k", "name": "n"}]', "is not a uuid"),
        (
            '[{"uuid": "0b7e9a4c-5d2f-4c1e-9a3b-6f8d2e1c4b5a", "key": "k", "name": "n", "type": "blog"}]',
            "invalid type 'blog'",
        ),
        ('[{"uuid": "0b7e9a4c-5d2f-4c1e-9a3b-6f8d2e1c4b5a", "key": "k", "name": ""}]', "empty name"),
        ("[1, 2]", "one object per source"),
        ("{not json", "is not a sources file"),
    ],
)
def test_source_import_refuses_bad_files_writing_nothing(
    cli: Invoke, db_path: Path, tmp_path: Path, content: str, message: str
) -> None:
    assert cli("source", "list").exit_code == 0
    before = dump(db_path)
    bad = tmp_path / "bad.txt"
    bad.write_text(content, encoding="utf-8")
    result = cli("source", "import", str(bad))
    assert result.exit_code == 1 and message in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert dump(db_path) == before


def test_edit_relinks_the_source_and_clears_the_outlet(
    cli: Invoke, cli_json: InvokeJson, registry: None, log: Log
) -> None:
    entry = log("regional", "a", "--date", "2024-07-06", "--source", "Example Gazette", "--via", "outlet")
    assert (_entry(cli_json, entry)["source_key"], _entry(cli_json, entry)["via"]) == (None, "outlet")
    assert cli("edit", str(entry), "--source", "wire").exit_code == 0
    assert (_entry(cli_json, entry)["source_key"], _entry(cli_json, entry)["source"]) == ("wire", "")
    assert cli("edit", str(entry), "--via", "").exit_code == 0
    assert _entry(cli_json, entry)["via"] is None
    refused = cli("edit", str(entry), "--via", "wire")
    assert refused.exit_code == 1 and "via names the source itself" in refused.stderr
    assert cli("edit", str(entry), "--note", "kept").exit_code == 0  # other edits keep the link
    assert _entry(cli_json, entry)["source_key"] == "wire"


def test_type_help_names_the_declared_types(cli: Invoke) -> None:
    """`source add --type`'s help is made from records.source.SOURCE_TYPES, in English and French."""
    from policytrack.records.source import SOURCE_TYPES

    for command in (("source", "add"), ("source", "edit")):
        for lang, start in (("en", "What kind of body it is: "), ("fr", "Le type d'organisme : ")):
            result = cli("--lang", lang, *command, "--help")
            assert result.exit_code == 0, result.stderr
            words = " ".join(result.stdout.replace("│", " ").split())
            assert start + ", ".join(SOURCE_TYPES) + "." in words, (command, lang, words)
