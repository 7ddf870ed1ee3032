"""The inbox (issue 24): candidates from generated files in ACLED's and UCDP's real column layouts (never
their data: the rows are plainly fictional, or the cited events of SAMPLE-EVENTS.md), RSS 2.0 and Atom
files, a loopback HTTP server for URLs; revisions and deletions across pulls, rules, triage and undo."""

from __future__ import annotations

import csv
import hashlib
import http.server
import io
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Invoke, InvokeJson, cffconvert
from policytrack.domain.inbox import candidate_uuid

ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
UCDP_COLUMNS = [
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
]

# The cited events of /work/shared/SAMPLE-EVENTS.md, as the texts of generated rows.
AES = "Mali, Burkina Faso and Niger sign the treaty of the Confederation of Sahel States (AES) in Niamey"
ECOWAS = "Mali, Burkina Faso and Niger announce their withdrawal from ECOWAS"


def acled_row(
    event_id: str, date: str, notes: str, *, stamp: int = 1720000000, **more: str
) -> dict[str, str]:
    row = dict.fromkeys(ACLED_COLUMNS, "")
    row.update(
        event_id_cnty=event_id,
        event_date=date,
        year=date[:4],
        time_precision="1",
        event_type="Strategic developments",
        sub_event_type="Agreement",
        actor1="Example actor 1",
        country="Examplia",
        admin1="Example region",
        location="Example town",
        source="Example source",
        notes=notes,
        fatalities="0",
        timestamp=str(stamp),
    )
    row.update(more)
    return row


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def acled(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "acled.csv",
        ACLED_COLUMNS,
        [
            acled_row("EXA1", "2024-07-06", AES),
            acled_row("EXA2", "2024-01-28", ECOWAS, time_precision="3"),
            acled_row("EXA3", "2024-03-01", "Example event 3"),
        ],
    )


def rows(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_acled_rows_become_candidates_that_count_in_nothing(
    cli: Invoke, cli_json: InvokeJson, acled: Path, db_path: Path
) -> None:
    result = cli("inbox", "add", str(acled), "--kind", "acled")
    assert result.exit_code == 0, result.output
    assert "3 new candidates" in result.stdout
    listed = cli_json("inbox", "--json")
    # oldest first; the month precision of time_precision 3 kept
    assert [c["external_id"] for c in listed] == ["EXA2", "EXA3", "EXA1"]
    assert listed[0]["date"] == "2024-01" and listed[0]["date_precision"] == "month"
    assert listed[2]["uuid"] == candidate_uuid("acled", "EXA1")
    assert rows(db_path, "SELECT count(*) FROM entries") == [(0,)]
    report = cli_json("report", "--json")
    assert all(r["entries"] == 0 for r in report)


def test_two_databases_hold_the_same_candidates(cli: Invoke, acled: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    assert cli("--db", str(other), "inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    mine = rows(tmp_path / "policytrack.db", "SELECT uuid FROM candidates ORDER BY uuid")
    assert mine == rows(other, "SELECT uuid FROM candidates ORDER BY uuid") and len(mine) == 3


def test_a_later_pull_revises_a_changed_record_and_flags_its_entry(
    cli: Invoke, cli_json: InvokeJson, acled: Path, tmp_path: Path, db_path: Path
) -> None:
    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    (first,) = [c for c in cli_json("inbox", "--json") if c["external_id"] == "EXA1"]
    accepted = cli("inbox", "accept", str(first["id"]), "--indicator", "regional", "--effect", "1")
    assert accepted.exit_code == 0, accepted.output
    assert cli("review", "1", "--self").exit_code == 0
    assert cli_json("show", "1", "--json")["reviewed_by"] == "tester"
    changed = write_csv(
        tmp_path / "acled2.csv",
        ACLED_COLUMNS,
        [
            acled_row("EXA1", "2024-07-06", AES + " (revised)", stamp=1720000100),
            acled_row("EXA2", "2024-01-28", ECOWAS + " (older)", stamp=1600000000, time_precision="3"),
            acled_row("EXA3", "2024-03-01", "Example event 3"),
        ],
    )
    result = cli("inbox", "add", str(changed), "--kind", "acled")
    assert result.exit_code == 0, result.output
    assert "1 revised" in result.stdout and "1 unchanged" in result.stdout and "1 older" in result.stdout
    shown = cli_json("inbox", "show", str(first["id"]), "--format", "json")
    assert shown["summary"].endswith("(revised)") and shown["revision"] == 2 and shown["changed_since"]
    entry = cli_json("show", "1", "--json")
    # back to unreviewed; the analyst's fields untouched
    assert entry["reviewed_by"] is None and entry["effect"] == 1 and entry["summary"] == AES
    assert "inbox: acled" in cli("history", "1").stdout
    assert any(
        i["what"] == "candidate" and i["ref"] == str(first["id"]) for i in cli_json("agenda", "--json")
    )
    # the version it replaced is kept
    assert rows(db_path, "SELECT revision, action FROM candidate_revisions") == [(1, "change")]


def test_a_second_pull_of_the_same_bytes_is_skipped_whole_and_other_bytes_are_read(
    cli: Invoke, acled: Path, tmp_path: Path, db_path: Path
) -> None:
    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    stored = "SELECT external_id, revision, deleted_at IS NOT NULL FROM candidates ORDER BY external_id"
    before = rows(db_path, stored)
    # a record changed behind the pull's back: a pull that compared each record would revise it
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE candidates SET version = 'x' WHERE external_id = 'EXA3'")
    again = cli("inbox", "add", str(acled), "--kind", "acled")
    assert again.exit_code == 0, again.output
    assert "0 revised, 3 unchanged" in again.stdout
    assert rows(db_path, stored) == before  # the same bytes: nothing read, nothing written
    # a deletion list is another pull of the dataset: the same file read after it is read record by
    # record (the record changed above is revised; the withdrawn one stays withdrawn, its version older)
    deletions = tmp_path / "deleted.csv"
    deletions.write_text("event_id_cnty,deleted_timestamp\nEXA1,1720000500\n", encoding="utf-8")
    assert "1 withdrawn" in cli("inbox", "add", str(deletions), "--kind", "acled").stdout
    back = cli("inbox", "add", str(acled), "--kind", "acled")
    assert back.exit_code == 0 and "1 revised, 1 unchanged" in back.stdout, back.output
    assert rows(db_path, stored) == [("EXA1", 2, 1), ("EXA2", 1, 0), ("EXA3", 2, 0)]
    # one byte more is another file: read record by record
    acled.write_bytes(acled.read_bytes() + b"\n")
    assert "2 unchanged, 0 withdrawn, 1 older" in cli("inbox", "add", str(acled), "--kind", "acled").stdout
    (digest,) = rows(db_path, "SELECT digest FROM dataset_pulls WHERE dataset = 'acled'")
    assert digest[0] == hashlib.sha256(b"acled\n" + acled.read_bytes()).hexdigest()


def test_a_deletion_list_tombstones_the_candidate(
    cli: Invoke, acled: Path, tmp_path: Path, db_path: Path
) -> None:
    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    deletions = tmp_path / "deleted.csv"
    deletions.write_text("event_id_cnty,deleted_timestamp\nEXA3,1720000500\n", encoding="utf-8")
    result = cli("inbox", "add", str(deletions), "--kind", "acled")
    assert result.exit_code == 0 and "1 withdrawn" in result.stdout
    assert rows(db_path, "SELECT deleted_at IS NOT NULL FROM candidates WHERE external_id = 'EXA3'") == [(1,)]
    assert rows(db_path, "SELECT action FROM candidate_revisions ORDER BY rowid DESC LIMIT 1") == [
        ("delete",)
    ]


def test_the_same_url_is_one_candidate_and_near_duplicates_are_only_marked(
    cli: Invoke, cli_json: InvokeJson, tmp_path: Path
) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "ref,when,what,link,place\n"
        "a,06/07/2024,Example event 1: a clash near the example town,https://example.org/1,Town\n"
        "b,06/07/2024,Example event 1: a clash near the example town.,https://example.org/2,Town\n"
        "c,06/07/2024,Another example,https://example.org/1,Town\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        'dataset = "cso-example"\nexternal_id = "ref"\ndate = "when"\ndate_format = "%d/%m/%Y"\n'
        'summary = "what"\nurl = "link"\nlocation = "place"\n',
        encoding="utf-8",
    )
    result = cli("inbox", "add", str(sheet), "--kind", "csv", "--map", str(mapping))
    assert result.exit_code == 0, result.output
    assert "1 already queued" in result.stdout and "1 possible duplicate" in result.stdout
    listed = cli_json("inbox", "--json")
    assert [c["external_id"] for c in listed] == ["a", "b"]  # both real clashes reach the inbox
    assert listed[0]["date"] == "2024-07-06"
    assert listed[1]["duplicate_of"] == listed[0]["uuid"]


def test_ucdp_layout_and_its_date_precision(cli: Invoke, cli_json: InvokeJson, tmp_path: Path) -> None:
    row = dict.fromkeys(UCDP_COLUMNS, "")
    row.update(
        id="9001",
        side_a="Example side A",
        side_b="Example side B",
        date_start="2023-06-30",
        date_prec="4",
        source_headline="Example event 1",
        best="2",
        adm_1="Example region",
    )
    path = write_csv(tmp_path / "ged.csv", UCDP_COLUMNS, [row])
    assert cli("inbox", "add", str(path), "--kind", "ucdp").exit_code == 0
    (c,) = cli_json("inbox", "--json")
    assert (c["date"], c["fatalities"], c["actors"]) == ("2023-06", 2, ["Example side A", "Example side B"])


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("event_id_cnty,event_date\nX,2024-01-01\n", ["lacks the column", "notes", "found: event_id_cnty"]),
        ("<rss version='2.0'></rss>", ["lacks the column"]),
        (None, ["not UTF-8", "Latin-1"]),
        ("truncated", ["cells where the header has"]),
    ],
)
def test_bad_files_are_one_line_and_write_nothing(
    cli: Invoke, tmp_path: Path, db_path: Path, content: str | None, words: list[str]
) -> None:
    path = tmp_path / "bad.csv"
    if content is None:
        write_csv(
            path, ACLED_COLUMNS, [acled_row("X1", "2024-01-01", "Exemple événement")], encoding="latin-1"
        )
    elif content == "truncated":
        good = write_csv(path, ACLED_COLUMNS, [acled_row("X1", "2024-01-01", "Example event 1")] * 2)
        text = good.read_text()
        path.write_text(text[: len(text) - 40], encoding="utf-8")
    else:
        path.write_text(content, encoding="utf-8")
    assert cli("indicators").exit_code == 0
    result = cli("inbox", "add", str(path), "--kind", "acled")
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1, result.output
    for word in words:
        assert word in result.stderr
    assert rows(db_path, "SELECT count(*) FROM candidates") == [(0,)]


def test_added_and_dropped_columns_are_tolerated(cli: Invoke, tmp_path: Path) -> None:
    columns = [c for c in ACLED_COLUMNS if c not in ("tags", "admin3")] + ["new_column"]
    data = [{k: v for k, v in acled_row("EXA9", "2024-02-02", "Example event 9").items() if k in columns}]
    path = write_csv(tmp_path / "a.csv", columns, [{**data[0], "new_column": "x"}])
    assert cli("inbox", "add", str(path), "--kind", "acled").exit_code == 0


# ---------------------------------------------------------------- rules


def test_shipped_rules_suggest_and_accept_uses_them(cli: Invoke, cli_json: InvokeJson, acled: Path) -> None:
    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    listed = {c["external_id"]: c for c in cli_json("inbox", "--json")}
    shown = cli_json("inbox", "show", str(listed["EXA1"]["id"]), "--format", "json")
    assert {"rule": "regional-integration", "indicator": "regional"} in shown["suggestions"]
    assert [c["external_id"] for c in cli_json("inbox", "--rule", "regional-integration", "--json")] == [
        "EXA2",
        "EXA1",
    ]
    refused = cli("inbox", "accept", str(listed["EXA3"]["id"]))
    assert refused.exit_code == 1 and "--indicator" in refused.stderr
    assert cli("inbox", "accept", str(listed["EXA1"]["id"])).exit_code == 0
    entry = cli_json("show", "1", "--json")
    assert entry["indicator"] == "regional" and listed["EXA1"]["uuid"] in entry["note"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            '[[rule]]\nname = "x"\nwhen = { text = "a" }\nsugest = { indicator = "regional" }\n',
            ["line 1", "sugest"],
        ),
        (
            '\n\n[[rule]]\nname = "x"\nwhen = { text = "~(" }\nsuggest = { effect = 1 }\n',
            ["line 3", "regular"],
        ),
        ('[[rule]]\nname = "x"\nwhen = { text = "a" }\nsuggest = { colour = "red" }\n', ["colour"]),
        ("[[rule]\n", ["not a TOML file"]),
    ],
)
def test_bad_rules_files_name_the_file_and_line(
    cli: Invoke, acled: Path, tmp_path: Path, db_path: Path, text: str, words: list[str]
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(text, encoding="utf-8")
    result = cli("inbox", "add", str(acled), "--kind", "acled", "--rules", str(rules))
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert all(w in result.stderr for w in [str(rules), *words]), result.stderr


# ---------------------------------------------------------------- triage and undo


def test_bulk_decisions_ask_record_one_row_each_and_undo_takes_them_back(
    cli: Invoke, cli_json: InvokeJson, acled: Path, db_path: Path
) -> None:
    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    asked = cli("inbox", "reject", "--rule", "regional-integration", "--reason", "not now")
    assert asked.exit_code == 1 and "--yes" in asked.stderr
    done = cli("inbox", "reject", "--rule", "regional-integration", "--reason", "not now", "--yes")
    assert done.exit_code == 0, done.output
    assert [c["external_id"] for c in cli_json("inbox", "--json")] == ["EXA3"]
    assert (
        rows(db_path, "SELECT action, decided_by, reason FROM candidate_decisions")
        == [("reject", "tester", "not now")] * 2
    )
    undone = cli("undo", "--yes")
    assert undone.exit_code == 0, undone.output
    assert len(cli_json("inbox", "--json")) == 3
    assert rows(db_path, "SELECT count(*) FROM candidate_decisions WHERE action = 'undo'") == [(2,)]


def test_undo_of_an_accept_deletes_its_entry_and_a_second_undo_steps_back(
    cli: Invoke, cli_json: InvokeJson, acled: Path
) -> None:
    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    assert cli("log", "regional", "Example event 10", "--date", "2024-02-01").exit_code == 0
    assert cli("inbox", "accept", "1", "--indicator", "regional").exit_code == 0
    assert len(cli_json("list", "--json")) == 2
    assert cli("undo", "--yes").exit_code == 0
    assert len(cli_json("list", "--json")) == 1 and len(cli_json("inbox", "--json")) == 3
    second = cli("undo", "--yes")  # the log before it
    assert second.exit_code == 0, second.output
    assert cli_json("list", "--json") == []


def test_snooze_merge_and_their_refusals(cli: Invoke, cli_json: InvokeJson, acled: Path) -> None:
    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    assert cli("inbox", "snooze", "1", "--until", "2099-01").exit_code == 0
    assert "1" not in [str(c["id"]) for c in cli_json("inbox", "--json")]
    assert cli("log", "regional", "Example event 11", "--date", "2024-07-06").exit_code == 0
    assert cli("inbox", "merge", "2", "--into", "1").exit_code == 0
    again = cli("inbox", "accept", "2", "--indicator", "regional")
    assert again.exit_code == 1 and "already merged" in again.stderr
    assert cli("inbox", "show", "99").exit_code == 1
    both = cli("inbox", "reject", "3", "--feed", "x", "--reason", "r")
    assert both.exit_code == 2


def test_an_accept_and_a_merge_carry_their_candidates_dataset_and_no_other_decision_does(
    cli: Invoke, acled: Path, db_path: Path
) -> None:
    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    assert cli("inbox", "accept", "1", "--indicator", "regional").exit_code == 0
    assert cli("inbox", "merge", "2", "--into", "1").exit_code == 0
    assert cli("inbox", "snooze", "3", "--until", "2099-01").exit_code == 0
    assert cli("undo", "--yes").exit_code == 0
    (licence,) = {r[0] for r in rows(db_path, "SELECT licence FROM candidates")}
    assert rows(
        db_path, "SELECT action, dataset, licence FROM candidate_decisions ORDER BY decided_at, id"
    ) == [
        ("accept", "acled", licence),
        ("merge", "acled", licence),
        ("snooze", None, None),
        ("undo", None, None),
    ]


# ---------------------------------------------------------------- feeds and URLs

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Example ministry</title><link>https://example.org/</link>
<item><title>Example event 1</title><link>https://example.org/news/1</link><guid>ex-1</guid>
<pubDate>Sat, 06 Jul 2024 10:00:00 GMT</pubDate><description>{text}</description></item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Example outlet</title><id>urn:example:feed</id>
<updated>2024-01-28T00:00:00Z</updated><link href="https://example.net/"/>
<entry><title>Example event 2</title><id>urn:example:2</id><updated>2024-01-28T12:00:00Z</updated>
<link href="https://example.net/2"/><summary>{text}</summary></entry></feed>"""


def test_rss_and_atom_files(cli: Invoke, cli_json: InvokeJson, tmp_path: Path) -> None:
    rss = tmp_path / "feed.xml"
    rss.write_text(RSS.format(text=AES), encoding="utf-8")
    atom = tmp_path / "atom.xml"
    atom.write_text(ATOM.format(text=ECOWAS), encoding="utf-8")
    assert cli("inbox", "add", str(rss), "--kind", "rss").exit_code == 0
    assert cli("inbox", "add", str(atom), "--kind", "atom").exit_code == 0
    got = {c["external_id"]: c for c in cli_json("inbox", "--json")}
    assert got["ex-1"]["date"] == "2024-07-06" and got["ex-1"]["url"] == "https://example.org/news/1"
    assert got["urn:example:2"]["summary"] == ECOWAS
    wrong = cli("inbox", "add", str(atom), "--kind", "rss")
    assert wrong.exit_code == 1 and "--kind atom" in wrong.stderr


def test_a_feed_with_a_dtd_or_entities_is_refused(cli: Invoke, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        '<rss version="2.0"><channel><title>&b;</title></channel></rss>',
        encoding="utf-8",
    )
    result = cli("inbox", "add", str(bomb), "--kind", "rss")
    assert result.exit_code == 1 and "DTD" in result.stderr


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {}

    def do_GET(self) -> None:
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Callable[[str], str]]:
    """A loopback HTTP server that stops itself at the end of the test."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.timeout = 5
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    port = httpd.server_address[1]
    yield lambda path: f"http://127.0.0.1:{port}{path}"
    httpd.shutdown()
    httpd.server_close()
    _Handler.routes = {}


def test_urls_through_the_safe_fetcher(
    cli: Invoke, cli_json: InvokeJson, server: Callable[[str], str], tmp_path: Path
) -> None:
    import gzip

    body = RSS.format(text=AES).encode()
    _Handler.routes = {
        "/feed": (200, {"Content-Type": "application/rss+xml"}, body),
        "/moved": (302, {"Location": "/feed"}, b""),
        "/gz": (200, {"Content-Encoding": "gzip"}, gzip.compress(body)),
        "/bomb": (200, {"Content-Encoding": "gzip"}, gzip.compress(b" " * (70 * 1024 * 1024))),
        "/loop": (302, {"Location": "/loop"}, b""),
    }
    refused = cli("inbox", "add", server("/feed"), "--kind", "rss")
    assert refused.exit_code == 1 and "--allow-private" in refused.stderr
    moved = cli("inbox", "add", server("/moved"), "--kind", "rss", "--allow-private")
    assert moved.exit_code == 0, moved.output
    assert cli("inbox", "add", server("/gz"), "--kind", "rss", "--allow-private").exit_code == 0
    assert len(cli_json("inbox", "--json")) == 1  # the same item, read three ways
    big = cli("inbox", "add", server("/bomb"), "--kind", "rss", "--allow-private")
    assert big.exit_code == 1 and "MB" in big.stderr
    loop = cli("inbox", "add", server("/loop"), "--kind", "rss", "--allow-private")
    assert loop.exit_code == 1 and "redirects" in loop.stderr
    for bad in ("ftp://example.org/x", "http://user:secret@127.0.0.1/feed"):
        result = cli("inbox", "add", bad, "--kind", "rss", "--allow-private")
        assert result.exit_code == 1 and "secret" not in result.stderr


def test_a_slow_server_times_out() -> None:
    import socket

    from policytrack.core.errors import InputError
    from policytrack.exchange.fetch import fetch

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        with pytest.raises(InputError, match="did not answer"):
            fetch(f"http://127.0.0.1:{listener.getsockname()[1]}/", allow_private=True, timeout=0.5)
    finally:
        listener.close()


def test_feed_add_list_and_pull(cli: Invoke, cli_json: InvokeJson, acled: Path, tmp_path: Path) -> None:
    assert cli("feed", "add", "acled-example", "--kind", "acled", "--file", str(acled)).exit_code == 0
    assert cli("feed", "add", "acled-example", "--kind", "acled", "--file", str(acled)).exit_code == 1
    pulled = cli("feed", "pull")
    assert pulled.exit_code == 0 and "3 new candidates" in pulled.stdout
    assert "3 unchanged" in cli("feed", "pull", "acled-example").stdout
    (feed,) = cli_json("feed", "list", "--format", "json")
    assert feed["name"] == "acled-example" and feed["pulled_at"]
    assert [c["feed"] for c in cli_json("inbox", "--feed", "acled-example", "--json")] == [
        "acled-example"
    ] * 3


def test_gdelt_fips_codes_become_iso(cli: Invoke, cli_json: InvokeJson, tmp_path: Path) -> None:
    path = tmp_path / "gdelt.json"
    path.write_text(
        json.dumps(
            [
                {
                    "GLOBALEVENTID": 1,
                    "SQLDATE": 20240706,
                    "ActionGeo_CountryCode": "CH",
                    "SOURCEURL": "https://example.org/g1",
                    "Actor1Name": "EXAMPLE",
                }
            ]
        ),
        encoding="utf-8",
    )
    assert cli("inbox", "add", str(path), "--kind", "gdelt").exit_code == 0
    (c,) = cli_json("inbox", "--json")
    assert c["country"] == "CN"


def test_agenda_lists_what_waits(cli: Invoke, cli_json: InvokeJson, acled: Path) -> None:
    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    assert cli("log", "regional", "Example event 12", "--date", "2024-02-01").exit_code == 0
    items = cli_json("agenda", "--json")
    kinds = {i["what"] for i in items}
    assert {"candidate", "entry", "indicator"} <= kinds
    assert [i["since"] for i in items] == sorted(i["since"] for i in items)
    out = io.StringIO(cli("agenda").stdout)
    assert "3 candidates wait" in out.getvalue()


# ---------------------------------------------------------------- the report header


def test_the_report_header_counts_candidates_waiting(cli: Invoke, acled: Path) -> None:
    assert "in the inbox" not in cli("report").stdout
    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    assert cli("inbox", "reject", "1", "--reason", "not evidence").exit_code == 0
    terminal = cli("report")
    assert terminal.exit_code == 0, terminal.stderr
    assert "2 candidates wait in the inbox" in terminal.stdout
    assert cli("inbox", "snooze", "2", "--until", "2099-01").exit_code == 0
    markdown = cli("report", "--format", "markdown")
    assert "1 candidate waits in the inbox" in markdown.stdout
    french = cli("--lang", "fr", "report", "--format", "markdown")
    assert "1 candidat attend dans la boîte de réception" in french.stdout


# ---------------------------------------------------------------- publish


def test_publish_cites_the_datasets_of_accepted_entries_never_their_rows(
    cli: Invoke, acled: Path, tmp_path: Path
) -> None:
    import subprocess

    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    before = tmp_path / "before"
    assert cli("publish", str(before), "--as-of", "2024-12-31").exit_code == 0
    assert "ACLED" not in (before / "CITATION.cff").read_text(encoding="utf-8")  # nothing accepted yet
    accepted = cli("inbox", "accept", "1", "--indicator", "regional")
    assert accepted.exit_code == 0, accepted.stderr
    bundle = tmp_path / "bundle"
    result = cli("publish", str(bundle), "--as-of", "2024-12-31")
    assert result.exit_code == 0, result.stderr
    package = json.loads((bundle / "datapackage.json").read_text(encoding="utf-8"))
    attribution = "Armed Conflict Location & Event Data (ACLED); see acleddata.com for its terms of use."
    assert [s["title"] for s in package["sources"]][1:] == [f"{attribution} (dataset: acled)"]
    cff = (bundle / "CITATION.cff").read_text(encoding="utf-8")
    assert "type: data" in cff and "acleddata.com" in cff
    # the rows stay with the team: no other candidate's text, no raw column, no candidates table
    for path in bundle.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"Example event 3" not in data and b"event_id_cnty" not in data, path
    tables = rows(bundle / "policytrack.db", "SELECT name FROM sqlite_master WHERE type = 'table'")
    assert not [t for (t,) in tables if t.startswith(("candidate", "feed"))]
    validator = cffconvert()
    if validator:
        checked = subprocess.run([validator, "--validate", "-i", str(bundle / "CITATION.cff")], check=False)
        assert checked.returncode == 0


def test_agenda_counts_waiting_candidates_from_an_index(cli: Invoke, acled: Path, db_path: Path) -> None:
    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    assert cli("inbox", "snooze", "1", "--until", "2000-01").exit_code == 0  # woken: waits again
    assert cli("inbox", "reject", "2", "--reason", "not evidence").exit_code == 0
    from policytrack.store import Store

    store = Store(db_path)
    traced: list[str] = []
    store.conn.set_trace_callback(traced.append)
    found = [tuple(r) for r in store.waiting_by_dataset("2026-01-01")]
    store.conn.set_trace_callback(None)
    assert found == [("acled", "", 2, "2024-03-01")]
    plan = " ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + traced[-1].split(";")[0]))
    store.close()
    assert "COVERING INDEX candidates_by_dataset" in plan, plan


def test_a_piped_inbox_is_plain_text_of_every_row_and_formats_stream(
    cli: Invoke, cli_json: InvokeJson, acled: Path, db_path: Path
) -> None:
    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    piped = cli("inbox")
    assert piped.exit_code == 0, piped.stderr
    lines = piped.stdout.splitlines()
    assert lines[0] == "3 candidates wait" and lines[2].split() == [
        "ID",
        "Date",
        "Dataset",
        "Suggested",
        "Note",
        "Title",
    ]
    assert [line.split()[0] for line in lines[4:]] == ["2", "3", "1"]  # oldest first, every one
    assert "Showing" not in piped.stderr
    newest = cli_json("inbox", "--json", "--limit", "2")
    assert [c["external_id"] for c in newest] == ["EXA3", "EXA1"]
    from policytrack.domain.inbox import Filter, each_waiting
    from policytrack.store import Store

    store = Store(db_path)
    rows = each_waiting(store, Filter())
    assert not isinstance(rows, list) and [r["external_id"] for r in rows] == ["EXA2", "EXA3", "EXA1"]
    store.close()


_NEAR = {
    "a": "Example event 1: a clash near the example town",
    "a.": "Example event 1: a clash near the example town.",
    "b": "Example event 2: an agreement signed in the example region",
    "b,": "Example event 2: an agreement signed, in the example region",
    "c": "Another example",
}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["2024-07-06", "2024-07-07"]),
            st.sampled_from(["Town", "Village"]),
            st.sampled_from(sorted(_NEAR)),
        ),
        min_size=1,
        max_size=8,
    ),
    st.integers(min_value=1, max_value=4),
)
def test_a_possible_duplicate_is_the_first_near_summary_read_on_its_day_and_place(
    cli: Invoke,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    read: list[tuple[str, str, str]],
    chunk: int,
) -> None:
    """Whatever the chunk a row falls in (earlier chunks are read back from SQL, the chunk's own from
    memory), a new candidate is marked as the first earlier one of its day and place whose summary is
    nearly the same (rapidfuzz ratio >= 90, case folded), and only then."""
    from rapidfuzz import fuzz

    import policytrack.domain.inbox as inbox

    monkeypatch.setattr(inbox, "_CHUNK", chunk)
    work = tmp_path_factory.mktemp("near")
    data = write_csv(
        work / "acled.csv",
        ACLED_COLUMNS,
        [acled_row(f"EXA{n}", day, _NEAR[text], location=place) for n, (day, place, text) in enumerate(read)],
    )
    assert cli("--db", str(work / "t.db"), "inbox", "add", str(data), "--kind", "acled").exit_code == 0
    expected = []
    for n, (day, place, text) in enumerate(read):
        first = next(
            (
                candidate_uuid("acled", f"EXA{m}")
                for m, (d, p, t) in enumerate(read[:n])
                if (d, p) == (day, place) and fuzz.ratio(_NEAR[text].casefold(), _NEAR[t].casefold()) >= 90
            ),
            None,
        )
        expected.append((f"EXA{n}", first))
    found = rows(work / "t.db", "SELECT external_id, duplicate_of FROM candidates ORDER BY id")
    assert found == expected


def test_possible_duplicates_across_reads_and_entries(
    cli: Invoke, cli_json: InvokeJson, tmp_path: Path, db_path: Path
) -> None:
    """An entry of the day is compared first, at any place; a later read is compared with the earlier one."""
    assert cli("log", "regional", _NEAR["c"] + " of ministers", "--date", "2024-07-06").exit_code == 0
    (entry,) = cli_json("list", "--json")
    first = write_csv(tmp_path / "one.csv", ACLED_COLUMNS, [acled_row("EXA1", "2024-07-06", _NEAR["a"])])
    assert cli("inbox", "add", str(first), "--kind", "acled").exit_code == 0
    second = write_csv(
        tmp_path / "two.csv",
        ACLED_COLUMNS,
        [
            acled_row("EXA2", "2024-07-06", _NEAR["a."]),
            acled_row("EXA3", "2024-07-06", _NEAR["a."], location="Elsewhere"),
            acled_row("EXA4", "2024-07-06", _NEAR["c"] + " of ministers.", location="Elsewhere"),
            acled_row("EXA5", "2024-07-07", _NEAR["a."]),
        ],
    )
    result = cli("inbox", "add", str(second), "--kind", "acled")
    assert result.exit_code == 0 and "2 possible duplicates" in result.stdout, result.output
    marks = dict(rows(db_path, "SELECT external_id, duplicate_of FROM candidates"))
    assert marks == {
        "EXA1": None,
        "EXA2": candidate_uuid("acled", "EXA1"),  # the earlier read, same day and place
        "EXA3": None,  # another place
        "EXA4": f"entry:{entry['uuid']}",  # an entry of the day, whatever the place
        "EXA5": None,  # another day
    }


def test_the_duplicate_lookup_is_an_index_seek_in_read_order(cli: Invoke, acled: Path, db_path: Path) -> None:
    """What a new candidate is compared with is found by a seek per day and place, in the order read with
    no sort (so a lookup streams and stops at the first near match): flat memory however large the file."""
    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    from policytrack.store import Store

    store = Store(db_path)
    traced: list[str] = []
    store.conn.set_trace_callback(traced.append)
    found = list(store.texts_at("2024-07-06", "Example town, Example region"))
    store.conn.set_trace_callback(None)
    assert [ref for ref, _text in found] == [candidate_uuid("acled", "EXA1")]
    plans = [
        " ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql.split(";")[0]))
        for sql in traced
    ]
    store.close()
    entries, candidates = plans
    assert "USING INDEX" in entries and "SCAN" not in entries, entries
    assert "INDEX candidates_place (date_start=? AND location=?)" in candidates, candidates
    assert "TEMP B-TREE" not in candidates, candidates


def _counts_match_the_rows(db: Path) -> list[tuple[Any, ...]]:
    kept = rows(db, "SELECT state, dataset, feed, n FROM candidate_counts WHERE n != 0 ORDER BY 1, 2, 3")
    counted = rows(
        db, "SELECT state, dataset, feed, count(*) FROM candidates GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )
    assert kept == counted
    return kept


def test_the_inbox_counts_follow_every_decision_and_read(
    cli: Invoke, acled: Path, tmp_path: Path, db_path: Path
) -> None:
    """candidate_counts (kept by triggers) is what `inbox` and `agenda` count from: it follows adds,
    decisions, their undo, revisions and withdrawals, whatever path writes them."""
    steps: list[tuple[str, ...]] = [
        ("inbox", "add", str(acled), "--kind", "acled"),
        ("inbox", "accept", "1", "--indicator", "regional"),
        ("inbox", "reject", "2", "--reason", "not evidence"),
        ("inbox", "snooze", "3", "--until", "2000-01"),  # woken: waits again, counted as waiting
        ("undo", "--yes"),
        ("inbox", "snooze", "3", "--until", "2099-01"),
    ]
    for step in steps:
        result = cli(*step)
        assert result.exit_code == 0, (step, result.output)
        _counts_match_the_rows(db_path)
    assert _counts_match_the_rows(db_path) == [
        ("accepted", "acled", "", 1),
        ("rejected", "acled", "", 1),
        ("snoozed", "acled", "", 1),
    ]
    assert cli("inbox", "snooze", "1", "--until", "2000-01").exit_code == 1  # accepted: refused, unchanged
    deletions = tmp_path / "deleted.csv"
    deletions.write_text("event_id_cnty,deleted_timestamp\nEXA1,1720000500\n", encoding="utf-8")
    assert cli("inbox", "add", str(deletions), "--kind", "acled").exit_code == 0
    _counts_match_the_rows(db_path)
    assert cli("undo", "--yes").exit_code == 0  # the snooze of 3: it waits
    assert _counts_match_the_rows(db_path)[-1] == ("waiting", "acled", "", 1)
    listed = cli("inbox", "--limit", "5")
    assert listed.exit_code == 0 and "1 candidate waits" in listed.stdout


def _steps_of_the_first_page_and_agenda(db: Path) -> int:
    """SQLite's virtual-machine steps for what `inbox` (its first page and count) and `agenda` (the counts
    by dataset, the changed candidates) ask of the candidates: what grows when a query reads every row."""
    from policytrack.domain.inbox import Filter, count_waiting, waiting
    from policytrack.store import Store

    store = Store(db)
    steps = [0]

    def step() -> int:
        steps[0] += 1
        return 0

    store.conn.set_progress_handler(step, 1)
    try:
        waiting(store, Filter(), limit=2, newest=True)
        count_waiting(store, Filter())
        store.waiting_by_dataset("2026-01-01")
        store.changed_after_decision()
    finally:
        store.conn.set_progress_handler(None, 1)
        store.close()
    return steps[0]


def test_agenda_and_the_inbox_page_do_not_grow_with_the_candidates(
    cli: Invoke, acled: Path, tmp_path: Path, db_path: Path
) -> None:
    """With a million candidates `inbox` shows its first page in 0.3 s and `agenda` in 0.5 s (issue 24):
    what they ask of the candidates is the same work with 3 waiting as with 303 (seeks, and the counts kept
    in candidate_counts), never a read of every row or of every entry of an index."""
    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    few = _steps_of_the_first_page_and_agenda(db_path)
    more = [acled_row(f"EXB{n}", f"2023-{1 + n % 12:02d}-01", f"Example event B{n}") for n in range(300)]
    assert (
        cli(
            "inbox", "add", str(write_csv(tmp_path / "more.csv", ACLED_COLUMNS, more)), "--kind", "acled"
        ).exit_code
        == 0
    )
    assert cli("inbox", "accept", "1", "--indicator", "regional").exit_code == 0
    many = _steps_of_the_first_page_and_agenda(db_path)
    assert many <= few + 50, (few, many)
    from policytrack.store import Store

    store = Store(db_path)
    traced: list[str] = []
    store.conn.set_trace_callback(traced.append)
    store.changed_after_decision()
    store.conn.set_trace_callback(None)
    plan = " ".join(r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + traced[-1]))
    store.close()
    assert "INDEX candidates_changed" in plan, plan


def test_a_second_pull_of_an_unchanged_file_loads_no_fetcher_table_or_matcher(
    cli: Invoke, acled: Path, db_path: Path
) -> None:
    """A second pull of the same bytes is a hash and one line of text (issue 24: <= 1.5x reading the
    file): it imports neither the URL fetcher (http.client, ssl), nor rich's tables, nor rapidfuzz."""
    import subprocess
    import sys

    assert cli("inbox", "add", str(acled), "--kind", "acled").exit_code == 0
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['policytrack', 'inbox', 'add', {str(acled)!r}, '--kind', 'acled']\n"
        "try:\n    runpy.run_module('policytrack', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(' '.join(sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "3 unchanged" in done.stdout, done.stdout
    loaded = set(done.stderr.split())
    assert loaded & {"ssl", "http.client", "rich.table", "rich.console", "rapidfuzz"} == set()
    assert "policytrack.exchange.inbox" in loaded  # it did read the file


@pytest.mark.parametrize("command", [("inbox", "add"), ("feed", "add")])
def test_kind_help_names_every_kind_the_declaration_reads(cli: Invoke, command: tuple[str, ...]) -> None:
    """`--kind`'s help is made from records.candidate.KINDS_READ, not a list of its own: every kind read is
    named, in English and in French (csv last, with the column map it needs)."""
    from policytrack.records.candidate import KINDS_READ

    for lang, start, needs_map in (("en", "How to read it: ", " or csv (with --map)."),
                                   ("fr", "Comment le lire : ", " ou csv (avec --map).")):  # fmt: skip
        result = cli("--lang", lang, *command, "--help")
        assert result.exit_code == 0, result.stderr
        words = " ".join(result.stdout.replace("│", " ").split())
        listed = words.split(start, 1)[1].split(needs_map, 1)[0]
        assert listed.split(", ") == [k for k in KINDS_READ if k != "csv"], words
