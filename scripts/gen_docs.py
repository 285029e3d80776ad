"""Generate docs/CLI.md (from the commands' --help) and docs/DATA_MODEL.md (from the
schema's and models' field descriptions), so the docs cannot drift from the code.

    python scripts/gen_docs.py          # write the files
    python scripts/gen_docs.py --check  # exit 1 if a file would change (run by the tests)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.db import models as M  # noqa: E402
from kb.data import schema as S  # noqa: E402
from kb.cli import main  # noqa: E402


def cli_md() -> str:
    out = ["# The `kb` command line", "",
           "Generated from the commands' `--help` by `scripts/gen_docs.py`; do not edit by hand.",
           "Options and the JSON output are a public contract: they change only deliberately.", ""]
    ctx = click.Context(main, info_name="kb", terminal_width=88, max_content_width=88)
    out += ["## kb", "", "```", main.get_help(ctx), "```", ""]
    for name in sorted(main.list_commands(ctx)):
        cmd = main.get_command(ctx, name)
        sub = click.Context(cmd, info_name=name, parent=ctx, terminal_width=88, max_content_width=88)
        out += [f"## kb {name}", "", "```", cmd.get_help(sub), "```", ""]
        if isinstance(cmd, click.Group):
            for subname in sorted(cmd.list_commands(sub)):
                c = cmd.get_command(sub, subname)
                cc = click.Context(c, info_name=subname, parent=sub, terminal_width=88, max_content_width=88)
                out += [f"### kb {name} {subname}", "", "```", c.get_help(cc), "```", ""]
    return "\n".join(out)


def _type(field) -> str:
    ann = field.annotation
    text = getattr(ann, "__name__", None) or str(ann)
    return text.replace("typing.", "").replace("kb.data.schema.", "")


def _fields(model: type[BaseModel]) -> list[str]:
    rows = ["| key | type | required | meaning |", "| --- | --- | --- | --- |"]
    for name, f in model.model_fields.items():
        rows.append(f"| `{name}` | {_type(f)} | {'yes' if f.is_required() else 'no'} | {(f.description or '').replace('|', '/')} |")
    return rows


COVERAGE_PROSE = """## Coverage by state

The ILO registers ratifications one by one, and no whole NORMLEX table is read: an ILO ratification
is recorded singly (data/actions/C029.yaml etc.), and makes its pair `party` from its date. A state's
record on an ILO instrument is complete only where a source states the state's whole set on a day: an
ILO table of the fundamental Conventions, a NORMLEX country profile, or a text that names every one the
state has ratified. `data/coverage.yaml` records each such statement: the day (`date`), the instruments
whose record it states (`instruments`) and those it names ratified (`ratified`). From `date`, a listed
instrument with no recorded ratification reads `not_party`, its source that statement; it is affirmed up
to the source's as-at date (`known_to`), and after it read "as recorded" on that date (`beyond_record`),
until a later recorded event decides the pair. Before `date`, the pair stays `unknown`. An instrument the
source marks ratified whose registration date has not been read is left out of `instruments`: it stays
`unknown`, never `not_party`. `kb validate` refuses an unknown state or instrument, a UN instrument (its
record is complete per instrument, `complete_for`), a date that is not a full day or is after the
source's as-at date, an instrument named ratified with no ratification recorded by `date`, and one not
named ratified whose ratification is recorded by then. The build writes one `state_coverage` row per
state, instrument and statement; `status_intervals_view` reads them, so every status view, `kb status`,
the panel, the compare page, maps and counts derive it.
"""


EIF_PROSE = """## Entry into force for each state

`party` counts from the deposit, as the depositary counts parties; the date the instrument *binds* the
state is derived from the instrument's `entry_into_force_clause` (view `consent_in_force_view`,
materialised as the table `consent_in_force`; `status_intervals.in_force_date` carries it for the
consent in effect). For every consent:

- `in_force_date` = the later of the instrument's own `entry_into_force` and the date the clause's
  later rule gives from the state's own deposit (`kb/db/sql/eif_rule.sql`, one SQL expression for
  every rule). A state that deposited before the instrument was in force is bound from that date
  (basis `general`); a later one by its own delay (basis `later`).
- Days: "the thirtieth day after the date of deposit" is the deposit date plus 30 days.
- Months are counted on the calendar, never with SQLite's `date(d, '+3 months')` (which turns
  30 November into 2 March): the same day of the month n months later.
- The cases the texts leave open get no date, with the reason in `note` (vocabulary "in force basis"):
  - `open_before_entry_into_force`: a deposit after the last instrument needed but before the
    instrument's own entry into force, where the later rule speaks only of consents "after its entry into
    force" (OP-CEDAW art. 16(2), ICMW art. 87(2), OP-CRC-AC art. 10(2), OP-CRC-SC art. 14(2); the ILO's
    "Thereafter" is read the same way). Neither paragraph covers it in terms. When both readings (the
    general date, or the state's own delay) give the same day, that day is used; otherwise null.
  - `open_month_end`: a months rule that lands on a day the month does not have (30 November + 3 months).
    No statement of how the depositary counts it was read, so the KB does not pick 28/29 February or 1 March.
  - `succession`: a succession takes effect from the date of succession, which the grid does not give.
  - `partial_date`, `no_clause` (C187: no copy of its text was read), `no_entry_into_force`.
- A re-accession after a denunciation is a consent of its own, counted from its own deposit; `bound_until`
  is the day a consent stops binding (the effective date of the next exit), and `in_force` stays true while
  an earlier consent still binds.
- Self-check (view `entry_into_force_check`): the general rule applied to the n-th recorded consent must
  give the depositary's `entry_into_force`. It does for 18 instruments; for ICERD, ICESCR, ICCPR, CEDAW and
  ICCPR-OP2 the grid lacks the consents of former states (Czechoslovakia, the former Yugoslavia, the German
  Democratic Republic), and tests/test_entry_into_force.py reproduces the date with the consents the grid's
  own footnotes state; ILO conventions have no grid in the KB.
"""


def model_md() -> str:
    out = ["# Data model", "",
           "Generated from `kb/schema.py` and `kb/models.py` by `scripts/gen_docs.py`; do not edit by hand.",
           "The prose guide is in the README; this page is the reference.", "",
           "## YAML records (data/)", ""]
    for title, model in [
        ("Instrument (data/treaties.yaml, `instruments:`)", S.Instrument),
        ("Denunciation clause (`denunciation:` of an instrument)", S.Denunciation),
        ("Entry-into-force clause (`entry_into_force_clause:` of an instrument)", S.EntryIntoForceClause),
        ("General rule (`general:` of an entry-into-force clause)", S.EifGeneral),
        ("Later rule (`later:` of an entry-into-force clause)", S.EifLater),
        ("State (data/states.yaml, `states:`)", S.State),
        ("Membership (`memberships:` of a state)", S.Membership),
        ("Action (data/actions/ID.yaml and data/imported/*/ID.yaml, `actions:`)", S.Action),
        ("Source (`source:` of every fact)", S.Source),
        ("Procedure (data/procedures.yaml, `procedures:`)", S.Procedure),
        ("Expected count (data/imported/*/counts.yaml, `expected_counts:`)", S.ExpectedCount),
        ("Coverage by state (data/coverage.yaml, `coverage:`)", S.StateCoverage),
        ("Ask document (data/asks/*.yaml, `document:`)", S.AskDocument),
        ("Ask (data/asks/*.yaml, `asks:`)", S.Ask),
        ("UPR totals (`totals:` of an ask document)", S.AskTotals),
        ("Engagement target (`engagement:` of an ask)", S.EngagementTarget),
        ("Engagement file (data/engagement/STATE.yaml)", S.EngagementFile),
        ("Engagement event (data/engagement/STATE.yaml, `events:`)", S.EngagementEvent),
        ("Treaty text (data/texts/ID.yaml)", S.TextFile),
        ("Article (`articles:` of a treaty text)", S.TextArticle),
        ("Provision (`items:` of an article or provision)", S.TextProvision),
    ]:
        out += [f"### {title}", "", *_fields(model), ""]
    out += EIF_PROSE.splitlines() + [""]
    out += COVERAGE_PROSE.splitlines() + [""]
    from kb.data.validate import STATEMENT_RULE_DOC
    out += STATEMENT_RULE_DOC.splitlines() + [""]
    out += ["## Vocabularies", ""]
    for vocab, terms in S.VOCABULARIES.items():
        out += [f"### {vocab}", "", "| term | meaning |", "| --- | --- |"]
        out += [f"| `{t}` | {d.replace('|', '/')} |" for t, d in terms.items()]
        out.append("")
    out += ["## Tables of the built database", ""]
    for table in M.Base.metadata.sorted_tables:
        out += [f"### {table.name}", "", M.TABLE_DOCS.get(table.name, ""), "", "| column | meaning |", "| --- | --- |"]
        out += [f"| `{c.name}` | {(c.comment or '').replace('|', '/')} |" for c in table.columns]
        out.append("")
    from kb.db.models import VIEW_DOCS
    from kb.web.metadata import canned_queries
    out += ["## Views", ""]
    out += [f"- `{v}`: {d}" for v, d in VIEW_DOCS.items()]
    out += ["", "## Stored queries (Datasette, with forms)", ""]
    out += [f"- `{k}`: {q['title']}. {q['description']}" for k, q in canned_queries().items()]
    out.append("")
    return "\n".join(out)


def main_() -> int:
    check = "--check" in sys.argv
    stale = []
    for path, text in [(ROOT / "docs" / "CLI.md", cli_md()), (ROOT / "docs" / "DATA_MODEL.md", model_md())]:
        if path.exists() and path.read_text() == text:
            continue
        stale.append(path.relative_to(ROOT))
        if not check:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
    if check and stale:
        print(f"out of date: {', '.join(map(str, stale))}: run python scripts/gen_docs.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main_())
