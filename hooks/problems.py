"""What the handbook says when something it reads is wrong: one `Problem` type, one form.

Every mistake in a bank file, a translation, a strings table, a page or mkdocs.yml is a
`Problem`: where it is (`Origin`: the file, and the line when there is one), what is wrong,
and how to fix it. It always reads `file:line: what is wrong; how to fix it`, so an editor
can jump to it and a reader knows what to do. `HandbookError` carries one or more of them
out of the build, where the hooks turn it into MkDocs' own error, without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn


@dataclass(frozen=True)
class Origin:
    """Where something was written: a file, as messages show it, and a line in it (from 1)."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def at(self, line: int | None) -> Origin:
        return Origin(self.path, line)


@dataclass(frozen=True)
class Problem:
    origin: Origin
    what: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.origin}: {self.what}" + (f"; {self.fix}" if self.fix else "")


class HandbookError(Exception):
    """One or more problems that stop the build; its message lists them, one a line."""

    def __init__(self, problems: Problem | Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = (problems,) if isinstance(problems, Problem) else tuple(problems)
        super().__init__("\n".join(map(str, self.problems)))


class BankError(HandbookError):
    """A mistake in a bank file, a translation of one, or in how mkdocs.yml lists them."""


class SchemaError(HandbookError):
    """A schema the build reads (schema/) that it cannot read."""


class StringsError(HandbookError):
    """A mistake in a strings table (theme_overrides/locales/) or in the languages mkdocs.yml lists."""


class PageError(HandbookError):
    """A mistake in a guidance page: a shortcode, a link, a missing translation of the page."""


def fail(origin: Origin, what: str, fix: str = "", error: type[HandbookError] = BankError) -> NoReturn:
    raise error(Problem(origin, what, fix))
