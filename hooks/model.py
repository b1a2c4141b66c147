"""The handbook's data model: what a merged question bank holds.

Every other module reads these types. `KINDS` is the one table of entry kinds: the
sections of a bank file, in file order, with the fields that name other entries, the
fields that may hold inline Markdown and the fields a translation gives in another
language. Loading, merging, hiding, translating, shortcodes, exports and the tests all
walk this table instead of listing the kinds again.

A `Bank` is in one language. The bank files give it in the handbook's first language;
`translations.py` makes the same bank in each other language, entry for entry.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from problems import BankError, Origin
from text import Markdown

__all__ = ["KIND", "KINDS", "Bank", "BankError", "Origin"]

# -----------------------------------------------------------------------------
# Entries
# -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Organisation:
    """Who added an organisation bank: named on the badges of its questions."""

    name: str
    url: str | None = None


@dataclass(frozen=True, kw_only=True)
class Entry:
    id: str
    origin: Origin
    # The organisation bank that added the entry; None for the first bank's.
    organisation: Organisation | None = None


@dataclass(frozen=True, kw_only=True)
class Titled(Entry):
    title: str
    summary: str


@dataclass(frozen=True, kw_only=True)
class Stage(Titled):
    """A stage of a partnership: one checklist page."""


@dataclass(frozen=True, kw_only=True)
class Principle(Titled):
    """A principle: a heading on every checklist, a row of the overview grid."""


@dataclass(frozen=True, kw_only=True)
class Question(Entry):
    stage: str
    principle: str
    text: Markdown
    hint: Markdown | None = None
    # Set when an organisation bank rewords an upstream question: who, where, and the text before.
    adapted_by: Organisation | None = None
    reworded_at: Origin | None = None
    original_text: Markdown | None = None


@dataclass(frozen=True, kw_only=True)
class Person(Entry):
    name: str
    role: str
    bio: Markdown | None = None


@dataclass(frozen=True, kw_only=True)
class Quote(Entry):
    """A verbatim quotation: plain text, exactly as spoken, in the language it was spoken in
    (the bank's, unless `language` says otherwise). On a page in another language it is shown
    as it was said, with the translation beside it."""

    person: str
    text: str
    principles: tuple[str, ...]
    stages: tuple[str, ...]
    language: str | None = None
    translation: str | None = None


@dataclass(frozen=True, kw_only=True)
class Reference(Entry):
    """A citation, as published, in the language it was published in."""

    text: Markdown
    url: str | None = None
    language: str | None = None


# -----------------------------------------------------------------------------
# The table of kinds
# -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """A field that names entries of another kind, e.g. a question's `stage`."""

    field: str
    kind: str
    # A list of names (a quote's tags): hiding one named entry drops it from the list.
    # A single name (a question's stage): hiding the named entry hides this one too.
    many: bool = False


@dataclass(frozen=True)
class Kind:
    section: str  # the bank file's key and the Bank attribute, e.g. "questions"
    noun: str  # "question"
    type: type[Entry]
    refs: tuple[Ref, ...] = ()
    # Fields that hold inline Markdown (the safe subset in text.py); other text is plain.
    markdown: frozenset[str] = frozenset()
    # Fields a translation file gives in another language, in the order it lists them. A
    # quote's text is never replaced: its translation is shown beside it.
    translated: tuple[str, ...] = ()


KINDS: tuple[Kind, ...] = (
    Kind("stages", "stage", Stage, translated=("title", "summary")),
    Kind("principles", "principle", Principle, translated=("title", "summary")),
    Kind(
        "questions",
        "question",
        Question,
        refs=(Ref("stage", "stages"), Ref("principle", "principles")),
        markdown=frozenset({"text", "hint"}),
        translated=("text", "hint"),
    ),
    Kind("people", "person", Person, markdown=frozenset({"bio"}), translated=("role", "bio")),
    Kind(
        "quotes",
        "quote",
        Quote,
        refs=(Ref("person", "people"), Ref("principles", "principles", many=True), Ref("stages", "stages", many=True)),
        translated=("text",),
    ),
    Kind("references", "reference", Reference, markdown=frozenset({"text"})),
)
KIND: dict[str, Kind] = {kind.section: kind for kind in KINDS}
KIND_OF: dict[type[Entry], Kind] = {kind.type: kind for kind in KINDS}


# -----------------------------------------------------------------------------
# The bank
# -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bank:
    """The merged, validated bank. Tuples keep file order, which is page order."""

    stages: tuple[Stage, ...]
    principles: tuple[Principle, ...]
    questions: tuple[Question, ...]
    people: tuple[Person, ...]
    quotes: tuple[Quote, ...]
    references: tuple[Reference, ...]
    files: tuple[str, ...] = ()
    # Upstream entries an organisation bank left out with `hide:`, by (section, id). Kept
    # so that what our pages say about them can render as plain text, not a broken link.
    hidden: Mapping[tuple[str, str], Entry] = field(default_factory=dict)
    # The language of this bank's text, and the bank in the language the bank files are
    # written in (None when that is this one): answers record questions in that language.
    language: str = "en"
    source: Bank | None = None

    @property
    def original(self) -> Bank:
        """The bank as its files give it, in the handbook's first language."""
        return self.source or self

    def entries(self, section: str) -> tuple[Entry, ...]:
        return getattr(self, section)

    def get(self, section: str, entry_id: str) -> Entry | None:
        """The entry of a kind ('stages', 'quotes', ...) with this id, or None."""
        return self._index.get((section, entry_id))

    def is_hidden(self, section: str, entry_id: str) -> bool:
        return (section, entry_id) in self.hidden

    def questions_for(self, stage: str | None = None, principle: str | None = None) -> tuple[Question, ...]:
        if stage is not None and principle is not None:
            return self._cells.get((stage, principle), ())
        return tuple(
            q
            for q in self.questions
            if (stage is None or q.stage == stage) and (principle is None or q.principle == principle)
        )

    def ordered_questions(self, stage: str) -> list[Question]:
        """A stage's questions as its page lists them: by principle, then in bank order."""
        return [q for p in self.principles for q in self.questions_for(stage, p.id)]

    def quotes_for(
        self, stage: str | None = None, principle: str | None = None, person: str | None = None
    ) -> list[Quote]:
        return [
            q
            for q in self.quotes
            if (stage is None or stage in q.stages)
            and (principle is None or principle in q.principles)
            and (person is None or q.person == person)
        ]

    def grid(self) -> list[tuple[Principle, list[tuple[Stage, tuple[Question, ...]]]]]:
        """Principle rows by stage columns, each cell its questions in bank order."""
        return [(p, [(s, self.questions_for(s.id, p.id)) for s in self.stages]) for p in self.principles]

    def widest_principle_word(self, heading: str = "") -> int:
        """The letters in the longest word of any principle's name or of their column's heading,
        at most 24: the overview grid's principle column is that wide, so no word of them breaks."""
        words = [word for text in (heading, *(p.title for p in self.principles)) for word in text.split()]
        return min(24, max(map(len, words), default=0))

    @functools.cached_property
    def numbers(self) -> dict[str, int]:
        """Each question's number within its stage, as printed: 1, 2, 3 ... in page order."""
        return {q.id: n for s in self.stages for n, q in enumerate(self.ordered_questions(s.id), 1)}

    def __iter__(self) -> Iterator[tuple[Kind, Entry]]:
        for kind in KINDS:
            for entry in self.entries(kind.section):
                yield kind, entry

    @functools.cached_property
    def _index(self) -> dict[tuple[str, str], Entry]:
        return {(kind.section, entry.id): entry for kind, entry in self}

    @functools.cached_property
    def _cells(self) -> dict[tuple[str, str], tuple[Question, ...]]:
        cells: dict[tuple[str, str], list[Question]] = {}
        for q in self.questions:
            cells.setdefault((q.stage, q.principle), []).append(q)
        return {key: tuple(qs) for key, qs in cells.items()}
