"""Record schemas for the curated YAML under data/.

Every field carries a description: the same text becomes the Datasette column
description and the data model section of docs/DATA_MODEL.md, so the schema
documents itself.  Vocabularies are closed ``Literal`` types; each value is
defined in ``VOCABULARIES`` with the curation rule for using it.

Dates are ISO strings validated here, never by YAML: ``YYYY-MM-DD``, or the
partial forms ``YYYY-MM`` and ``YYYY`` where the truth is only that precise.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator


def name_key(name: str) -> str:
    """How a state's name is looked up: Unicode NFC, case-folded, spaces collapsed ('  북한 ', 'NORTH korea').
    kb/query/base.py name_key is the same function (the query room imports nothing of kb.data)."""
    return " ".join(unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold()).split())


# --------------------------------------------------------------------------- dates

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


_GOOD_DATES: set[str] = set()  # dates already accepted: the same few thousand repeat across files


def check_date(value: str) -> str:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD naming a real calendar date."""
    if value in _GOOD_DATES:
        return value
    m = _DATE_RE.fullmatch(value)
    if not m:
        raise ValueError(
            f"{value!r} is not a date: write YYYY-MM-DD (or YYYY-MM / YYYY where only that is known)"
        )
    year, month, day = m.group(1), m.group(2), m.group(3)
    y = int(year)
    if y < 1800:
        raise ValueError(f"{value!r}: year {y} is before 1800; check the date")
    if month is not None:
        mo = int(month)
        if not 1 <= mo <= 12:
            raise ValueError(f"{value!r} is not a date: month {mo} does not exist")
        if day is not None:
            d = int(day)
            last = calendar.monthrange(y, mo)[1]
            if not 1 <= d <= last:
                raise ValueError(f"{value!r} is not a date: {year}-{month} has {last} days")
    _GOOD_DATES.add(value)
    return value


def date_bounds(value: str) -> tuple[str, str]:
    """Earliest and latest full date a (possibly partial) date can mean."""
    parts = value.split("-")
    if len(parts) == 3:
        return value, value
    if len(parts) == 2:
        y, m = int(parts[0]), int(parts[1])
        return f"{value}-01", f"{value}-{calendar.monthrange(y, m)[1]:02d}"
    return f"{value}-01-01", f"{value}-12-31"


def _year_as_text(value: object) -> object:
    """`date: 2001` reads as the number 2001; a bare four-digit year means that year."""
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return str(value)
    return value


Date = Annotated[str, BeforeValidator(_year_as_text), AfterValidator(check_date)]
# --------------------------------------------------------------------------- vocabularies

InstrumentKind = Literal[
    "convention", "covenant", "protocol", "optional_protocol", "statute",
    "ilo_convention", "ilo_protocol",
]
Regime = Literal["UN", "ILO", "other"]
StateKind = Literal["state", "non_member_state", "organization"]
Organization = Literal["UN", "ILO"]
ActionType = Literal[
    "signature", "ratification", "accession", "succession", "acceptance", "approval",
    "formal_confirmation", "definitive_signature",
    "reservation", "declaration", "objection", "competence_declaration", "opt_out",
    "withdrawal_of_reservation", "partial_withdrawal_of_reservation",
    "withdrawal_of_declaration", "withdrawal_of_objection", "withdrawal_of_competence_declaration",
    "withdrawal_of_opt_out",
    "denunciation", "notification_of_withdrawal", "territorial_application", "communication",
]
LegalEffect = Literal["effective", "none"]
StatementScope = Literal["provision", "whole", "preamble", "part", "unstated", "general"]
ReferenceDerivation = Literal["as_given", "typo", "by_hand", "not_treaty", "none", "from_words"]

CONSENT_TYPES = (
    "ratification", "accession", "succession", "acceptance", "approval",
    "formal_confirmation", "definitive_signature",
)
EXIT_TYPES = ("denunciation", "notification_of_withdrawal")

VOCABULARIES: dict[str, dict[str, str]] = {
    "instrument kind": {
        "convention": "A multilateral convention (UN or other regime).",
        "covenant": "One of the two 1966 International Covenants.",
        "protocol": "A protocol that amends or supplements a parent instrument and that states join on its own.",
        "optional_protocol": "An optional protocol to a parent instrument; only parties (or signatories) of the parent may join.",
        "statute": "A constituent statute, e.g. the Rome Statute.",
        "ilo_convention": "An International Labour Convention; only ILO members may ratify.",
        "ilo_protocol": "A protocol to an International Labour Convention; only ILO members may ratify.",
    },
    "regime": {
        "UN": "Deposited with the Secretary-General of the United Nations; open to states and, where the text says so, organizations.",
        "ILO": "International Labour Organization: ratification by members only, no signature step.",
        "other": "Any other depositary.",
    },
    "state kind": {
        "state": "A UN member state.",
        "non_member_state": "A participant that is not a UN member state (Holy See, State of Palestine, Cook Islands, Niue).",
        "organization": "An international organization that participates in treaties (European Union).",
    },
    "action type": {
        "signature": "Signature subject to ratification, acceptance or approval. Not consent to be bound.",
        "ratification": "Consent to be bound by ratification (UNTC: date with no suffix).",
        "accession": "Consent to be bound by accession (UNTC suffix 'a').",
        "succession": "Consent to be bound by succession to a predecessor state (UNTC suffix 'd').",
        "acceptance": "Consent to be bound by acceptance (UNTC suffix 'A').",
        "approval": "Consent to be bound by approval (UNTC suffix 'AA').",
        "formal_confirmation": "Consent of an organization by formal confirmation (UNTC suffix 'c').",
        "definitive_signature": "Consent by signature without reservation of ratification (UNTC suffix 's').",
        "reservation": "A reservation excluding or modifying an article; record one action per article concerned.",
        "declaration": "An interpretative or other declaration that is not a reservation.",
        "objection": "An objection to another state's reservation or declaration; `target_state` names that state.",
        "competence_declaration": "A declaration recognising a committee's competence under an opt-in article (e.g. CAT art. 22).",
        "opt_out": "A declaration or reservation under an opt-out clause that the state does not recognise a committee's competence under the article named (e.g. article 20, under CAT art. 28). The depositary may head it 'Reservations' or 'Declarations'.",
        "withdrawal_of_reservation": "Withdrawal of a reservation to the article named (whole).",
        "partial_withdrawal_of_reservation": "Withdrawal of part of a reservation; `text` says what remains.",
        "withdrawal_of_declaration": "Withdrawal of a declaration.",
        "withdrawal_of_objection": "Withdrawal of an objection.",
        "withdrawal_of_competence_declaration": "Withdrawal of a declaration recognising a committee's competence.",
        "withdrawal_of_opt_out": "Withdrawal of an opt-out: from then on the state accepts the procedure.",
        "denunciation": "Denunciation under the instrument's own clause; takes effect on `effective_date`.",
        "notification_of_withdrawal": "A notice of withdrawal; where the instrument has no withdrawal clause set `legal_effect: none`.",
        "territorial_application": "Extension or exclusion of territorial application.",
        "communication": "Another communication recorded by the depositary.",
    },
    "legal effect": {
        "effective": "The action has the legal effect its type implies (default).",
        "none": "The depositary records the action but it has no legal effect (e.g. a withdrawal the instrument does not allow). It changes no status.",
    },
}

SourceKind = Literal["un_host", "un_mirror", "secondary"]

VOCABULARIES["statement scope"] = {
    "provision": "The statement names an article, paragraph or sub-paragraph (statement_articles.provision); it counts for each part of it.",
    "whole": "The statement concerns the instrument as a whole (e.g. 'any term of the Convention'); it counts for every article.",
    "preamble": "The statement concerns the preamble, which has no article number.",
    "part": "A withdrawal of a part of an earlier statement that names no article: the rest of the statement stands (partly withdrawn).",
    "unstated": "The record names no article: nothing is guessed; read the statement's words. A withdrawal with no article leaves the state's earlier statements of that kind 'not determined' from its date.",
    "general": "The statement's words name no article of the instrument: it concerns the instrument in general (an objection that names none concerns the target state's statements as a whole). Like 'unstated', a withdrawal cannot be matched to an article of it.",
}

VOCABULARIES["reference derivation"] = {
    "as_given": "The depositary's reference, as the record gives it in `article`, normalised.",
    "typo": "A depositary typo kept as given in `article` and mapped to what it means (ARTICLE_TYPOS in kb/data/validate.py, with the reason).",
    "by_hand": "Read from the statement's own words where `article` is empty or names one of several articles (STATEMENT_REFERENCES in kb/data/validate.py, with the words).",
    "not_treaty": "`article` names an article of another text (a national law) that the statement cites, not of the instrument (NOT_TREATY_ARTICLES).",
    "none": "The record names no article.",
    "from_words": "Read at build time from the statement's own words, where `article` is empty (kb/data/references.py); `note` quotes the words read, or says that they name no article of the instrument.",
}

VOCABULARIES["source kind"] = {
    "un_host": "UN text read on a UN host (e.g. docstore.ohchr.org, ohchr.org, uhri.ohchr.org, news.un.org), or a body's own site for a body outside the UN (the ICRC's).",
    "un_mirror": "UN text read on a mirror (a library or document-sharing site): the UN document symbol is the stable key to the original.",
    "secondary": "Not UN text: press, NGO or state media reporting the fact. Used only where no UN text could be read; the record says so.",
}

# --------------------------------------------------------------------------- records


class Record(BaseModel):
    """Unknown keys are errors: a misspelt key must not silently vanish."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Source(Record):
    url: str = Field(description="Address of the source document or page.")
    title: str = Field(description="Title of the source, e.g. 'UN Treaty Collection: CEDAW status page'.")
    as_at: Date = Field(description="The source's own as-at date (e.g. the UNTC page's STATUS AS AT), not the day it was read.")
    symbol: str | None = Field(None, description="Depositary notification or UN document symbol, e.g. C.N.467.1997.TREATIES-10.")
    footnote: str | None = Field(None, description="Footnote number on the source page that states the fact.")
    note: str | None = Field(None, description="Where in the source, or how the fact was read from it.")
    kind: SourceKind | None = Field(None, description="What kind of copy the source is (closed vocabulary 'source kind'): un_host, un_mirror or secondary. Required on engagement events; optional elsewhere.")

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.fullmatch(r"https?://[^\s/]+\S*", v):
            raise ValueError(f"{v!r} is not a URL: write the full http(s) address")
        return v


class Denunciation(Record):
    allowed: bool = Field(description="Whether the instrument provides for denunciation or withdrawal.")
    article: str | None = Field(None, description="Article providing for denunciation (or null when there is none).")
    months: int | None = Field(None, description="Months after the depositary receives the notification that a denunciation takes effect.")
    source: Source = Field(description="Where this is stated.")


TitleKind = Literal["official", "official_copy", "secondary"]

VOCABULARIES["title kind"] = {
    "official": "The state's own official translation, read on the government's publication of it (e.g. the Republic of Korea's National Law Information Center, law.go.kr).",
    "official_copy": "That official translation as another public body of the state republishes it (e.g. the National Human Rights Commission of Korea).",
    "secondary": "A copy of the title on a non-governmental page. Used only where no government page could be read; the record says so.",
}


class InstrumentTitle(Record):
    text: str = Field(description="The instrument's title in the language, exactly as the source writes it.")
    kind: TitleKind = Field(description="What kind of copy of the title the source is (closed vocabulary 'title kind').")
    source: Source = Field(description="Where the title was read.")


EifRule = Literal[
    "days_after_deposit", "months_after_deposit", "on_deposit",
    "first_day_of_month_after_days", "first_day_of_month_after_months", "months_after_registration",
]
EifScope = Literal["after_nth_instrument", "after_entry_into_force"]

VOCABULARIES["entry into force rule"] = {
    "days_after_deposit": "On the n-th day after the date of deposit ('on the thirtieth day after the date of the deposit'): the deposit date plus n days.",
    "months_after_deposit": "n months after the date of deposit ('three months after the date of the deposit'): the same day of the month n months later. When that month has no such day (30 November + 3 months) the KB gives no date (basis open_month_end).",
    "on_deposit": "On the date of deposit itself ('on the date of deposit by such State of its instrument').",
    "first_day_of_month_after_days": "On the first day of the month after the n-th day following the deposit (Rome Statute, art. 126).",
    "first_day_of_month_after_months": "On the first day of the month following a period of n months after the date of deposit: the first day of the month after the month in which the n months end.",
    "months_after_registration": "ILO: n months after the date on which the ratification was registered with the Director-General, counted as months_after_deposit (the KB takes the ratification date the depositary records as the date of registration).",
}
VOCABULARIES["entry into force scope"] = {
    "after_nth_instrument": "The later rule speaks of consents 'after the deposit of the n-th instrument': every consent after the n-th is bound by it; consents up to the n-th are bound from the instrument's own entry into force.",
    "after_entry_into_force": "The later rule speaks only of consents 'after its entry into force'. A consent deposited after the n-th instrument but before that date is covered by neither paragraph in terms: the KB leaves its date null (basis `open_before_entry_into_force`).",
}


InForceBasis = Literal[
    "general", "later", "open_before_entry_into_force", "open_month_end", "succession", "partial_date", "no_clause",
    "no_entry_into_force",
]
VOCABULARIES["in force basis"] = {
    "general": "Bound from the instrument's own entry into force: the consent was deposited before it (or in time for it).",
    "later": "Bound from the date the later rule gives from the state's own deposit (e.g. the thirtieth day after it).",
    "open_before_entry_into_force": "Deposited after the last instrument needed but before the instrument's entry into force, where the later rule speaks only of consents 'after its entry into force': the text does not say; in_force_date is null.",
    "open_month_end": "A months rule lands on a day the month does not have (30 November + 3 months): the text does not say which day is meant and the KB has read no statement of how the depositary counts; in_force_date is null.",
    "succession": "A succession takes effect from the date of succession, which the depositary's grid does not give: in_force_date is null.",
    "partial_date": "The consent's date is known only to the month or year: in_force_date is null.",
    "no_clause": "The instrument's entry-into-force clause has not been read into the KB: in_force_date is null.",
    "no_entry_into_force": "The instrument's own entry into force is not recorded as a full date: in_force_date is null.",
}


class EifGeneral(Record):
    paragraph: str = Field(description="Paragraph giving the instrument's own entry into force, e.g. '45(1)'.")
    instruments: int = Field(description="Number of instruments (ILO: registered ratifications) the instrument's entry into force needs.", ge=1)
    rule: EifRule = Field(description="How the date follows from the deposit of the last instrument needed (closed vocabulary).")
    n: int = Field(description="The number of days or months of the rule (0 for on_deposit).", ge=0)
    not_before: str | None = Field(None, description="Id of an instrument whose entry into force this one awaits ('Subject to the entry into force of the Covenant'): the general date is never earlier than that instrument's.")
    text: str = Field(description="The paragraph, quoted verbatim from the source.")


class EifLater(Record):
    paragraph: str = Field(description="Paragraph giving the entry into force for a state consenting later, e.g. '45(2)'.")
    applies_to: EifScope = Field(description="Which consents the paragraph speaks of (closed vocabulary): after the n-th instrument, or after the instrument's entry into force.")
    rule: EifRule = Field(description="How the date follows from the state's own deposit (closed vocabulary).")
    n: int = Field(description="The number of days or months of the rule (0 for on_deposit).", ge=0)
    text: str = Field(description="The paragraph, quoted verbatim from the source.")


class EntryIntoForceClause(Record):
    article: str = Field(description="Article on entry into force, e.g. '45'.")
    general: EifGeneral = Field(description="The rule for the instrument's own entry into force.")
    later: EifLater = Field(description="The rule for each state that consents later.")
    source: Source = Field(description="The published copy of the treaty text the clause was read from (say which copy in `title` and `note`).")
    note: str | None = Field(None, description="Curator's note: conditions the rule does not capture, cross-checks.")

    @model_validator(mode="after")
    def _n(self) -> "EntryIntoForceClause":
        for part in (self.general, self.later):
            if (part.rule == "on_deposit") != (part.n == 0):
                raise ValueError("n is 0 exactly when the rule is on_deposit")
        return self


class Instrument(Record):
    id: str = Field(description="Stable identifier, e.g. ICCPR, OP-CAT, C087. A public interface: never changed or reused.")
    title: str = Field(description="Official title as the depositary gives it.")
    short_title: str = Field(description="Short title used in sentences, e.g. 'Convention against Torture'.")
    abbreviation: str | None = Field(None, description="Customary abbreviation, e.g. CAT, ICCPR.")
    kind: InstrumentKind = Field(description="Kind of instrument (closed vocabulary).")
    parent: str | None = Field(None, description="Id of the parent instrument, for protocols.")
    regime: Regime = Field(description="Treaty regime: UN, ILO or other.")
    depositary: str = Field(description="Depositary of the instrument.")
    adopted: Date = Field(description="Date of adoption (or opening for signature, as the depositary gives it).")
    adopted_place: str | None = Field(None, description="Place of adoption.")
    entry_into_force: Date | None = Field(None, description="Date of entry into force of the instrument.")
    mtdsg: str | None = Field(None, description="Chapter and number in 'Multilateral Treaties Deposited with the Secretary-General', e.g. IV-4.")
    unts_volume: int | None = Field(None, description="United Nations Treaty Series volume of the text.")
    unts_page: int | None = Field(None, description="United Nations Treaty Series page of the text.")
    registration: str | None = Field(None, description="UN registration number and date, as the depositary gives them.")
    monitoring_body: str | None = Field(None, description="Treaty body or supervisory body that monitors the instrument.")
    url: str = Field(description="Official page of the instrument at its depositary.")
    fundamental_since: Date | None = Field(None, description="ILO: date the instrument became a fundamental instrument.")
    fundamental_source: Source | None = Field(None, description="ILO: source for fundamental_since.")
    denunciation: Denunciation | None = Field(None, description="Denunciation clause, where recorded.")
    entry_into_force_clause: EntryIntoForceClause | None = Field(None, description="The entry-into-force clause as data: from it the KB derives the date the instrument binds each state (null: not read; the date stays null).")
    status_source: Source = Field(description="The depositary's status list from which the KB's record of participants is taken; a state with no action there has none.")
    complete_for: Literal["all"] | list[str] = Field(description="States whose record of actions on this instrument is complete as at status_source.as_at: 'all' when every participant of the status list is recorded, else a list of alpha-3 codes. Other states read `unknown`.")
    sources: list[Source] = Field(description="Sources for the instrument's own facts (titles, dates, references).", min_length=1)
    titles: dict[str, InstrumentTitle] | None = Field(None, description="The title in other languages, by ISO 639-1 code (e.g. ko), only where an official translation can be read, each with its source; a language not recorded has none (pages then show the English title, marked as such).")
    note: str | None = Field(None, description="Curator's note.")

    @field_validator("titles")
    @classmethod
    def _title_languages(cls, v: dict | None) -> dict | None:
        for lang in v or {}:
            if not re.fullmatch(r"[a-z]{2}", lang) or lang == "en":
                raise ValueError(f"{lang!r} is not a language to give a title in: use an ISO 639-1 code other than "
                                 "en (the English title is `title`), e.g. ko")
        return v

    @model_validator(mode="after")
    def _ilo(self) -> "Instrument":
        if self.fundamental_since and not self.fundamental_source:
            raise ValueError("fundamental_since needs fundamental_source: say where it is stated")
        return self


class Membership(Record):
    organization: Organization = Field(description="Organization: UN or ILO.")
    member: bool = Field(True, description="true for a membership span; false records that the state is not a member as at the source's date.")
    since: Date | None = Field(None, description="Date membership began (admission, or ratification of the Charter for original UN members).")
    until: Date | None = Field(None, description="Date membership ended, if it did.")
    note: str | None = Field(None, description="How the date was read, caveats.")
    source: Source = Field(description="Where this is stated.")

    @model_validator(mode="after")
    def _shape(self) -> "Membership":
        if self.member and self.since is None:
            raise ValueError("a membership (member: true) needs `since`")
        if not self.member and (self.since or self.until):
            raise ValueError("`member: false` records non-membership: leave out since/until")
        return self


class State(Record):
    id: str = Field(description="ISO 3166-1 alpha-3 code (EUU for the European Union). A public interface.")
    alpha2: str = Field(description="ISO 3166-1 alpha-2 code.")
    name: str = Field(description="The depositary's current name, e.g. \"Democratic People's Republic of Korea\", 'Türkiye'.")
    short_name: str = Field(description="Short name used in tables.")
    aliases: list[str] = Field(default_factory=list, description="Other names the KB accepts, e.g. 'North Korea', 'DPRK', former depositary names.")
    aliases_by_language: dict[str, list[str]] = Field(default_factory=dict, description="Names the KB accepts in another language, by its language tag, e.g. {'ko': ['북한', '조선']} (curated); the build adds CLDR's name of the state in each of the site's languages.")
    kind: StateKind = Field(description="state, non_member_state or organization.")
    memberships: list[Membership] = Field(default_factory=list, description="UN and ILO membership spans and recorded non-memberships.")
    note: str | None = Field(None, description="Curator's note.")

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", v):
            raise ValueError(f"{v!r} is not an ISO 3166-1 alpha-3 code: three capital letters, e.g. PRK")
        return v

    @field_validator("aliases_by_language")
    @classmethod
    def _langs(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for lang, names in v.items():
            if not re.fullmatch(r"[a-z]{2,3}", lang):
                raise ValueError(f"{lang!r} is not a language tag: two or three small letters, e.g. ko")
            if any(not n.strip() for n in names):
                raise ValueError(f"an alias in {lang!r} is empty: write the name or remove the line")
        return v

    @field_validator("alpha2")
    @classmethod
    def _a2(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Z]{2}", v):
            raise ValueError(f"{v!r} is not an ISO 3166-1 alpha-2 code: two capital letters, e.g. KP")
        return v


class Action(Record):
    state: str = Field(description="Acting state (alpha-3).")
    type: ActionType = Field(description="What the state did (closed vocabulary).")
    date: Date = Field(description="Date of the action: deposit of the instrument or receipt of the notification by the depositary.")
    effective_date: Date | None = Field(None, description="Date the action takes effect, where it differs from `date` (e.g. a denunciation).")
    legal_effect: LegalEffect = Field("effective", description="'none' where the depositary records the action but it has no legal effect.")
    article: str | None = Field(None, description="Article concerned, as the instrument numbers it, e.g. '29', '2(f)', '9(2)'.")
    target_state: str | None = Field(None, description="For objections: the state whose reservation or declaration is objected to.")
    text: str | None = Field(None, description="Text as the source gives it (quoted verbatim).")
    summary: str | None = Field(None, description="Curator's faithful summary where the text is not quoted.")
    footnote_text: str | None = Field(None, description="Text of the depositary's footnote that annotates this action, verbatim.")
    unverified: str | None = Field(None, description="Set (with the reason) when the fact could not be checked against its source.")
    first_recorded: Date | None = Field(None, description="Imported actions: the as-at date of the first depositary snapshot that recorded this action (kept across imports; the source's as_at is the latest snapshot that still records it). Null for curated actions: their source's as_at is when they were recorded.")
    source: Source = Field(description="Where the action is recorded. Required.")

    @model_validator(mode="after")
    def _shape(self) -> "Action":
        if self.type == "objection" and not self.target_state:
            raise ValueError("an objection needs `target_state`: the state whose reservation is objected to")
        if self.type != "objection" and self.type != "withdrawal_of_objection" and self.target_state:
            raise ValueError("`target_state` is only for objections")
        return self


class ActionsFile(Record):
    instrument: str = Field(description="Instrument the actions in this file concern.")
    actions: list[Action] = Field(description="Actions, in any order.")


class TreatiesFile(Record):
    instruments: list[Instrument]


class StatesFile(Record):
    states: list[State]


Measure = Literal["parties", "signatories", "participants"]

VOCABULARIES["count measure"] = {
    "parties": "States whose derived status on `as_of` is party.",
    "signatories": "States that had signed by `as_of` (whether or not they later became parties) and have not withdrawn, as the UNTC header counts them (it brackets signatures later undone).",
    "participants": "States with any signature or consent recorded by `as_of` (rows of the depositary's participant grid).",
}


class ExpectedCount(Record):
    """An assertion about the data, checked after every build (see the `reconciliation` view)."""

    instrument: str = Field(description="Instrument counted.")
    as_of: Date = Field(description="Date the count refers to (the source's as-at date).")
    measure: Measure = Field(description="What is counted (closed vocabulary).")
    value: int = Field(description="The count the source states.")
    basis: str = Field(description="Where on the source the count is read, e.g. 'page header' or 'participant grid'.")
    source: Source = Field(description="The source stating the count.")


class ExpectedCountsFile(Record):
    expected_counts: list[ExpectedCount]


# --------------------------------------------------------------------------- coverage by state


class StateCoverage(Record):
    """A source that states a state's whole record on a set of ILO instruments on a day (data/coverage.yaml).

    The ILO registers ratifications one by one and no whole list is read: a state's record on an ILO
    instrument is complete only where a source states every one of the listed instruments the state
    had ratified on `date` (a NORMLEX country profile, an ILO table or text naming the whole set). From
    `date`, each listed instrument with no recorded ratification reads `not_party`, up to the source's
    as-at date and "as recorded" past it; before `date` it stays `unknown`. The ratifications the source
    names are recorded as events (data/actions/), each with its own date and source."""

    state: str = Field(description="The state whose record the source states (alpha-3 code).")
    date: Date = Field(description="The day on which the source states the state's set (a full date): from it, the listed instruments not ratified read not_party.")
    instruments: list[str] = Field(description="The instruments whose whole record the source states for the state (ILO instrument ids).", min_length=1)
    ratified: list[str] = Field(default_factory=list, description="Those of `instruments` the source names as ratified on `date`: each must be recorded in data/actions/ on or before `date` (checked); the others must not be.")
    source: Source = Field(description="The source stating the set, with its kind; its as_at is a full date, on or after `date`.")
    note: str | None = Field(None, description="Where in the source the set is stated, in its own words.")


class StateCoverageFile(Record):
    coverage: list[StateCoverage]


# --------------------------------------------------------------------------- engagement

EngagementMechanism = Literal["treaty_body", "upr", "special_procedure", "ohchr", "commission_of_inquiry", "icrc"]
EngagementKind = Literal[
    "report_due", "report_submitted", "list_of_issues", "replies", "review_held", "concluding_observations",
    "outcome_adopted",
    "visit_requested", "visit_accepted", "visit_held", "visit_refused", "visit_unanswered",
    "cooperation", "non_cooperation", "communication", "context",
]
Mandate = Literal["sr_dprk", "sr_disability"]

VOCABULARIES["engagement mechanism"] = {
    "treaty_body": "The committee that monitors a treaty (`instrument` names the treaty; its body is the instrument's monitoring_body).",
    "upr": "The Universal Periodic Review of the Human Rights Council (Working Group review, Council adoption).",
    "special_procedure": "A special procedure of the Human Rights Council: a Special Rapporteur or other mandate (`mandate` names it).",
    "ohchr": "The Office of the United Nations High Commissioner for Human Rights, or the High Commissioner.",
    "commission_of_inquiry": "A commission of inquiry set up by the Human Rights Council (for the DPRK: the 2013-2014 commission).",
    "icrc": "The International Committee of the Red Cross (not a UN body; recorded because asks name it).",
}
VOCABULARIES["engagement kind"] = {
    "report_due": "A UN text states when a report was or is due (`report` names it). Only a source's statement: a due date is never computed or assumed.",
    "report_submitted": "The state's report was received (the date the UN document gives as 'date received').",
    "list_of_issues": "The treaty body's list of issues (or questions) on a report: the date the document gives (adoption or issue).",
    "replies": "The state's written replies to a list of issues were received.",
    "review_held": "The state's report was considered in a dialogue with the treaty body, or the state was reviewed in the UPR Working Group. One event per meeting day where the sources give meetings.",
    "concluding_observations": "The treaty body adopted its concluding observations (or, before 2008 at CEDAW, concluding comments).",
    "outcome_adopted": "UPR: the Human Rights Council adopted the outcome of the review in plenary.",
    "visit_requested": "A mechanism asked to visit the country, or a visit was announced.",
    "visit_accepted": "The state accepted or invited a visit.",
    "visit_held": "A mechanism visited the country (`end_date`: the last day).",
    "visit_refused": "A source states that a visit or access was refused or not granted, as at the event's date.",
    "visit_unanswered": "A source states that a request to visit received no reply.",
    "cooperation": "The state engaged with the mechanism otherwise (a meeting, a dialogue, an invitation), as the summary says.",
    "non_cooperation": "A source states that the state declined to cooperate with, or opposes, the mechanism.",
    "communication": "The mechanism wrote to the state (a letter, a note verbale); the source read does not say whether or how it was answered. Never read as a refusal.",
    "context": "A fact about the mechanism's presence or work that is not an act of the state (e.g. a resolution setting up an office elsewhere, staff leaving). Never fulfils or counts against an ask.",
}
VOCABULARIES["mandate"] = {
    "sr_dprk": "Special Rapporteur on the situation of human rights in the Democratic People's Republic of Korea (Commission on Human Rights resolution 2004/13, continued by the Human Rights Council).",
    "sr_disability": "Special Rapporteur on the rights of persons with disabilities (a thematic mandate of the Human Rights Council).",
}

#: Kinds that count against an open engagement ask (shown as its evidence).
EVIDENCE_KINDS = ("visit_refused", "visit_unanswered", "non_cooperation", "communication")
#: Kinds only a treaty body has; kinds only the UPR has; kinds of a visit.
TREATY_BODY_KINDS = ("report_due", "report_submitted", "list_of_issues", "replies", "concluding_observations")
UPR_KINDS = ("outcome_adopted",)
VISIT_KINDS = ("visit_requested", "visit_accepted", "visit_held", "visit_refused", "visit_unanswered")


class EngagementTarget(Record):
    """What would fulfil an engagement ask: an event of `kind` by the mechanism, dated on or after the ask."""

    mechanism: EngagementMechanism = Field(description="The mechanism (closed vocabulary).")
    instrument: str | None = Field(None, description="treaty_body: the treaty (instrument id) under which the event must take place.")
    mandate: Mandate | None = Field(None, description="special_procedure: the mandate whose event is asked for.")
    kind: EngagementKind = Field(description="The kind of event that fulfils the ask, e.g. review_held, report_submitted, visit_held.")


class EngagementEvent(Record):
    mechanism: EngagementMechanism = Field(description="The mechanism the state engaged with, or did not (closed vocabulary).")
    instrument: str | None = Field(None, description="treaty_body only (required there): the treaty, by instrument id. null for every other mechanism.")
    mandate: Mandate | None = Field(None, description="special_procedure only (required there): the mandate (closed vocabulary).")
    kind: EngagementKind = Field(description="What happened (closed vocabulary).")
    date: Date = Field(description="Date of the event as the source gives it (YYYY-MM or YYYY where only that is known). For a multi-day event, the first day.")
    end_date: Date | None = Field(None, description="Last day of a multi-day event (a visit, a review over several days).")
    symbol: str | None = Field(None, description="The UN document symbol of the event's document (report, list of issues, summary record, concluding observations), where the source gives it.")
    report: str | None = Field(None, description="Which report or cycle, as the source names it, e.g. 'fifth periodic report', 'third cycle'. A report_due and a report_submitted under the same instrument with the same `report` are matched.")
    summary: str = Field(description="What the source says happened, in the curator's words.")
    quote: str | None = Field(None, description="The words of the source that state the fact, verbatim (abridged with ...).")
    note: str | None = Field(None, description="Curator's note: conflicts between sources, what was not read.")
    source: Source = Field(description="Where the event is stated. `source.kind` is required: un_host, un_mirror or secondary.")


class EngagementFile(Record):
    state: str = Field(description="The state (alpha-3) whose engagement the file records; the file is named after it.")
    events: list[EngagementEvent] = Field(description="Engagement events, in any order.")


# --------------------------------------------------------------------------- asks

AskAction = Literal[
    "ratify", "sign", "accept_procedure", "withdraw_reservation", "join_organization", "cooperate", "other",
]
AskResponse = Literal["accepted", "noted", "rejected", "partially_accepted", "no_response", "not_applicable"]
DocumentKind = Literal["upr_report", "upr_addendum", "letter", "coi_report", "resolution", "other"]

VOCABULARIES["ask action"] = {
    "ratify": "Become a party (ratify or accede). Fulfilled when the state's derived status is party after the ask's date.",
    "sign": "Sign. Fulfilled when the state signed (or became a party) after the ask's date.",
    "accept_procedure": "Accept a procedure (article given): fulfilled when the procedure is accepted after the ask's date.",
    "withdraw_reservation": "Withdraw a reservation (article given): fulfilled when it is withdrawn after the ask's date.",
    "join_organization": "Become a member of an organization (`organization`): fulfilled by a membership beginning after the ask's date.",
    "cooperate": "Engage with a mechanism (visit, report, dialogue). Fulfilment is derived from engagement events when the ask names what would fulfil it (`engagement:`); otherwise not_tracked, with the reason in `not_tracked_reason`.",
    "other": "Anything else. Recorded; fulfilment derived only from `engagement:` targets, if any (else not_tracked).",
}
VOCABULARIES["ask response"] = {
    "accepted": "The state accepted (UPR: 'supported'/'accepted') the recommendation, as the document records.",
    "noted": "The state noted the recommendation (UPR practice for not accepting).",
    "rejected": "The state rejected the recommendation, as the document records it.",
    "partially_accepted": "The state accepted part of the recommendation.",
    "no_response": "No response is recorded in the sources held.",
    "not_applicable": "The document asks for no response (e.g. an open letter).",
}


class AskTotals(Record):
    recommendations: int = Field(description="Recommendations the state received, as the source states.")
    supported: int | None = Field(None, description="Supported (accepted), as the source states (null: not stated).")
    partially_supported: int | None = Field(None, description="Partially supported, as the source states (null: not stated).")
    noted: int | None = Field(None, description="Noted (not accepted), as the source states (null: not stated).")
    source: Source = Field(description="Where the totals are stated.")
    note: str | None = Field(None, description="How the numbers were read; gaps between them.")

    @model_validator(mode="after")
    def _sum(self) -> "AskTotals":
        parts = [v for v in (self.supported, self.partially_supported, self.noted) if v is not None]
        if sum(parts) > self.recommendations:
            raise ValueError(f"supported + partially_supported + noted = {sum(parts)} is more than recommendations ({self.recommendations})")
        return self


class AskDocument(Record):
    id: str = Field(description="Stable id of the document, e.g. UPR-2014-PRK, NGO-LETTER-2018-06-06.")
    title: str = Field(description="Title of the document.")
    kind: DocumentKind = Field(description="Kind of document.")
    author: str = Field(description="Author: the body or organizations that wrote it.")
    date: Date = Field(description="Date of the document (or of the review, for UPR reports: the date of adoption of the report).")
    symbol: str | None = Field(None, description="UN document symbol, e.g. A/HRC/27/10.")
    url: str = Field(description="Where the document can be read.")
    addressee: str = Field(description="State the asks are addressed to (alpha-3).")
    source: Source = Field(description="Source of the document (usually the document itself).")
    council_adoption: Date | None = Field(None, description="UPR: date the Human Rights Council adopted the outcome (null: not recorded). Its source is the matching `outcome_adopted` engagement event.")
    totals: AskTotals | None = Field(None, description="UPR: the numbers of recommendations and responses as a source states them.")
    incomplete: str | None = Field(None, description="Set when the asks listed are not all the document's asks: says which are missing and why. Pages show it beside the list.")


class Ask(Record):
    ref: str | None = Field(description="Paragraph or item reference in the document, e.g. '124.37' or 'item 3'. null: no source read gives the paragraph (never guessed).")
    by: list[str] = Field(description="Who asked: recommending states (alpha-3) for UPR recommendations, else the author's name(s). An empty list: not named in the sources read.")
    text: str = Field(description="The ask's text, verbatim, or a faithful summary (then `summary: true`).")
    summary: bool = Field(False, description="true when `text` is a summary, not a quotation.")
    action: AskAction = Field(description="What is asked (closed vocabulary).")
    instruments: list[str] = Field(default_factory=list, description="Instruments the ask concerns (ids).")
    article: str | None = Field(None, description="Article of the procedure or reservation concerned.")
    organization: Organization | None = Field(None, description="For join_organization: the organization.")
    response: AskResponse = Field(description="The state's response as the sources record it.")
    response_source: Source | None = Field(None, description="Where the response is recorded (e.g. the UPR addendum).")
    note: str | None = Field(None, description="Curator's note.")
    engagement: list[EngagementTarget] = Field(default_factory=list, description="For cooperate/other asks: the engagement events that would fulfil the ask, all of them needed (e.g. a review held under the CRPD). Fulfilment is derived from data/engagement/.")
    not_tracked_reason: str | None = Field(None, description="For a cooperate/other ask with no `engagement` targets: why no recorded event can decide it. Shown with the not_tracked fulfilment.")



class AsksFile(Record):
    document: AskDocument
    asks: list[Ask]


# --------------------------------------------------------------------------- procedures

ProcedureKind = Literal["individual_communications", "inter_state_communications", "inquiry"]
ProcedureMode = Literal["opt_in", "opt_out", "protocol"]

VOCABULARIES["procedure kind"] = {
    "individual_communications": "The committee may receive communications from individuals.",
    "inter_state_communications": "The committee may receive communications from one State party about another.",
    "inquiry": "The committee may inquire into reliable information on grave or systematic violations.",
}
VOCABULARIES["procedure mode"] = {
    "opt_in": "Accepted only by a declaration recognising the committee's competence (competence_declaration with this article).",
    "opt_out": "Accepted by every party unless it declared that it does not recognise the competence (a reservation or declaration with this article, made under `opt_out_article`), and until it withdraws that.",
    "protocol": "The procedure is the instrument itself: accepted by every party to it.",
}


class Procedure(Record):
    id: str = Field(description="Stable id, e.g. CAT-22, OP-CEDAW-8, ICCPR-OP1.")
    instrument: str = Field(description="Instrument that provides for the procedure.")
    article: str | None = Field(None, description="Article that provides for it, as the instrument numbers it (null for a whole protocol).")
    kind: ProcedureKind = Field(description="Kind of procedure.")
    mode: ProcedureMode = Field(description="How a party accepts it.")
    opt_out_article: str | None = Field(None, description="For opt_out: the article under which a party may declare it does not recognise the competence.")
    title: str = Field(description="Short description, e.g. 'Individual communications (art. 22)'.")
    source: Source = Field(description="Where the article and its mode are stated (treaty text).")

    @model_validator(mode="after")
    def _shape(self) -> "Procedure":
        if self.mode == "opt_out" and not self.opt_out_article:
            raise ValueError("an opt_out procedure needs `opt_out_article`")
        if self.mode != "protocol" and not self.article:
            raise ValueError("a procedure under an article needs `article`")
        return self


class ProceduresFile(Record):
    procedures: list[Procedure]


class ReferenceOverride(Record):
    """A statement whose article references the reading of its words gets wrong, set by hand."""

    instrument: str = Field(description="Instrument id of the statement.")
    state: str = Field(description="State that made the statement (alpha-3).")
    date: Date = Field(description="The statement's date, as its record gives it.")
    type: ActionType = Field(description="The statement's type, as its record gives it (the depositary's heading).")
    target_state: str | None = Field(None, description="For an objection: the state objected to, as its record gives it.")
    references: list[str] = Field(min_length=1, description="The provisions the words name ('29(1)', '2(f)'), or one of 'whole' (the instrument as a whole), 'general' (no article) and 'preamble'.")
    reason: str = Field(min_length=1, description="Why: the words that decide it, quoted from the statement, and what the reading of the words got wrong.")


class ReferenceOverridesFile(Record):
    """data/reference_overrides.yaml: the statements whose references are set by hand."""

    overrides: list[ReferenceOverride]


# Derived, never typed: the statuses the build's views give (status_intervals.status); the last
# vocabulary, so that the vocabulary table keeps its row order.
STATUSES = ("party", "signatory", "not_party", "not_applicable", "withdrawn", "unknown", "not_yet_adopted")

VOCABULARIES["status"] = {
    "party": "The state's consent to be bound is in effect (counted from the date of deposit, as the depositary counts parties).",
    "signatory": "The state signed and has not (yet) consented to be bound.",
    "not_party": "No signature or consent is recorded as at the status source's date (on an ILO instrument: a source states the state's whole set, without it; see `state_coverage`).",
    "not_applicable": "The state cannot join under the regime's rules: an ILO instrument and the state is not an ILO member.",
    "withdrawn": "The state was a party and validly left: its denunciation or withdrawal has taken effect.",
    "unknown": "The KB holds no complete record of this state's actions on this instrument (see `coverage`, and for ILO instruments `state_coverage`).",
    "not_yet_adopted": "The date is before the instrument's adoption: it did not yet exist, so no state could sign or join it.",
}


# --------------------------------------------------------------------------- treaty texts (data/texts/<ID>.yaml)


class TextProvision(Record):
    """A numbered paragraph, sub-paragraph or item of an article, as the treaty numbers it."""

    id: str = Field(description="The provision's number as the treaty prints it, without brackets: '1', 'a', 'ii', 'A'.")
    text: str | None = Field(None, description="The provision's words (before its own sub-provisions, if any), English text.")
    items: list["TextProvision"] = Field(default_factory=list, description="Its sub-provisions, in the treaty's order.")
    text_after: str | None = Field(None, description="Words the treaty prints after the sub-provisions, where there are any.")


class TextArticle(Record):
    id: str = Field(description="The article's number as the treaty prints it: '29', or a Roman numeral ('IX') where the treaty numbers its articles so.")
    title: str | None = Field(None, description="The article's heading, where the treaty gives one (e.g. CRPD 'Purpose').")
    text: str | None = Field(None, description="The article's words before its numbered paragraphs (the whole article when it has none).")
    items: list[TextProvision] = Field(default_factory=list, description="Its numbered paragraphs (or lettered items), in the treaty's order.")
    text_after: str | None = Field(None, description="Words the treaty prints after the paragraphs, where there are any.")


class TextFile(Record):
    """One instrument's authentic English text, article by article (data/texts/<ID>.yaml)."""

    instrument: str = Field(description="Instrument id (treaties.yaml); the file is named after it.")
    source: Source = Field(description="The text's source: a UN/OHCHR publication or a faithful public copy; as_at is the text's own date (adoption).")
    articles: list[TextArticle] = Field(min_length=1, description="The articles, in the treaty's order.")


TextProvision.model_rebuild()
