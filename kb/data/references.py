"""Article references read from a statement's own words (the depositary's text), at build time.

A statement whose record gives no `article` often names the articles in its words: "article 9",
"articles 2 and 16", "paragraph 1 (a) of article 2", "article 14, paragraph 3 (d)", "arts. 20 and
30(1)". `references_from_words` reads them deterministically and says which words it read. It does
NOT take a reference to another text: where the words right after the reference name something else
("article 19 of the Vienna Convention", "article 2 of the Constitution", "article 38 of the
Convention" in a protocol's statement), the reference is left out; when in doubt it is left out.
A reference to an article the instrument's text does not have is left out too, and so, in an
objection, is a reference to the instrument's article on reservations (the one that speaks of "the
object and purpose"): an objection cites it as the rule, not as a reservation it objects to.

Stdlib only; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: The word an instrument's own text calls itself, by instrument kind.
_SELF_WORD = {"covenant": "covenant", "optional_protocol": "protocol", "protocol": "protocol", "statute": "statute"}

#: Words that may stand between "of the" and the instrument's own word ("of the present Convention").
_ADJECTIVES = ("present", "said", "above-mentioned", "abovementioned", "above mentioned", "aforementioned",
               "above stated", "above-stated", "aforesaid", "same", "above", "relevant", "international", "optional",
               "second optional", "united nations", "un", "mentioned", "above mentioned", "said international",
               "this international", "that international", "the said")

#: Words before a reference that cite the article as the authority for the statement ("in accordance
#: with article 29, paragraph 2, ... not bound by paragraph 1"): such a reference is kept only where
#: it is the only one the words name.
_AUTHORITY = re.compile(r"(?:(?:in accordance with|in conformity with) the provisions of|in accordance with|in pursuance of"
                        r"|pursuant to|in conformity with|in conformance with|by virtue of|under the terms of|as permitted by"
                        r"|permitted under)\s+(?:the\s+)?$")


@dataclass(frozen=True)
class InstrumentWords:
    """What the parser needs to know of one instrument."""

    id: str
    word: str  # 'convention', 'covenant', 'protocol', 'statute'
    title: str
    #: every provision of the text ('29', '29(1)', '2(f)'); None where the KB has no text
    provisions: frozenset[str] | None = None
    #: the articles whose text speaks of "the object and purpose" (the rule on reservations)
    reservation_rule: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def make(cls, instrument_id: str, kind: str, title: str, provisions: set[str] | None,
             rule_articles: set[str] | None = None) -> "InstrumentWords":
        return cls(instrument_id, _SELF_WORD.get(kind, "convention"), title,
                   frozenset(provisions) if provisions else None, frozenset(rule_articles or ()))


@dataclass(frozen=True)
class Found:
    provisions: tuple[str, ...]  # normalised, in the order the words name them
    words: tuple[str, ...]  # the words read, one per match
    left_out: tuple[str, ...]  # words naming an article of another text, or one the text does not have


_WS = re.compile(r"\s+")
_NUM = r"\d{1,3}(?![\d])"
_PAR = r"\(\s*(?:\d{1,2}|[a-z]{1,4})\s*\)"
_PROV = rf"{_NUM}(?:\s*{_PAR})*"
_SEP = r"\s*(?:,\s*and|,\s*or|,|and|or|&|as well as)\s*"
_RANGE = r"\s*(?:to|through|-|–)\s*"
# "paragraph(s) 1 (a), 2 and 3" / "sub-paragraph(s) (a) and (c)"
_PLIST = rf"(?:{_PROV}|(?:{_PAR})+)(?:{_SEP}(?:{_PROV}|(?:{_PAR})+))*"
_PARA_WORD = r"(?:sub-?)?para(?:graph)?s?(?:\.|\b)"
# article first: "article(s) 2 (f), 9 and 16, paragraph 1 (c)"
_ART_FIRST = re.compile(
    rf"\b(?:articles?|arts?\.)\s*(?P<list>{_PROV}(?:\s*,?\s*{_PARA_WORD}\s*{_PLIST})?"
    rf"(?:(?:{_SEP}|{_RANGE})(?:{_PROV}|(?:{_PAR})+)(?:\s*,?\s*{_PARA_WORD}\s*{_PLIST})?)*)", re.I)
# paragraph first: "paragraph(s) 1 (a) of article 2", "sub-paragraph (f) of paragraph 1 of article 16"
_PARA_FIRST = re.compile(
    rf"\b(?P<first>{_PARA_WORD})\s+(?P<plist>{_PLIST})\s*,?\s+of\s+(?:(?:the\s+)?paragraph\s+(?P<mid>{_NUM})\s+of\s+)?"
    rf"(?:the\s+)?(?:articles?|arts?\.)\s*(?P<art>{_PROV})", re.I)
# what follows a reference and names the text it belongs to
_TAIL = re.compile(r"^\s*,?\s*(?:of|from)\s+(?:the\s+|the(?=[A-Z])|this\s+|its\s+|that\s+|our\s+|their\s+)?(?P<what>.{0,160})", re.I | re.S)


def _norm(text: str) -> str:
    s = _WS.sub(" ", text.replace("\u2019", "'").replace("\u00a0", " ")).strip()
    # "Article (3), Paragraph (2)", "Article [24]": the number in brackets
    return re.sub(r"(?i)\b(articles?|paragraphs?)\s*[(\[]\s*(\d{1,3})\s*[)\]]", r"\1 \2", s)


def _levels(s: str) -> list[str]:
    return [x.strip() for x in re.findall(r"\(\s*([0-9a-zA-Z]+)\s*\)", s)]


def _words(s: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", s.casefold())


def _strip_adjective(w: str) -> str:
    for _ in range(3):  # "the said Optional Protocol"
        for adj in sorted(_ADJECTIVES, key=len, reverse=True):
            if w.startswith(adj + " "):
                w = w[len(adj) + 1:]
                break
        else:
            return w
    return w


#: Words a statement uses for the instrument itself besides its own word ("that international instrument").
_SELF_SYNONYMS = ("instrument", "treaty")


def _is_own(what: str, inst: InstrumentWords) -> bool:
    """Do the words after 'of the' name this instrument (True) or another text (False)?"""
    what = re.sub(r"^\[?(?:the\s+)?(?:\.\.\.|…)?\]?\s*", "", what.replace("[", "").replace("]", ""))
    w = what.casefold()
    if w.startswith(("thereof", "which")) or re.match(rf"{re.escape(inst.id.casefold())}\b", w):
        return True
    # the title, with or without its first words ("International", "Optional"); the depositary's
    # words vary a little ("on Involvement of Children in Armed Conflicts"): most of the title's
    # words must be there, in the stretch of words as long as the title
    rest = _strip_adjective(w)
    title = _words(_strip_adjective(_norm(inst.title).casefold()))
    seen = set(_words(rest)[:len(title) + 2])
    if _words(rest)[:1] == title[:1] and len(set(title) & seen) >= 0.8 * len(set(title)):
        return True
    for word in (inst.word,) + _SELF_SYNONYMS:
        if rest.startswith(word) and not rest[len(word):len(word) + 1].isalpha():
            # "the Convention on the Rights of the Child" names another instrument unless its title
            # reads so (above); "the Convention to enact ...", "the Covenant on the basis" do not
            after = what[len(what) - len(rest) + len(word):]
            return not re.match(r"\s*(?:on|against|for|relating to|to|concerning)\s+(?:the\s+)?[A-Z]", after)
    return False


def _expand(article_part: str) -> list[tuple[str, list[str]]]:
    """'2 (f), (g), 9 and 16, paragraph 1 (c)' -> [('2', ['f']), ('2', ['g']), ('9', []), ('16', ['1', 'c'])]."""
    out: list[tuple[str, list[str]]] = []
    pos = 0
    s = article_part
    last_art: str | None = None
    last_depth = 0
    pending_range: str | None = None
    token = re.compile(rf"(?P<para>\s*,?\s*{_PARA_WORD}\s*(?P<plist>{_PLIST}))|(?P<range>{_RANGE})|(?P<sep>{_SEP})"
                       rf"|(?P<prov>{_PROV})|(?P<par>(?:{_PAR})+)", re.I)
    while pos < len(s):
        m = token.match(s, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        if m.group("para"):
            if last_art is None:
                continue
            # the paragraphs replace the bare article just read
            if out and out[-1] == (last_art, []):
                out.pop()
            base: list[str] = []
            for it in re.finditer(rf"{_PROV}|(?:{_PAR})+", m.group("plist"), re.I):
                t = it.group(0)
                if t[0].isdigit():
                    num = re.match(r"\d+", t).group(0)
                    base = [num]
                    out.append((last_art, base + _levels(t[len(num):])))
                else:
                    out.append((last_art, base + _levels(t)))
        elif m.group("range"):
            pending_range = last_art
        elif m.group("sep"):
            continue
        elif m.group("prov"):
            t = m.group("prov")
            num = re.match(r"\d+", t).group(0)
            if pending_range is not None and out and out[-1] == (pending_range, []):
                lo, hi = int(pending_range), int(num)
                if lo < hi <= lo + 60:
                    out += [(str(n), []) for n in range(lo + 1, hi)]
            pending_range = None
            last_art = num
            lv = _levels(t[len(num):])
            last_depth = len(lv)
            out.append((num, lv))
        elif m.group("par"):
            # "(f), (g)": further items of the article just read, at the same depth
            if last_art is None or last_depth == 0:
                break
            prev = out[-1][1]
            out.append((last_art, prev[:-1] + _levels(m.group("par"))[-1:]))
    return out


def _resolve(art: str, levels: list[str], inst: InstrumentWords) -> tuple[str | None, str | None]:
    """The provision as the text has it, or the nearest existing one; (None, why) where the
    article is not in the text."""
    prov = art + "".join(f"({x})" for x in levels)
    have = inst.provisions
    if have is None:
        return prov, None
    if art not in have:
        return None, f"article {art} is not in the text of {inst.id}"
    if prov in have:
        return prov, None
    if levels:
        # "article 16 (f)": the item sits in a numbered paragraph the words skip
        tail = "".join(f"({x})" for x in levels)
        cands = [p for p in have if p.startswith(art + "(") and p.endswith(tail)
                 and re.fullmatch(rf"{re.escape(art)}\([0-9]+\){re.escape(tail)}", p)]
        if len(cands) == 1:
            return cands[0], None
        # a first level the article does not have ("article 19 (c)" of another text): not taken
        if f"{art}({levels[0]})" not in have:
            return None, f"{prov} is not in the text of {inst.id}"
        for k in range(len(levels) - 1, 0, -1):
            p = art + "".join(f"({x})" for x in levels[:k])
            if p in have:
                return p, None
    return art, None


def references_from_words(text: str | None, inst: InstrumentWords, objection: bool = False) -> Found:
    """The provisions of `inst` that the words name, each checked against the words after it."""
    if not text:
        return Found((), (), ())
    s = _norm(text)
    taken: list[tuple[int, str, str, bool, bool]] = []  # (position, provision, words, authority, explicit)
    left: list[str] = []
    doubt = False  # the words cite an article the text does not have: they cite another text without naming it
    spans: list[tuple[int, int]] = []

    def add(start: int, end: int, refs: list[tuple[str, list[str]]]) -> None:
        nonlocal doubt
        words = s[start:end]
        t = _TAIL.match(s[end:])
        if t and not _is_own(t.group("what"), inst):
            left.append(f"{words} {s[end:end + 40].strip()}…")
            return
        explicit = t is not None
        authority = bool(_AUTHORITY.search(s[max(0, start - 40):start]))
        for art, lv in refs:
            if objection and art in inst.reservation_rule:
                left.append(f"{words} (the rule on reservations)")
                continue
            prov, why = _resolve(art, lv, inst)
            if prov is None:
                left.append(f"{words} ({why})")
                doubt = doubt or why.startswith("article ")  # an article the text does not have at all
                continue
            taken.append((start + len(taken) / 10_000, prov, words, authority, explicit))

    for m in _PARA_FIRST.finditer(s):
        art_lv = _levels(m.group("art"))
        art = re.match(r"\d+", m.group("art")).group(0)
        refs: list[tuple[str, list[str]]] = []
        mid = [m.group("mid")] if m.group("mid") else []
        base: list[str] = []
        for it in re.finditer(rf"{_PROV}|(?:{_PAR})+", m.group("plist"), re.I):
            t = it.group(0)
            if t[0].isdigit():
                num = re.match(r"\d+", t).group(0)
                base = [num]
                refs.append((art, art_lv + mid + base + _levels(t[len(num):])))
            else:
                refs.append((art, art_lv + mid + base + _levels(t)))
        spans.append((m.start(), m.end()))
        add(m.start(), m.end(), refs)
    for m in _ART_FIRST.finditer(s):
        if any(a <= m.start() < b for a, b in spans):
            continue
        # "Article 2, paragraph 2 of Article 9": the paragraph belongs to the article after it
        cut = min([a for a, _b in spans if m.start() < a < m.end()], default=m.end())
        part = s[m.start("list"):cut].rstrip(" ,")
        part = re.sub(rf"(?:{_SEP}|\s*,?\s*{_PARA_WORD})\s*$", "", part, flags=re.I) if cut < m.end() else part
        end = m.start("list") + len(part)
        add(m.start(), end, _expand(part))

    if doubt:
        # the words cite articles of another text: keep only the references they tie to this instrument
        taken = [x for x in taken if x[4]]
    taken.sort()
    if any(not x[3] for x in taken):
        taken = [x for x in taken if not x[3]]
    provisions: list[str] = []
    words: list[str] = []
    for _, prov, w, _a, _e in taken:
        if prov not in provisions:
            provisions.append(prov)
        if w not in words:
            words.append(w)
    return Found(tuple(provisions), tuple(words), tuple(dict.fromkeys(left)))


# --------------------------------------------------------------------------- objections and entry into force

_EIF = r"(?:entry\s*into force|entrance into force|enter(?:s|ing)? into force|being in force|in force)"
#: "shall not preclude the entry into force", "does not constitute an obstacle to the entry into
#: force", "without precluding the entry into force", "nor does it prevent ... entering into force"
_NOT_OPPOSED = re.compile(
    rf"\b(?:not|nor|without)\s*(?:[^.;]{{0,60}}?\b)?(?:prec?lud\w*|prevent\w*|obstacle|imped\w*|bar|hinder\w*|oppos\w*|affect\w*"
    rf"|stand in the way|prejudice)\b[^.;]{{0,80}}?\b{_EIF}"
    rf"|\b(?:remains?|enters?|shall enter|will enter) (?:into )?(?:in )?force,? in its entirety,? between")
#: "opposes the entry into force", "precludes the entry into force", "does not consider the
#: Convention to be in force between"
_OPPOSED = re.compile(
    rf"\b(?:oppos\w*|preclud\w*|prevent\w*)\b[^.;]{{0,40}}?\b{_EIF}\b[^.;]{{0,60}}\bbetween"
    rf"|\bnot (?:consider|regard)\w* (?:the|this|that|said) (?:convention|covenant|protocol)\b[^.;]{{0,60}}?\b(?:to be |as being )?in force between"
    rf"|\b(?:convention|covenant|protocol) (?:shall|will) not (?:enter into|be in) force between")


def opposes_entry_into_force(text: str | None) -> bool | None:
    """Do an objection's words oppose the instrument's entry into force between the two states?
    False where they say it does not preclude it, True where they oppose it, None where they say
    neither (or say both)."""
    if not text:
        return None
    s = _norm(text).casefold()
    no = bool(_NOT_OPPOSED.search(s))
    yes = any(not re.search(r"\b(?:not|nor|without)\b[^.;]{0,40}$", s[max(0, m.start() - 60):m.start()])
              for m in _OPPOSED.finditer(s))
    if no == yes:
        return None
    return yes
