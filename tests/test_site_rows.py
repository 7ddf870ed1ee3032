"""The site's rows (an indicator's evidence, a month's entries, the feed's items) built as HTML in
Python (render/site.py, for speed at 100k entries) hold the bytes the templates made: each is compared with
the template it replaced, kept here as the reference, over any text (hostile markup, quotes, every kind of
character) in both of the site's languages."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from policytrack.core.dates import PartialDate
from policytrack.core.i18n import speaking
from policytrack.domain.site import EntryLine
from policytrack.render.brief import EvidenceRow, SourcePart, _environment
from policytrack.render.site import _entry_line, _EvidenceRowHtml, _feed_entry, _MonthLineHtml
from policytrack.render.text import visible

# indicator.html.j2's evidence row before it was built in Python (the bytes it must keep)
EVIDENCE_ROW = """{% import "summary.html.j2" as shown %}
<tr id="{{ e.anchor }}">
<td class="date">{{ e.date }}</td>
<td class="text"{% if e.ev.lang %} lang="{{ e.ev.lang }}"{% endif %}>{{ shown.translated(e.ev) }}</td>
<td class="num" title="{{ e.ev.effect_name }}">{{ e.ev.effect }}</td>
<td>{{ e.ev.grade }}</td>
<td>{% if e.ev.assessment %}{{ _("%(level)s, by %(analyst)s", level=e.ev.assessment, analyst=e.ev.analyst) }}{% endif %}{% if e.change %}<br><span class="muted">{{ e.change }}</span>{% endif %}</td>
<td class="text">{% for part in e.ev.source %}{% if part.role %}{{ part.role }} {% endif %}{% if part.link %}<a href="{{ part.link }}" rel="noopener noreferrer">{{ part.text }}</a>{% else %}{{ part.text }}{% endif %}{% if not loop.last %}; {% endif %}{% endfor %}</td>
<td>{{ e.ev.signals | join("; ") }}</td>
</tr>"""  # noqa: E501 (the template as it was, one row a line)
# month.html.j2's entry and feed.atom.j2's item before they were built in Python
MONTH_LINE = """<li><span class="date">{{ e.date }}</span> <a href="{{ root }}{{ e.href }}">{{ e.indicator }}</a> ({{ e.effect }}): <span class="text"{% if e.lang %} lang="{{ e.lang }}"{% endif %}>{{ e.summary }}</span>{% if e.unchecked %} <span class="unchecked">{{ _("(machine or unchecked translation)") }}</span>{% endif %}</li>"""  # noqa: E501
FEED_ENTRY = """<entry>
<title>{{ item.title }}</title>
<id>{{ item.id }}</id>
<updated>{{ item.updated }}</updated>
<author><name>{{ item.author }}</name></author>
<link rel="alternate" type="text/html" href="{{ item.href }}"/>
<summary{% if item.lang %} xml:lang="{{ item.lang }}"{% endif %}>{{ item.summary }}</summary>
</entry>"""
# their words in the language spoken when they render
TEMPLATE, MONTH, FEED = (_environment().from_string(t) for t in (EVIDENCE_ROW, MONTH_LINE, FEED_ENTRY))

text = st.one_of(
    st.sampled_from(["", "<b>&amp;</b>", "\"'", "</script><script>alert(1)</script>", "50%", "%(level)s"]),
    st.text(max_size=12),
)
parts = st.builds(SourcePart, text, st.one_of(st.none(), text), st.sampled_from(["", "via", "<via>"]))
rows = st.builds(
    EvidenceRow,
    date=text,
    precision=st.just("day"),
    ref=text,
    summary=text,
    grade=text,
    effect=text,
    effect_name=text,
    assessment=text,
    analyst=text,
    source=st.lists(parts, max_size=3),
    signals=st.lists(text, max_size=3),
    lang=text,
    original=text,
    original_lang=text,
    unchecked=st.booleans(),
)


tags = st.sampled_from(["", "und", "en", "fr", "fr-CA", "es", '"><b>'])
lines = st.builds(
    EntryLine,
    uuid=st.uuids().map(str),
    date=st.dates().map(lambda day: PartialDate(day, "day")),
    recorded_at=text,
    analyst=text,
    framework=text,
    indicator=text,
    summary=text,
    effect=st.integers(-3, 3),
    language=tags,
    summary_translation=text,
    summary_translation_language=tags,
    summary_translation_checked=st.booleans(),
)


@settings(max_examples=80, deadline=None)
@given(lines, st.sampled_from(["", "../", "../../"]), st.sampled_from(["en", "fr"]))
def test_a_month_pages_entry_is_the_bytes_its_template_made(entry: EntryLine, root: str, code: str) -> None:
    with speaking(code):
        shown = MONTH.render(e=_entry_line(entry), root=root)
        assert _MonthLineHtml(root)(entry) == shown


@settings(max_examples=80, deadline=None)
@given(
    st.fixed_dictionaries(
        dict.fromkeys(("title", "id", "updated", "author", "href", "lang", "summary"), text)
    )
)
def test_a_feed_item_is_the_bytes_its_template_made(item: dict[str, str]) -> None:
    assert _feed_entry(item) == FEED.render(item=item)


@settings(max_examples=120, deadline=None)
@given(rows, text, text, st.one_of(st.none(), text), st.sampled_from(["en", "fr"]))
def test_an_evidence_row_is_the_bytes_its_template_made(
    ev: EvidenceRow, anchor: str, day: str, change: str | None, code: str
) -> None:
    e = {"anchor": anchor, "date": day, "change": visible(change) if change else "", "ev": ev}
    with speaking(code):
        shown = TEMPLATE.render(e=e)
        assert _EvidenceRowHtml()(anchor, day, change, ev) == shown.removeprefix("\n")
