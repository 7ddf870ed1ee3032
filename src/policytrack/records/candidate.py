"""Candidate evidence (issue 24), declared once: a record read from an event dataset, a feed or a sheet that
waits in the inbox until a person accepts it (then it is an entry), rejects, snoozes or merges it; the
decisions taken on candidates; the feeds kept in step; and the layouts of the datasets read (which column
gives which field). Nothing here counts in any figure: only entries do.

A candidate's raw record and the texts read from it stay with the team (`public=False`): licensed datasets
(ACLED, UCDP) may not be republished, so `publish` carries only the entries made from them.
"""

from __future__ import annotations

from policytrack.records.field import Column, Kind

_SINCE = "m015_inbox"

KINDS_READ = ("acled", "ucdp", "rss", "atom", "gdelt", "reliefweb", "csv")
STATES = ("waiting", "accepted", "rejected", "snoozed", "merged")
ACTIONS = ("accept", "reject", "snooze", "merge", "undo")
PRECISIONS = ("day", "month", "quarter", "year")


def _c(name: str, type: str, description: str, **rules: object) -> Column:
    """A column of the candidates table (stored, under its own name)."""
    return Column(name, type, description, name, stored=True, since=_SINCE, **rules)  # type: ignore[arg-type]


CANDIDATE = Kind(
    "candidate",
    "A candidate piece of evidence read from a dataset, a feed or a sheet, waiting for a person's decision.",
    (
        Column(
            "id",
            "integer",
            "The candidate's short id in this database (uuid is the same in every database).",
            "id",
            public=False,
            synced=False,
            minimum=1,
            since=_SINCE,
        ),
        _c("uuid", "uuid", "The candidate's stable id, made from its dataset and external id."),
        _c(
            "dataset",
            "text",
            "The dataset or feed the record comes from (acled, ucdp-ged, a feed's address).",
        ),
        _c("external_id", "text", "The record's own id in its dataset (ACLED's event_id_cnty, UCDP's id)."),
        _c("kind", "key", "How the record was read: " + ", ".join(KINDS_READ) + ".", choices=KINDS_READ),
        _c(
            "feed", "text", "The name of the feed here that pulled it (empty: added from a file).", default=""
        ),
        _c("title", "text", "A title for the record.", free_text=True, public=False, default=""),
        _c(
            "summary",
            "text",
            "What happened, as the dataset says it.",
            free_text=True,
            public=False,
            default="",
        ),
        _c(
            "date",
            "date",
            "When it happened, at its precision (empty: the record gives no date).",
            default="",
        ),
        _c("date_start", "date", "The first day of the date's period (what the inbox sorts by).", default=""),
        _c(
            "date_precision",
            "text",
            "How precise the date is: day, month, quarter or year (from ACLED's time_precision, UCDP's "
            "date_prec).",
            choices=PRECISIONS,
            default="day",
        ),
        _c("actors", "list", "The actors the record names.", free_text=True, public=False, default=()),
        _c("location", "text", "Where, as the record names it.", free_text=True, public=False, default=""),
        _c(
            "country",
            "text",
            "The country (ISO 3166 alpha-2 where the dataset codes it; GDELT's FIPS codes are translated).",
            free_text=True,
            public=False,
            default="",
        ),
        _c("source", "text", "The source the dataset cites.", free_text=True, public=False, default=""),
        _c(
            "url", "text", "The record's web address (empty: none).", free_text=True, public=False, default=""
        ),
        _c(
            "fatalities",
            "integer",
            "Fatalities the record reports (empty: none given).",
            nullable=True,
            public=False,
            default=None,
            minimum=0,
        ),
        _c("licence", "text", "The dataset's attribution and terms, as the user must cite them.", default=""),
        _c(
            "raw",
            "text",
            "The record as read, every column (JSON).",
            free_text=True,
            public=False,
            default="{}",
        ),
        _c(
            "version",
            "text",
            "The dataset's own version of the record (ACLED's timestamp), else a hash of it.",
            public=False,
            default="",
        ),
        _c(
            "revision",
            "integer",
            "How many versions of the record this database has read.",
            minimum=1,
            default=1,
        ),
        _c("pulled_at", "datetime", "When the current version was read here (UTC).", synced=False),
        _c(
            "deleted_at",
            "datetime",
            "When the dataset withdrew the record (empty: it stands).",
            nullable=True,
            default=None,
        ),
        _c(
            "duplicate_of",
            "text",
            "A candidate (uuid) or entry (entry:uuid) it may duplicate: only a hint for the person deciding.",
            nullable=True,
            default=None,
        ),
        _c(
            "suggestions",
            "text",
            "What the rules suggest, with the rules that made each suggestion (JSON).",
            default="[]",
        ),
        _c("state", "text", "Where it stands: " + ", ".join(STATES) + ".", choices=STATES, default="waiting"),
        _c(
            "snoozed_until",
            "date",
            "Until when it is snoozed (empty: not snoozed).",
            nullable=True,
            default=None,
        ),
        _c(
            "entry_uuid",
            "uuid",
            "The entry made from it or that it corroborates (empty: none).",
            nullable=True,
            default=None,
        ),
        _c(
            "changed_since",
            "datetime",
            "When the dataset changed or withdrew it after a decision (empty: not since).",
            nullable=True,
            default=None,
        ),
    ),
)

# What `inbox` lists (every record format): the short id first.
CANDIDATE_LISTED = CANDIDATE.subset(
    "listed candidate",
    "A candidate as `inbox` lists it.",
    tuple(n for n in CANDIDATE.names() if n not in ("raw", "suggestions", "version", "revision")),
)


def _d(name: str, type: str, description: str, **rules: object) -> Column:
    return Column(name, type, description, name, stored=True, since=_SINCE, **rules)  # type: ignore[arg-type]


# An accept's or merge's decision carries its candidate's dataset and licence (issue 21): the candidate stays
# in the database that read it, and `publish` cites the same datasets wherever the decisions are.
_DATASETS_SINCE = "m027_decision_datasets"

# A decision travels in sync: the team shares who decided what, when (feeds and their settings do not).
DECISION = Kind(
    "decision",
    "A person's decision on a candidate: accept, reject, snooze, merge, or the undo of one.",
    (
        Column(
            "id",
            "integer",
            "The decision's id in this database.",
            "id",
            public=False,
            synced=False,
            since=_SINCE,
        ),
        _d("uuid", "uuid", "The decision's stable id across databases."),
        _d("candidate", "uuid", "The candidate decided on."),
        _d("action", "text", "What was decided: " + ", ".join(ACTIONS) + ".", choices=ACTIONS),
        _d(
            "entry",
            "uuid",
            "The entry made (accept) or corroborated (merge); empty: none.",
            nullable=True,
            default=None,
        ),
        _d("reason", "text", "Why (a rejection's reason).", free_text=True, public=False, default=""),
        _d("until", "date", "Until when (a snooze).", nullable=True, default=None),
        _d("batch", "uuid", "The decisions taken together (a bulk decision): undo takes them back together."),
        _d(
            "undoes",
            "uuid",
            "The decision an undo takes back (empty: not an undo).",
            nullable=True,
            default=None,
        ),
        _d("decided_by", "text", "Who decided.", free_text=True, actor=True),
        _d("decided_at", "datetime", "When (UTC)."),
        Column(
            "dataset",
            "text",
            "The dataset or feed of the candidate accepted or merged (empty: another action, or a decision "
            "from before policytrack recorded it): what `publish` cites in every database.",
            "dataset",
            stored=True,
            nullable=True,
            default=None,
            since=_DATASETS_SINCE,
        ),
        Column(
            "licence",
            "text",
            "That dataset's attribution and terms, as the candidate gave them (empty: as for dataset).",
            "licence",
            stored=True,
            nullable=True,
            default=None,
            since=_DATASETS_SINCE,
        ),
    ),
)

# A decision as sync sends it: its synced fields (not this database's id for it).
SYNCED_DECISION = DECISION.subset("synced decision", DECISION.description, DECISION.names(synced=True))

FEED = Kind(
    "feed",
    "A feed this database keeps in step: a dataset file or a web address, read again by `feed pull`.",
    (
        _d("name", "key", "The feed's name here.", synced=False),
        _d("kind", "key", "How it is read: " + ", ".join(KINDS_READ) + ".", choices=KINDS_READ, synced=False),
        _d(
            "location",
            "text",
            "The file or the http(s) address it is read from.",
            free_text=True,
            synced=False,
            public=False,
        ),
        _d(
            "rules",
            "text",
            "The rules file applied to what it brings (empty: none).",
            free_text=True,
            synced=False,
            public=False,
            default="",
        ),
        _d(
            "map",
            "text",
            "The column map of a csv feed (empty: none).",
            free_text=True,
            synced=False,
            public=False,
            default="",
        ),
        _d(
            "allow_private",
            "boolean",
            "Whether its address may be on a private network.",
            synced=False,
            default=False,
        ),
        _d("added_at", "datetime", "When it was added here (UTC).", synced=False),
        _d(
            "pulled_at",
            "datetime",
            "When it was last pulled (empty: never).",
            synced=False,
            nullable=True,
            default=None,
        ),
    ),
)

# What a pull of a dataset last read: a second pull of the same bytes is skipped as a whole.
_PULL_SINCE = "m021_dataset_pulls"


def _p(name: str, type: str, description: str) -> Column:
    return Column(name, type, description, name, stored=True, since=_PULL_SINCE, synced=False)  # type: ignore[arg-type]


DATASET_PULL = Kind(
    "dataset pull",
    "The last file or response read into a dataset here: its digest, so that reading the same bytes again "
    "changes nothing and costs no more than hashing them.",
    (
        _p("dataset", "key", "The dataset read."),
        _p("digest", "text", "The sha256 of what was read: its kind, its column map and its bytes."),
        _p("records", "integer", "How many records it held."),
        _p("pulled_at", "datetime", "When it was read (UTC)."),
    ),
)

# A line of `agenda`: what waits on the team.
AGENDA_ROW = Kind(
    "agenda item",
    "One thing that waits on the team: a candidate, an entry to review, a stale indicator, a date due.",
    (
        Column(
            "what",
            "key",
            "What kind of item: candidate, entry, indicator, target, forecast.",
            "what",
            since=_SINCE,
        ),
        Column(
            "ref",
            "text",
            "Its id (a candidate's or entry's short id, an indicator's key).",
            "ref",
            since=_SINCE,
        ),
        Column("since", "date", "Waiting since, or due on.", "since", since=_SINCE),
        Column("detail", "text", "What it is about.", "detail", free_text=True, since=_SINCE),
    ),
)


class Layout:
    """How one dataset's columns give a candidate's fields: the column of its id, date, date precision
    (with the dataset's codes), texts, actors and figures, and the columns a file must have."""

    __slots__ = ("actors", "dataset", "fields", "id", "licence", "precision", "required", "title", "version")

    def __init__(
        self,
        dataset: str,
        id: str,
        required: tuple[str, ...],
        fields: dict[str, str],
        *,
        title: tuple[str, ...],
        actors: tuple[str, ...],
        precision: tuple[str, dict[str, str]] | None,
        version: str | None,
        licence: str,
    ) -> None:
        self.dataset, self.id, self.required, self.fields = dataset, id, required, fields
        self.title, self.actors, self.precision, self.version = title, actors, precision, version
        self.licence = licence


# ACLED's export columns (their documented layout; see the README). time_precision: 1 the day, 2 the week
# (kept to its month), 3 the month.
ACLED = Layout(
    "acled",
    "event_id_cnty",
    ("event_id_cnty", "event_date", "event_type", "country", "notes"),
    {
        "date": "event_date",
        "summary": "notes",
        "location": "location",
        "country": "country",
        "source": "source",
        "fatalities": "fatalities",
    },
    title=("event_type", "sub_event_type"),
    actors=("actor1", "assoc_actor_1", "actor2", "assoc_actor_2"),
    precision=("time_precision", {"1": "day", "2": "month", "3": "month"}),
    version="timestamp",
    licence="Armed Conflict Location & Event Data (ACLED); see acleddata.com for its terms of use.",
)
# UCDP's georeferenced events (GED). date_prec: 1-2 the day (or days), 3-4 the month, 5 the year.
UCDP = Layout(
    "ucdp-ged",
    "id",
    ("id", "date_start", "side_a", "side_b"),
    {
        "date": "date_start",
        "summary": "source_headline",
        "location": "adm_1",
        "country": "country",
        "source": "source_office",
        "fatalities": "best",
    },
    title=("side_a", "side_b"),
    actors=("side_a", "side_b"),
    precision=("date_prec", {"1": "day", "2": "day", "3": "month", "4": "month", "5": "year"}),
    version=None,
    licence="UCDP Georeferenced Event Dataset (GED), Uppsala Conflict Data Program; cite it as UCDP asks.",
)
LAYOUTS = {"acled": ACLED, "ucdp": UCDP}
# ACLED's list of deleted events: these two columns and no event_date.
DELETIONS = ("event_id_cnty", "deleted_timestamp")

# What a column map (`--kind csv --map FILE`) may fill: the candidate's texts, date and figures, and the
# record's own id (`external_id`; else its url identifies it).
MAPPABLE = (
    "external_id",
    "title",
    "summary",
    "date",
    "actors",
    "location",
    "country",
    "source",
    "url",
    "fatalities",
)
# What a rule may suggest for a candidate (rules files, exchange/rules.py).
SUGGESTS = ("indicator", "effect", "signal", "credibility", "source")
# What a read of a record gives a candidate: what a newer version of the record replaces (the decisions,
# the state and the feed that pulled it stay).
FROM_RECORD = (
    *(n for n in MAPPABLE if n != "external_id"),
    "date_start",
    "date_precision",
    "licence",
    "raw",
    "version",
    "pulled_at",
)
