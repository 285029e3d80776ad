"""Lists in name order for the page's language, never in the order of the codes behind the names.

A list of states shown by name is read by name: "Albania" before "Angola", "Côte d'Ivoire" among the
C's, "Türkiye" among the T's. The key drops accents and case (Unicode decomposition), so it needs
no system locale; Korean names (Hangul syllables) sort in dictionary order by code point already.
"""

from __future__ import annotations

import unicodedata


def name_key(name: str | None, lang: str = "en") -> tuple[str, str]:
    """The sort key of a name for a page in `lang`: accents and case folded, then the name itself
    (so that names equal when folded keep one order)."""
    name = name or ""
    folded = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return (unicodedata.normalize("NFC", folded).casefold(), name)


def by_name(rows, field: str = "state_name", lang: str = "en") -> list:
    """rows (dicts) sorted by name_key of row[field]."""
    return sorted(rows, key=lambda r: name_key(r.get(field), lang))
