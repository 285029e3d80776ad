"""SQLAlchemy 2 typed models: the tables of the built database.

Column descriptions (``doc``) are reused as Datasette column descriptions and in
docs/DATA_MODEL.md.  Table and column names are a public interface for
analysts: change them deliberately.

The build does not import this module (nor SQLAlchemy, a fifth of a build's time): it runs
kb/db/sql/schema.sql, which ``schema_sql()`` writes from these models
(``python scripts/gen_schema.py``); tests/test_build.py fails when the file is stale.
"""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..data import schema as S


def _in(col: str, values) -> str:
    return f"{col} IN ({', '.join(repr(v) for v in values)})"


def _vocab(literal) -> tuple[str, ...]:
    return literal.__args__


DATE_CHECK = "({c} IS NULL OR {c} GLOB '[12][0-9][0-9][0-9]' OR {c} GLOB '[12][0-9][0-9][0-9]-[01][0-9]' OR {c} GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]')"
FULL_DATE_CHECK = "({c} IS NULL OR {c} GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]')"


class Base(DeclarativeBase):
    pass


def col(*args, doc: str, **kw):
    return mapped_column(*args, doc=doc, comment=doc, **kw)


class Source(Base):
    __tablename__ = "sources"
    __doc__ = "Every source cited by the data: one row per distinct (url, title, as-at date, symbol, footnote, note)."
    id: Mapped[int] = col(Integer, primary_key=True, doc="Source id (stable within one build).")
    url: Mapped[str] = col(Text, doc=S.Source.model_fields["url"].description)
    title: Mapped[str] = col(Text, doc=S.Source.model_fields["title"].description)
    as_at: Mapped[str] = col(String, doc=S.Source.model_fields["as_at"].description)
    symbol: Mapped[str | None] = col(String, doc=S.Source.model_fields["symbol"].description)
    footnote: Mapped[str | None] = col(String, doc=S.Source.model_fields["footnote"].description)
    note: Mapped[str | None] = col(Text, doc=S.Source.model_fields["note"].description)
    kind: Mapped[str | None] = col(String, doc=S.Source.model_fields["kind"].description)
    __table_args__ = (CheckConstraint(DATE_CHECK.format(c="as_at"), name="sources_as_at_date"),
                      CheckConstraint("kind IS NULL OR " + _in("kind", _vocab(S.SourceKind)), name="sources_kind"))


_I = S.Instrument.model_fields


class Instrument(Base):
    __tablename__ = "instruments"
    __doc__ = "Treaties, conventions and protocols (data/treaties.yaml)."
    id: Mapped[str] = col(String, primary_key=True, doc=_I["id"].description)
    title: Mapped[str] = col(Text, doc=_I["title"].description)
    short_title: Mapped[str] = col(Text, doc=_I["short_title"].description)
    abbreviation: Mapped[str | None] = col(String, doc=_I["abbreviation"].description)
    kind: Mapped[str] = col(String, doc=_I["kind"].description)
    parent_id: Mapped[str | None] = col(String, ForeignKey("instruments.id"), doc=_I["parent"].description)
    regime: Mapped[str] = col(String, doc=_I["regime"].description)
    depositary: Mapped[str] = col(Text, doc=_I["depositary"].description)
    adopted: Mapped[str] = col(String, doc=_I["adopted"].description)
    adopted_place: Mapped[str | None] = col(String, doc=_I["adopted_place"].description)
    entry_into_force: Mapped[str | None] = col(String, doc=_I["entry_into_force"].description)
    mtdsg: Mapped[str | None] = col(String, doc=_I["mtdsg"].description)
    unts_volume: Mapped[int | None] = col(Integer, doc=_I["unts_volume"].description)
    unts_page: Mapped[int | None] = col(Integer, doc=_I["unts_page"].description)
    registration: Mapped[str | None] = col(String, doc=_I["registration"].description)
    monitoring_body: Mapped[str | None] = col(Text, doc=_I["monitoring_body"].description)
    url: Mapped[str] = col(Text, doc=_I["url"].description)
    fundamental_since: Mapped[str | None] = col(String, doc=_I["fundamental_since"].description)
    fundamental_source_id: Mapped[int | None] = col(Integer, ForeignKey("sources.id"), doc=_I["fundamental_source"].description)
    denunciation_allowed: Mapped[bool | None] = col(Boolean, doc="Whether the instrument provides for denunciation (null: not recorded).")
    denunciation_article: Mapped[str | None] = col(String, doc="Article providing for denunciation.")
    denunciation_months: Mapped[int | None] = col(Integer, doc="Months after notification that a denunciation takes effect.")
    denunciation_source_id: Mapped[int | None] = col(Integer, ForeignKey("sources.id"), doc="Source for the denunciation clause.")
    status_source_id: Mapped[int] = col(Integer, ForeignKey("sources.id"), doc=_I["status_source"].description)
    status_as_at: Mapped[str] = col(String, doc="As-at date of the status source: the KB's record of this instrument is known to this date.")
    complete_for_all: Mapped[bool] = col(Boolean, doc="True when every participant of the status source is recorded (complete_for: all).")
    note: Mapped[str | None] = col(Text, doc=_I["note"].description)
    sort_order: Mapped[int] = col(Integer, doc="Position in data/treaties.yaml, for display.")
    __table_args__ = (
        CheckConstraint(_in("kind", _vocab(S.InstrumentKind)), name="instruments_kind"),
        CheckConstraint(_in("regime", _vocab(S.Regime)), name="instruments_regime"),
        CheckConstraint(DATE_CHECK.format(c="adopted"), name="instruments_adopted_date"),
        CheckConstraint(DATE_CHECK.format(c="entry_into_force"), name="instruments_eif_date"),
    )


_EC = S.EntryIntoForceClause.model_fields
_EG = S.EifGeneral.model_fields
_EL = S.EifLater.model_fields


class EntryIntoForceClause(Base):
    __tablename__ = "entry_into_force_clauses"
    __doc__ = "Each instrument's entry-into-force clause as data (data/treaties.yaml, entry_into_force_clause): the rule for its own entry into force and for each state that consents later."
    instrument_id: Mapped[str] = col(String, ForeignKey("instruments.id"), primary_key=True, doc="Instrument.")
    article: Mapped[str] = col(String, doc=_EC["article"].description)
    general_paragraph: Mapped[str] = col(String, doc=_EG["paragraph"].description)
    general_instruments: Mapped[int] = col(Integer, doc=_EG["instruments"].description)
    general_rule: Mapped[str] = col(String, doc=_EG["rule"].description)
    general_n: Mapped[int] = col(Integer, doc=_EG["n"].description)
    general_not_before_id: Mapped[str | None] = col(String, ForeignKey("instruments.id"), doc=_EG["not_before"].description)
    general_text: Mapped[str] = col(Text, doc=_EG["text"].description)
    later_paragraph: Mapped[str] = col(String, doc=_EL["paragraph"].description)
    later_applies_to: Mapped[str] = col(String, doc=_EL["applies_to"].description)
    later_rule: Mapped[str] = col(String, doc=_EL["rule"].description)
    later_n: Mapped[int] = col(Integer, doc=_EL["n"].description)
    later_text: Mapped[str] = col(Text, doc=_EL["text"].description)
    source_id: Mapped[int] = col(Integer, ForeignKey("sources.id"), doc=_EC["source"].description)
    note: Mapped[str | None] = col(Text, doc=_EC["note"].description)
    __table_args__ = (
        CheckConstraint(_in("general_rule", _vocab(S.EifRule)), name="eif_general_rule"),
        CheckConstraint(_in("later_rule", _vocab(S.EifRule)), name="eif_later_rule"),
        CheckConstraint(_in("later_applies_to", _vocab(S.EifScope)), name="eif_later_applies_to"),
    )


class InstrumentSource(Base):
    __tablename__ = "instrument_sources"
    __doc__ = "Sources for each instrument's own facts."
    instrument_id: Mapped[str] = col(String, ForeignKey("instruments.id"), primary_key=True, doc="Instrument id.")
    source_id: Mapped[int] = col(Integer, ForeignKey("sources.id"), primary_key=True, doc="Source id.")


_IT = S.InstrumentTitle.model_fields


class InstrumentTitleRow(Base):
    __tablename__ = "instrument_titles"
    __doc__ = "Each instrument's title in another language, where an official translation could be read, with its source (data/treaties.yaml `titles`)."
    instrument_id: Mapped[str] = col(String, ForeignKey("instruments.id"), primary_key=True, doc="Instrument id.")
    lang: Mapped[str] = col(String, primary_key=True, doc="ISO 639-1 code of the language, e.g. ko.")
    title: Mapped[str] = col(Text, doc=_IT["text"].description)
    kind: Mapped[str] = col(String, doc=_IT["kind"].description)
    source_id: Mapped[int] = col(Integer, ForeignKey("sources.id"), doc="Where the title was read (sources.id).")
    __table_args__ = (CheckConstraint(_in("kind", _vocab(S.TitleKind)), name="instrument_titles_kind"),)


_ST = S.State.model_fields


class State(Base):
    __tablename__ = "states"
    __doc__ = "States and other participants (data/states.yaml)."
    id: Mapped[str] = col(String, primary_key=True, doc=_ST["id"].description)
    alpha2: Mapped[str] = col(String, unique=True, doc=_ST["alpha2"].description)
    name: Mapped[str] = col(Text, doc=_ST["name"].description)
    short_name: Mapped[str] = col(Text, doc=_ST["short_name"].description)
    kind: Mapped[str] = col(String, doc=_ST["kind"].description)
    note: Mapped[str | None] = col(Text, doc=_ST["note"].description)
    __table_args__ = (
        CheckConstraint(_in("kind", _vocab(S.StateKind)), name="states_kind"),
        CheckConstraint("length(id) = 3 AND id = upper(id)", name="states_id_alpha3"),
        CheckConstraint("length(alpha2) = 2 AND alpha2 = upper(alpha2)", name="states_alpha2"),
    )


class StateName(Base):
    __tablename__ = "state_names"
    __doc__ = ("Every name the KB accepts for a state: the depositary's name, the short name and aliases (case-insensitive), "
               "and its name in each of the site's other languages (CLDR, by Babel) with curated aliases in them.")
    name: Mapped[str] = col(String, primary_key=True, doc="A name or alias; unique regardless of case.")
    state_id: Mapped[str] = col(String, ForeignKey("states.id"), doc="The state it names.")
    kind: Mapped[str] = col(String, doc="name, short_name or alias; cldr_name: the state's name in `lang` as CLDR gives it.")
    lang: Mapped[str] = col(String, nullable=False, server_default="en", doc="The name's language tag: en, or ko.")
    name_key: Mapped[str] = col(String, nullable=False, doc="The name as it is looked up: Unicode NFC, case-folded, spaces collapsed (kb/query/base.py name_key).")
    source: Mapped[str | None] = col(Text, doc="Where the name comes from: the depositary (data/states.yaml), the curated aliases of data/states.yaml, or CLDR with its version and Babel's.")
    __table_args__ = (
        CheckConstraint("kind IN ('name', 'short_name', 'alias', 'cldr_name')", name="state_names_kind"),
        Index("state_names_lower", "state_id"),
        Index("state_names_key", "name_key"),
    )


_M = S.Membership.model_fields


class Membership(Base):
    __tablename__ = "memberships"
    __doc__ = "UN and ILO membership spans, and recorded non-membership (member = 0)."
    id: Mapped[int] = col(Integer, primary_key=True, doc="Row id.")
    state_id: Mapped[str] = col(String, ForeignKey("states.id"), doc="State.")
    organization: Mapped[str] = col(String, doc=_M["organization"].description)
    member: Mapped[bool] = col(Boolean, doc=_M["member"].description)
    since: Mapped[str | None] = col(String, doc=_M["since"].description)
    until: Mapped[str | None] = col(String, doc=_M["until"].description)
    since_on: Mapped[str | None] = col(String, doc="`since` as a full date (the last day a partial date can mean), used by the status views.")
    until_on: Mapped[str | None] = col(String, doc="`until` as a full date (the first day a partial date can mean).")
    note: Mapped[str | None] = col(Text, doc=_M["note"].description)
    source_id: Mapped[int] = col(Integer, ForeignKey("sources.id"), doc=_M["source"].description)
    __table_args__ = (
        CheckConstraint(_in("organization", _vocab(S.Organization)), name="memberships_org"),
        CheckConstraint(FULL_DATE_CHECK.format(c="since_on"), name="memberships_since_on"),
        Index("memberships_state", "state_id", "organization"),
    )


class Coverage(Base):
    __tablename__ = "coverage"
    __doc__ = "Pairs whose record is complete as at the instrument's status source (from complete_for). Other pairs read `unknown`."
    instrument_id: Mapped[str] = col(String, ForeignKey("instruments.id"), primary_key=True, doc="Instrument.")
    state_id: Mapped[str] = col(String, ForeignKey("states.id"), primary_key=True, doc="State.")


_SC = S.StateCoverage.model_fields


class StateCoverage(Base):
    __tablename__ = "state_coverage"
    __doc__ = ("Coverage by state (data/coverage.yaml): one row per state, ILO instrument and source that states the state's "
               "whole record on it on a day. From from_on, with no recorded ratification, the pair reads not_party (known to "
               "known_to, as recorded past it); before from_on it stays unknown. Read by status_intervals_view.")
    id: Mapped[int] = col(Integer, primary_key=True, doc="Row id.")
    state_id: Mapped[str] = col(String, ForeignKey("states.id"), doc=_SC["state"].description)
    instrument_id: Mapped[str] = col(String, ForeignKey("instruments.id"), doc="Instrument whose whole record the source states for the state.")
    from_on: Mapped[str] = col(String, doc=_SC["date"].description)
    known_to: Mapped[str] = col(String, doc="The source's as-at date: a not_party read from this row is affirmed to this day, and shown as recorded on it past it.")
    ratified: Mapped[bool] = col(Boolean, doc="True when the source names the instrument ratified on from_on (the ratification itself is a recorded action).")
    source_id: Mapped[int] = col(Integer, ForeignKey("sources.id"), doc=_SC["source"].description)
    file: Mapped[str] = col(String, doc="Where the entry is in data/ (file:line).")
    __table_args__ = (
        CheckConstraint(FULL_DATE_CHECK.format(c="from_on"), name="state_coverage_from_on"),
        CheckConstraint(FULL_DATE_CHECK.format(c="known_to"), name="state_coverage_known_to"),
        Index("state_coverage_pair", "state_id", "instrument_id", "from_on"),
    )


_A = S.Action.model_fields


class Action(Base):
    __tablename__ = "actions"
    __doc__ = "Every recorded event: signatures, consents, reservations, declarations, objections, withdrawals, denunciations."
    id: Mapped[int] = col(Integer, primary_key=True, doc="Row id (stable within one build; use `key` across builds).")
    key: Mapped[str] = col(String, unique=True, doc="Stable key: instrument/state/date/type[/article][/target].")
    state_id: Mapped[str] = col(String, ForeignKey("states.id"), doc=_A["state"].description)
    instrument_id: Mapped[str] = col(String, ForeignKey("instruments.id"), doc="Instrument acted on.")
    type: Mapped[str] = col(String, doc=_A["type"].description)
    date: Mapped[str] = col(String, doc=_A["date"].description)
    effective_date: Mapped[str | None] = col(String, doc=_A["effective_date"].description)
    date_on: Mapped[str] = col(String, doc="`date` as a full date (the last day a partial date can mean): the day by which the action is known to have happened.")
    effective_on: Mapped[str] = col(String, doc="Day the action takes effect for the status views: effective_date, else for a denunciation date + the instrument's denunciation_months, else date (full, last possible day).")
    legal_effect: Mapped[str] = col(String, doc=_A["legal_effect"].description)
    article: Mapped[str | None] = col(String, doc=_A["article"].description)
    target_state_id: Mapped[str | None] = col(String, ForeignKey("states.id"), doc=_A["target_state"].description)
    text: Mapped[str | None] = col(Text, doc=_A["text"].description)
    summary: Mapped[str | None] = col(Text, doc=_A["summary"].description)
    footnote_text: Mapped[str | None] = col(Text, doc=_A["footnote_text"].description)
    unverified: Mapped[str | None] = col(Text, doc=_A["unverified"].description)
    origin: Mapped[str] = col(String, doc="curated (data/actions/) or imported (data/imported/).")
    source_id: Mapped[int] = col(Integer, ForeignKey("sources.id"), doc=_A["source"].description)
    file: Mapped[str] = col(String, doc="Data file and line the action was read from.")
    first_recorded: Mapped[str | None] = col(String, doc=_A["first_recorded"].description)
    recorded: Mapped[str | None] = col(String, doc="When the KB first recorded the action, as the sources date it: `first_recorded` for imported actions, else the source's as_at. The change feeds list actions newest first by this date.")
    __table_args__ = (
        CheckConstraint(_in("type", _vocab(S.ActionType)), name="actions_type"),
        CheckConstraint(_in("legal_effect", _vocab(S.LegalEffect)), name="actions_legal_effect"),
        CheckConstraint("origin IN ('curated', 'imported')", name="actions_origin"),
        CheckConstraint(DATE_CHECK.format(c="date"), name="actions_date"),
        CheckConstraint(FULL_DATE_CHECK.format(c="date_on"), name="actions_date_on"),
        CheckConstraint(FULL_DATE_CHECK.format(c="effective_on"), name="actions_effective_on"),
        CheckConstraint("effective_on >= date_on OR effective_date IS NOT NULL", name="actions_effect_order"),
        Index("actions_pair", "state_id", "instrument_id", "effective_on"),
        Index("actions_instrument", "instrument_id", "type"),
        Index("actions_type", "type"),
        Index("actions_recorded", "recorded", "date_on"),
    )


_E = S.ExpectedCount.model_fields


class ExpectedCount(Base):
    __tablename__ = "expected_counts"
    __doc__ = "Counts the sources state (e.g. a status page's number of parties); the reconciliation view compares them with derived status."
    id: Mapped[int] = col(Integer, primary_key=True, doc="Row id.")
    instrument_id: Mapped[str] = col(String, ForeignKey("instruments.id"), doc=_E["instrument"].description)
    as_of: Mapped[str] = col(String, doc=_E["as_of"].description)
    measure: Mapped[str] = col(String, doc=_E["measure"].description)
    value: Mapped[int] = col(Integer, doc=_E["value"].description)
    basis: Mapped[str] = col(String, doc=_E["basis"].description)
    source_id: Mapped[int] = col(Integer, ForeignKey("sources.id"), doc=_E["source"].description)
    __table_args__ = (CheckConstraint(_in("measure", _vocab(S.Measure)), name="expected_counts_measure"),)


_P = S.Procedure.model_fields


class Procedure(Base):
    __tablename__ = "procedures"
    __doc__ = "Optional procedures (complaints, inquiries) as obligations a party may accept (data/procedures.yaml)."
    id: Mapped[str] = col(String, primary_key=True, doc=_P["id"].description)
    instrument_id: Mapped[str] = col(String, ForeignKey("instruments.id"), doc=_P["instrument"].description)
    article: Mapped[str | None] = col(String, doc=_P["article"].description)
    kind: Mapped[str] = col(String, doc=_P["kind"].description)
    mode: Mapped[str] = col(String, doc=_P["mode"].description)
    opt_out_article: Mapped[str | None] = col(String, doc=_P["opt_out_article"].description)
    title: Mapped[str] = col(Text, doc=_P["title"].description)
    source_id: Mapped[int] = col(Integer, ForeignKey("sources.id"), doc=_P["source"].description)
    sort_order: Mapped[int] = col(Integer, doc="Position in data/procedures.yaml.")
    __table_args__ = (
        CheckConstraint(_in("kind", _vocab(S.ProcedureKind)), name="procedures_kind"),
        CheckConstraint(_in("mode", _vocab(S.ProcedureMode)), name="procedures_mode"),
    )


_AD = S.AskDocument.model_fields
_AK = S.Ask.model_fields


class AskDocument(Base):
    __tablename__ = "ask_documents"
    __doc__ = "Documents that ask a state to accept obligations: UPR reports, letters, inquiry reports (data/asks/)."
    id: Mapped[str] = col(String, primary_key=True, doc=_AD["id"].description)
    title: Mapped[str] = col(Text, doc=_AD["title"].description)
    kind: Mapped[str] = col(String, doc=_AD["kind"].description)
    author: Mapped[str] = col(Text, doc=_AD["author"].description)
    date: Mapped[str] = col(String, doc=_AD["date"].description)
    date_on: Mapped[str] = col(String, doc="`date` as a full date (the last day a partial date can mean).")
    symbol: Mapped[str | None] = col(String, doc=_AD["symbol"].description)
    url: Mapped[str] = col(Text, doc=_AD["url"].description)
    addressee_id: Mapped[str] = col(String, ForeignKey("states.id"), doc=_AD["addressee"].description)
    source_id: Mapped[int] = col(Integer, ForeignKey("sources.id"), doc=_AD["source"].description)
    council_adoption: Mapped[str | None] = col(String, doc=_AD["council_adoption"].description)
    total_recommendations: Mapped[int | None] = col(Integer, doc="UPR: recommendations received, as the totals' source states (null: not recorded).")
    total_supported: Mapped[int | None] = col(Integer, doc="UPR: recommendations supported, as the totals' source states.")
    total_partially_supported: Mapped[int | None] = col(Integer, doc="UPR: recommendations partially supported, as the totals' source states.")
    total_noted: Mapped[int | None] = col(Integer, doc="UPR: recommendations noted, as the totals' source states.")
    totals_note: Mapped[str | None] = col(Text, doc="How the totals were read; gaps between them.")
    totals_source_id: Mapped[int | None] = col(Integer, ForeignKey("sources.id"), doc="Source of the totals.")
    incomplete: Mapped[str | None] = col(Text, doc=_AD["incomplete"].description)
    __table_args__ = (CheckConstraint(_in("kind", _vocab(S.DocumentKind)), name="ask_documents_kind"),)


class Ask(Base):
    __tablename__ = "asks"
    __doc__ = "What a state was asked to do, by whom, and its response. Fulfilment is derived (view ask_status), never typed."
    id: Mapped[int] = col(Integer, primary_key=True, doc="Row id.")
    key: Mapped[str] = col(String, unique=True, doc="Stable key: document id/ref (with /2, /3 for a ref recorded twice).")
    document_id: Mapped[str] = col(String, ForeignKey("ask_documents.id"), doc="Document the ask is in.")
    ref: Mapped[str | None] = col(String, doc=_AK["ref"].description)
    by: Mapped[str] = col(Text, doc="Who asked, as a JSON list: " + (_AK["by"].description or ""))
    text: Mapped[str] = col(Text, doc=_AK["text"].description)
    summary: Mapped[bool] = col(Boolean, doc=_AK["summary"].description)
    action: Mapped[str] = col(String, doc=_AK["action"].description)
    article: Mapped[str | None] = col(String, doc=_AK["article"].description)
    response: Mapped[str] = col(String, doc=_AK["response"].description)
    response_source_id: Mapped[int | None] = col(Integer, ForeignKey("sources.id"), doc=_AK["response_source"].description)
    note: Mapped[str | None] = col(Text, doc=_AK["note"].description)
    file: Mapped[str] = col(String, doc="Data file and line the ask was read from.")
    not_tracked_reason: Mapped[str | None] = col(Text, doc=_AK["not_tracked_reason"].description)
    __table_args__ = (
        CheckConstraint(_in("action", _vocab(S.AskAction)), name="asks_action"),
        CheckConstraint(_in("response", _vocab(S.AskResponse)), name="asks_response"),
    )


class AskTarget(Base):
    __tablename__ = "ask_targets"
    __doc__ = ("What each ask concerns: one row per instrument, or the organization for a membership ask, and one row per "
               "engagement target (mechanism and event_kind set) that engagement events can fulfil.")
    id: Mapped[int] = col(Integer, primary_key=True, doc="Row id.")
    ask_id: Mapped[int] = col(Integer, ForeignKey("asks.id"), doc="The ask.")
    instrument_id: Mapped[str | None] = col(String, ForeignKey("instruments.id"), doc="Instrument concerned (for an engagement target: the treaty whose body must act).")
    organization: Mapped[str | None] = col(String, doc="Organization concerned (membership asks).")
    mechanism: Mapped[str | None] = col(String, doc="Engagement target: the mechanism (vocabulary 'engagement mechanism'); null for instrument and organization rows.")
    mandate: Mapped[str | None] = col(String, doc="Engagement target: the special procedure's mandate.")
    event_kind: Mapped[str | None] = col(String, doc="Engagement target: the kind of engagement event that fulfils it (e.g. review_held, visit_held).")
    __table_args__ = (
        Index("ask_targets_ask", "ask_id"),
        CheckConstraint("mechanism IS NULL OR " + _in("mechanism", _vocab(S.EngagementMechanism)), name="ask_targets_mechanism"),
        CheckConstraint("(mechanism IS NULL) = (event_kind IS NULL)", name="ask_targets_engagement_shape"),
    )


_EV = S.EngagementEvent.model_fields


class EngagementEvent(Base):
    __tablename__ = "engagement_events"
    __doc__ = ("Engagement of a state with UN mechanisms (data/engagement/STATE.yaml): reports, lists of issues, reviews, "
               "concluding observations, UPR reviews, visits requested, held, refused or unanswered. One row per dated event, each sourced.")
    id: Mapped[int] = col(Integer, primary_key=True, doc="Row id (stable within one build; use `key` across builds).")
    key: Mapped[str] = col(String, unique=True, doc="Stable key: state/mechanism[/instrument or mandate]/date/kind (with /2, /3 for a second event of the same key). `kb cite-event KEY` cites it.")
    state_id: Mapped[str] = col(String, ForeignKey("states.id"), doc="The state.")
    mechanism: Mapped[str] = col(String, doc=_EV["mechanism"].description)
    instrument_id: Mapped[str | None] = col(String, ForeignKey("instruments.id"), doc=_EV["instrument"].description)
    mandate: Mapped[str | None] = col(String, doc=_EV["mandate"].description)
    kind: Mapped[str] = col(String, doc=_EV["kind"].description)
    date: Mapped[str] = col(String, doc=_EV["date"].description)
    end_date: Mapped[str | None] = col(String, doc=_EV["end_date"].description)
    date_from: Mapped[str] = col(String, doc="`date` as a full date: the first day it can mean.")
    date_to: Mapped[str] = col(String, doc="The last day the event can mean: end_date (else date), as a full date.")
    symbol: Mapped[str | None] = col(String, doc=_EV["symbol"].description)
    report: Mapped[str | None] = col(Text, doc=_EV["report"].description)
    summary: Mapped[str] = col(Text, doc=_EV["summary"].description)
    quote: Mapped[str | None] = col(Text, doc=_EV["quote"].description)
    note: Mapped[str | None] = col(Text, doc=_EV["note"].description)
    source_id: Mapped[int] = col(Integer, ForeignKey("sources.id"), doc=_EV["source"].description)
    file: Mapped[str] = col(String, doc="Data file and line the event was read from.")
    __table_args__ = (
        CheckConstraint(_in("mechanism", _vocab(S.EngagementMechanism)), name="engagement_mechanism"),
        CheckConstraint(_in("kind", _vocab(S.EngagementKind)), name="engagement_kind"),
        CheckConstraint("mandate IS NULL OR " + _in("mandate", _vocab(S.Mandate)), name="engagement_mandate"),
        CheckConstraint("(mechanism = 'treaty_body') = (instrument_id IS NOT NULL)", name="engagement_treaty_body_instrument"),
        CheckConstraint(DATE_CHECK.format(c="date"), name="engagement_date"),
        CheckConstraint(FULL_DATE_CHECK.format(c="date_from"), name="engagement_date_from"),
        CheckConstraint(FULL_DATE_CHECK.format(c="date_to"), name="engagement_date_to"),
        Index("engagement_state", "state_id", "mechanism", "instrument_id", "kind", "date_from"),
    )


STATUSES = S.STATUSES


_TA = S.TextArticle.model_fields
_TP = S.TextProvision.model_fields


class TreatyProvision(Base):
    __tablename__ = "treaty_provisions"
    __doc__ = ("The treaties' English texts (data/texts/), one row per article and per numbered paragraph, "
               "sub-paragraph or item in it, in the treaty's order; full-text search in treaty_provisions_fts.")
    id: Mapped[int] = col(Integer, primary_key=True, doc="Row id (stable within one build).")
    instrument_id: Mapped[str] = col(String, ForeignKey("instruments.id"), doc="Instrument whose text this is.")
    article: Mapped[str] = col(String, doc=_TA["id"].description)
    provision: Mapped[str] = col(String, doc="The provision as a reservation cites it: the article, then each level's number in brackets, e.g. '29', '29(1)', '2(f)', '14(3)(d)'.")
    parent: Mapped[str | None] = col(String, doc="The provision this one is part of (NULL for an article).")
    level: Mapped[int] = col(Integer, doc="0 for an article, 1 for its paragraphs (or lettered items), 2 below them, and so on.")
    label: Mapped[str] = col(String, doc=_TP["id"].description)
    title: Mapped[str | None] = col(Text, doc=_TA["title"].description + " NULL below the article.")
    text: Mapped[str | None] = col(Text, doc="The provision's own words, before its sub-provisions (NULL where it has none, e.g. a paragraph that is only a list).")
    text_after: Mapped[str | None] = col(Text, doc=_TP["text_after"].description)
    sort_order: Mapped[int] = col(Integer, doc="Position in the instrument's text (0 = its first article).")
    source_id: Mapped[int] = col(Integer, ForeignKey("sources.id"), doc=S.TextFile.model_fields["source"].description)
    __table_args__ = (
        Index("treaty_provisions_instrument_provision", "instrument_id", "provision", unique=True),
        Index("treaty_provisions_instrument_article", "instrument_id", "article", "sort_order"),
    )


class StatementArticle(Base):
    __tablename__ = "statement_articles"
    __doc__ = ("Derived at build time from each statement's `article` as given (never typed): the normalised references of "
               "every reservation, declaration, objection, opt-out and competence declaration, and of every withdrawal of "
               "one; one row per reference (a statement naming several articles has several rows). Where the record "
               "names no article, the references are read from its words (how 'from_words', the words in `note`), or scope "
               "'general' where they name none; with no words nothing is guessed: scope 'unstated', with the reason in `note`.")
    id: Mapped[int] = col(Integer, primary_key=True, doc="Row id (stable within one build).")
    action_id: Mapped[int] = col(Integer, ForeignKey("actions.id"), doc="The statement or withdrawal (actions.id); its `article` is the depositary's reference as given.")
    instrument_id: Mapped[str] = col(String, ForeignKey("instruments.id"), doc="Instrument (the action's).")
    state_id: Mapped[str] = col(String, ForeignKey("states.id"), doc="State that made the statement (the action's).")
    type: Mapped[str] = col(String, doc="The action's type: the depositary's heading (reservation, declaration, objection, ...).")
    article: Mapped[str | None] = col(String, doc="The article, as the instrument numbers it ('29', 'IX'); NULL unless scope is provision.")
    paragraph: Mapped[str | None] = col(String, doc="The numbered paragraph within the article ('1'), where the reference names one.")
    item: Mapped[str | None] = col(String, doc="The sub-paragraph or item below it ('a', 'a)(i' for two levels), or a lettered item of an article without paragraphs ('f' in '2(f)').")
    provision: Mapped[str | None] = col(String, doc="The whole reference normalised, as treaty_provisions.provision writes it ('29(1)', '2(f)', '14(3)(d)'); NULL unless scope is provision.")
    scope: Mapped[str] = col(String, doc="What the reference covers (vocabulary 'statement scope'): provision, whole, preamble, part, unstated or general.")
    how: Mapped[str] = col(String, doc="How the reference was derived (vocabulary 'reference derivation'): as_given, typo, by_hand, not_treaty, none or from_words.")
    note: Mapped[str | None] = col(Text, doc="Why, for a reference not as given: the depositary's words read, the typo's meaning, or why none is stated.")
    opposes_entry_into_force: Mapped[int | None] = col(Integer, doc="For an objection, read from its words (kb/data/references.py): 1 where they oppose the instrument's entry into force between the two states, 0 where they say the objection does not preclude it, NULL where they say neither; NULL for other statements.")
    __table_args__ = (
        CheckConstraint(_in("scope", _vocab(S.StatementScope)), name="statement_articles_scope"),
        CheckConstraint(_in("how", _vocab(S.ReferenceDerivation)), name="statement_articles_how"),
        CheckConstraint("(scope = 'provision') = (provision IS NOT NULL AND article IS NOT NULL)", name="statement_articles_provision"),
        Index("statement_articles_action", "action_id"),
        Index("statement_articles_lookup", "instrument_id", "article", "provision"),
        Index("statement_articles_state", "state_id", "instrument_id", "type"),
    )


class StatusInterval(Base):
    __tablename__ = "status_intervals"
    __doc__ = ("Derived, never typed: the status of every state on every instrument, as intervals [valid_from, valid_to). "
               "Filled from the view status_intervals_view at build time. Status on day D: valid_from <= D < valid_to (NULL = open).")
    id: Mapped[int] = col(Integer, primary_key=True, doc="Row id.")
    state_id: Mapped[str] = col(String, ForeignKey("states.id"), doc="State.")
    instrument_id: Mapped[str] = col(String, ForeignKey("instruments.id"), doc="Instrument.")
    valid_from: Mapped[str | None] = col(String, doc="First day of the interval (NULL: from the beginning).")
    valid_to: Mapped[str | None] = col(String, doc="Day after the interval (NULL: to the end of the record).")
    status: Mapped[str] = col(String, doc="party, signatory, not_party, not_applicable, withdrawn, unknown or not_yet_adopted (see vocabulary).")
    signature_date: Mapped[str | None] = col(String, doc="Date of signature, if the state signed by then.")
    consent_date: Mapped[str | None] = col(String, doc="Date of the consent to be bound in effect (or undone, for withdrawn).")
    consent_type: Mapped[str | None] = col(String, doc="ratification, accession, succession, acceptance, approval, formal_confirmation or definitive_signature.")
    withdrawal_date: Mapped[str | None] = col(String, doc="Date the denunciation or withdrawal took effect (withdrawn only).")
    signature_action_id: Mapped[int | None] = col(Integer, ForeignKey("actions.id"), doc="The signature action.")
    consent_action_id: Mapped[int | None] = col(Integer, ForeignKey("actions.id"), doc="The consent action.")
    withdrawal_action_id: Mapped[int | None] = col(Integer, ForeignKey("actions.id"), doc="The denunciation or withdrawal action.")
    source_id: Mapped[int | None] = col(Integer, ForeignKey("sources.id"), doc="Source of the status: the deciding action's source, the status list (not_party) or the membership record (not_applicable); NULL for not_yet_adopted (the adoption date is the instrument's own record, instruments.url).")
    in_force_date: Mapped[str | None] = col(String, doc="Date the instrument entered into force for the state by the consent in effect (party or withdrawn; see consent_in_force). NULL when not derived.")
    covered_to: Mapped[str | None] = col(String, doc="For a status read from coverage by state (state_coverage: not_party on an ILO instrument), the as-at date of the source that stated the set: the status is known to this day (known_to); NULL elsewhere, where the instrument's status_as_at applies.")
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status_intervals_status"),
        Index("status_intervals_pair", "state_id", "instrument_id", "valid_from", unique=True),
        Index("status_intervals_instrument", "instrument_id", "status", "valid_from"),
    )


class ConsentInForce(Base):
    __tablename__ = "consent_in_force"
    __doc__ = ("Derived, never typed: for every consent to be bound, the date the instrument entered into force for the state "
               "(the later of the instrument's own entry into force and the date its clause gives from the deposit). "
               "Filled from the view consent_in_force_view at build time.")
    action_id: Mapped[int] = col(Integer, ForeignKey("actions.id"), primary_key=True, doc="The consent action.")
    state_id: Mapped[str] = col(String, ForeignKey("states.id"), doc="State.")
    instrument_id: Mapped[str] = col(String, ForeignKey("instruments.id"), doc="Instrument.")
    consent_type: Mapped[str] = col(String, doc="ratification, accession, succession, ... (the action's type).")
    consent_date: Mapped[str] = col(String, doc="Date of deposit of the consent (the action's date).")
    in_force_date: Mapped[str | None] = col(String, doc="Date the instrument entered (or enters) into force for the state by this consent; NULL when the KB cannot derive it (see basis).")
    basis: Mapped[str] = col(String, doc="How in_force_date was derived, or why it is NULL (vocabulary 'in force basis').")
    article: Mapped[str | None] = col(String, doc="The paragraph of the clause that gives the date, e.g. '45(2)' (the general paragraph for basis general).")
    note: Mapped[str] = col(Text, doc="The derivation in words, e.g. 'thirtieth day after the deposit of 2016-12-06 (article 45(2))', or why the date is NULL.")
    bound_until: Mapped[str | None] = col(String, doc="The day this consent stops binding: the effective date of the first exit notified after it (NULL: none recorded).")
    __table_args__ = (
        CheckConstraint(_in("basis", _vocab(S.InForceBasis)), name="consent_in_force_basis"),
        CheckConstraint(FULL_DATE_CHECK.format(c="in_force_date"), name="consent_in_force_date"),
        Index("consent_in_force_pair", "state_id", "instrument_id", "consent_date"),
    )


class ProcedureInterval(Base):
    __tablename__ = "procedure_intervals"
    __doc__ = ("Derived, never typed: each state's acceptance of each optional procedure, as intervals [valid_from, valid_to). "
               "Filled from the view procedure_intervals_view at build time; `kb obligations` (obligations_on.sql) and the "
               "instrument pages read it. Acceptance on day D: valid_from <= D < valid_to (NULL = open).")
    id: Mapped[int] = col(Integer, primary_key=True, doc="Row id.")
    state_id: Mapped[str] = col(String, ForeignKey("states.id"), doc="State.")
    instrument_id: Mapped[str] = col(String, ForeignKey("instruments.id"), doc="Instrument of the procedure.")
    procedure_id: Mapped[str] = col(String, ForeignKey("procedures.id"), doc="The procedure (procedures.id).")
    article: Mapped[str | None] = col(String, doc="The procedure's article.")
    procedure_kind: Mapped[str] = col(String, doc="The procedure's kind (procedures.kind).")
    valid_from: Mapped[str | None] = col(String, doc="First day of the interval (NULL: from the beginning).")
    valid_to: Mapped[str | None] = col(String, doc="Day after the interval (NULL: to the end of the record).")
    accepted: Mapped[int] = col(Integer, doc="1 when the state accepts the procedure in the interval (a party that opted in, did not opt out, or is party to the protocol), else 0.")
    since: Mapped[str | None] = col(String, doc="The day the procedure binds the state, where accepted: never before the instrument is in force for it (NULL when that date is not derived).")
    deposit_date: Mapped[str | None] = col(String, doc="Date of deposit of the state's consent to the instrument (parties only).")
    reason: Mapped[str] = col(Text, doc="Why, in words (the same text as `kb obligations`).")
    source_id: Mapped[int | None] = col(Integer, ForeignKey("sources.id"), doc="Source: the deciding declaration, opt-out or withdrawal, else the status source.")
    procedure_order: Mapped[int] = col(Integer, doc="Position of the procedure in data/procedures.yaml.")
    __table_args__ = (
        Index("procedure_intervals_pair", "state_id", "instrument_id", "valid_from", "procedure_id", unique=True),
        Index("procedure_intervals_instrument", "instrument_id", "valid_from"),
    )


class Vocabulary(Base):
    __tablename__ = "vocabulary"
    __doc__ = "Every closed vocabulary of the data model, with the definition and curation rule of each term."
    vocabulary: Mapped[str] = col(String, primary_key=True, doc="Vocabulary name, e.g. 'action type'.")
    term: Mapped[str] = col(String, primary_key=True, doc="Term as it appears in the data.")
    definition: Mapped[str] = col(Text, doc="What the term means and when to use it.")


class BuildInfo(Base):
    __tablename__ = "build_info"
    __doc__ = ("Facts about this build: its version (the data's latest as-at date + the data digest's first 8 hex "
               "digits, e.g. 2026-02-03+3fa2c1d0), the data digest, software version, the as-at dates of the sources.")
    key: Mapped[str] = col(String, primary_key=True, doc="Name.")
    value: Mapped[str] = col(Text, doc="Value.")


class TableDoc(Base):
    __tablename__ = "table_docs"
    __doc__ = ("What every table, view and column of this database means (the same text as docs/DATA_MODEL.md "
               "and the site's column descriptions).")
    table_name: Mapped[str] = col(String, primary_key=True, doc="Table or view.")
    column_name: Mapped[str] = col(String, primary_key=True, doc="Column ('' for the table or view itself).")
    description: Mapped[str] = col(Text, doc="What it holds.")


TABLE_DOCS = {m.__tablename__: m.__doc__ for m in Base.__subclasses__()}

#: The views of kb/db/sql/views.sql, described.
VIEW_DOCS = {
    "status_events": "Derived: one row per state, instrument and day on which something that can change status takes effect.",
    "status_intervals_view": "Derived: the definition of status_intervals (the table is filled from this view at build time).",
    "consent_in_force_view": "Derived: the definition of consent_in_force (the table is filled from this view at build time).",
    "entry_into_force_check": "Self-check: each instrument's clause for its own entry into force applied to the recorded consents (the n-th by date), against the entry_into_force the depositary's page states.",
    "latest_status": "Derived: each pair's status at the end of the record (valid_to IS NULL), with the date the record is known to.",
    "reconciliation": "Counts stated by the sources (expected_counts) against counts derived from the data.",
    "ask_target_status": "Derived: for each thing an ask concerns, the first day after the ask on which the data shows it done.",
    "procedure_intervals_view": "Derived: the definition of procedure_intervals (the table is filled from this view at build time).",
    "ask_status": "Derived: each ask with its fulfilment (fulfilled, partly_fulfilled, open, not_tracked), date and days taken, the engagement targets, the evidence against an open engagement ask and the reason an ask is not tracked.",
    "ask_evidence": "Derived: for each engagement target, the events of the same mechanism (and treaty or mandate) on or after the ask that count against it (visit refused or unanswered, non-cooperation, an unanswered communication).",
    "reporting_deadlines": "Derived: each report a source states as due (report_due), with the date its submission was recorded (NULL: none recorded).",
    "statement_withdrawal_matches": "Derived: each statement reference (statement_articles) paired with each later withdrawal by the same state that can undo it, and its effect: withdrawn (same provision, one containing it, or the whole instrument), partly (a partial withdrawal, a part naming no article, or a paragraph of the provision), not_determined (the withdrawal or the statement names no article), NULL (another provision).",
    "statement_status": "Derived: each reservation, declaration, objection, opt-out and competence declaration per reference, with made_on, withdrawn_on, partly_withdrawn_on and undetermined_from: in force on day D when made by D, with legal effect, not withdrawn by D; not determined (NULL) once undetermined_from <= D. kb/query/sql/reservations.sql applies the date.",
    "statement_objections": "Derived: for each statement reference, the objections of other states to the same state's statements on the instrument made on or after it (one naming no article concerns all of them; one naming a provision, the statements on an overlapping provision), with the date, the withdrawal of the objection and the depositary's words.",
}


def table_doc_rows() -> list[dict]:
    """The rows of table_docs: each table and its columns, then each view."""
    rows = []
    for table in Base.metadata.sorted_tables:
        rows.append(dict(table_name=table.name, column_name="", description=TABLE_DOCS.get(table.name) or ""))
        rows += [dict(table_name=table.name, column_name=c.name, description=c.comment or "") for c in table.columns]
    rows += [dict(table_name=v, column_name="", description=d) for v, d in VIEW_DOCS.items()]
    return rows


SCHEMA_HEADER = """\
-- The tables, indexes and table_docs rows of the built database, as kb/db/models.py defines them.
-- Generated: edit the models, then run `python scripts/gen_schema.py` (tests/test_build.py checks
-- that this file is what the models give).  Statements end with ';' and a blank line.
"""


def _literal(value: str) -> str:
    """A SQL string literal (SQLite has no escapes but the doubled quote)."""
    return "'" + value.replace("'", "''") + "'"


def schema_sql() -> str:
    """kb/db/sql/schema.sql: each table, then its indexes in name order (``metadata.create_all``
    walks ``Table.indexes``, a set, whose order changes from one process to the next and would
    show in sqlite_master and in ANALYZE's rows), then the rows of table_docs."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    dialect = sqlite.dialect()
    statements = []
    for table in Base.metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        for index in sorted(table.indexes, key=lambda i: i.name):
            statements.append(str(CreateIndex(index).compile(dialect=dialect)).strip())
    values = ",\n".join(f"({_literal(r['table_name'])}, {_literal(r['column_name'])}, {_literal(r['description'])})"
                        for r in table_doc_rows())
    statements.append(f"INSERT INTO table_docs (table_name, column_name, description) VALUES\n{values}")
    return SCHEMA_HEADER + "\n" + ";\n\n".join(statements) + ";\n"
