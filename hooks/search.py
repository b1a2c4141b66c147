"""Search in a language lunr.js has no stemmer for, such as Welsh.

Material's search runs lunr.js in the browser, with a stemmer only for the languages
lunr-languages has. For any other, an English stemmer would cut Welsh words wrongly ("tŷ",
"egwyddorion"), so such a language's pages are indexed word for word: no stemmer, no English
stop words, and words split at punctuation as well as spaces, since lunr's trimmer knows only
ASCII letters and would cut "tŷ" to "t". Material matches each word typed as a prefix, so
"partner" finds "partneriaeth" and "partneriaid".

Welsh changes the first sound of a word after certain words (initial consonant mutation):
"partneriaeth" is "bartneriaeth" after "y", "mhartneriaeth" after "fy", "phartneriaeth" after
"a". A reader searches for the word as the dictionary has it. So each section of a Welsh page is
also indexed under the radical (unmutated) forms its words could have, in a field of its own,
`forms`, which search matches but results do not show: "partneriaeth" finds "bartneriaeth".
Undoing a mutation is ambiguous ("dal" may be "tal" or "dal"), so every possible radical is
indexed: a few more results, never a missed one. A language is given rules in MUTATIONS.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

# Languages with a stemmer in lunr-languages (as Material ships them): search as usual.
STEMMED = frozenset(
    {"ar", "da", "de", "du", "el", "es", "fi", "fr", "hi", "hu", "hy", "it", "ja", "kn"}
    | {"ko", "nl", "no", "pt", "ro", "ru", "sa", "sv", "ta", "te", "th", "tr", "vi", "zh"}
)
# Split words at white space, hyphens and punctuation, straight or curly.
SEPARATOR = r"[\s\-.,;:!?()\[\]{}\"'“”‘’/«»…·]+"
FORMS = "forms"

# Welsh: how a mutated initial leads back to its radical(s), longest first.
# Soft: c>g p>b t>d g>- b>f d>dd ll>l m>f rh>r; nasal: c>ngh p>mh t>nh g>ng b>m d>n;
# aspirate: c>ch p>ph t>th; and h before a vowel.
_WELSH = (
    ("ngh", ("c",)),
    ("mh", ("p",)),
    ("nh", ("t",)),
    ("ng", ("g",)),
    ("ch", ("c",)),
    ("ph", ("p",)),
    ("th", ("t",)),
    ("dd", ("d",)),
    ("g", ("c",)),
    ("b", ("p",)),
    ("d", ("t",)),
    ("f", ("b", "m")),
    ("l", ("ll",)),
    ("r", ("rh",)),
    ("m", ("b",)),
    ("n", ("d",)),
    ("h", ("",)),
)
_VOWELS = "aeiouwyâêîôûŵŷáéíóúẃýàèìòùẁỳäëïöüẅÿ"
MUTATIONS = {"cy": _WELSH}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def search_config(language: str) -> dict | None:
    """The search plugin's settings for a language lunr.js cannot stem; None for one it can."""
    if language in STEMMED or language == "en":
        return None
    fields = {"title": {"boost": 1e3}, "text": {"boost": 1e0}, "tags": {"boost": 1e6}}
    if language in MUTATIONS:
        fields[FORMS] = {"boost": 1e0}
    return {"lang": ["en"], "pipeline": [], "separator": SEPARATOR, "fields": fields}


def radicals(word: str, language: str) -> list[str]:
    """The forms a word could have before a mutation changed its first sound (not itself), in the
    order of the rules: the same every build, so the index is too."""
    rules = MUTATIONS.get(language)
    if not rules:
        return []
    word = word.lower()
    found: dict[str, None] = {}
    for mutated, originals in rules:
        if word.startswith(mutated) and len(word) > len(mutated):
            rest = word[len(mutated) :]
            if mutated == "h" and rest[0] not in _VOWELS:
                continue  # h before a consonant is the word's own
            for original in originals:
                found.setdefault(original + rest)
    if word[0] in _VOWELS:
        found.setdefault("g" + word)  # soft mutation drops a g: "waith" < "gwaith"
    found.pop(word, None)
    return list(found)


def forms(text: str, language: str, known: dict[str, list[str]] | None = None) -> str:
    """Every radical form of the words of a text, once each, for the `forms` field. `known`
    keeps each word's radicals across texts: a site's pages repeat the same words."""
    known = {} if known is None else known
    seen: dict[str, None] = {}
    for word in _WORD.findall(text):
        found = known.get(word)
        if found is None:
            found = known[word] = radicals(word, language)
        for radical in found:
            seen.setdefault(radical)
    return " ".join(seen)


def add_forms(site_dir: Path, language: str) -> None:
    """Give each section of the search index the radical forms of its words (see above)."""
    if language not in MUTATIONS:
        return
    path = Path(site_dir) / "search" / "search_index.json"
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    known: dict[str, list[str]] = {}
    for doc in index.get("docs", ()):
        words = f"{doc.get('title', '')} {re.sub(r'<[^>]+>', ' ', doc.get('text', ''))}"
        extra = forms(words, language, known)
        if extra:
            doc[FORMS] = extra
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
