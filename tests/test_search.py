"""Search as a reader uses it, in Chromium: a question's words find it once, on its stage's
page, in its principle's section, with its number; guidance outranks the fork guide for
the guidance's own words, and the fork guide is still found for its own."""

from __future__ import annotations

import pytest

from support import project_bank, type_search

BANK = project_bank()
FORK_GUIDE = "/add-your-questions/"


def results(page, base_url: str, words: str) -> list[dict]:
    page.goto(f"{base_url}/")
    type_search(page, words)
    page.locator(".md-search-result__item").first.wait_for()
    page.wait_for_function("!document.querySelector('.md-search-result__meta').textContent.includes('Type to')")
    return page.eval_on_selector_all(
        ".md-search-result__item > a",
        """els => els.map(a => ({
            path: new URL(a.href).pathname, hash: new URL(a.href).hash, text: a.innerText.replace(/\\s+/g, ' ')
        }))""",
    )


def words_of(text: str) -> set[str]:
    return {w.strip("?,.;:'\"()").lower() for w in text.split()} - {""}


def exact_words(text: str) -> str:
    """What a reader would type to find one question: its rarest words, none from a page title
    nor a form of one ("goal" of "goals": search stems words, and titles outrank text)."""
    titles = set().union(*(words_of(e.title) for e in (*BANK.stages, *BANK.principles)))
    counts: dict[str, int] = {}
    for question in BANK.questions:
        for word in words_of(question.text.plain):
            counts[word] = counts.get(word, 0) + 1
    untitled = {w for w in words_of(text) if not any(t.startswith(w) or w.startswith(t) for t in titles)}
    candidates = sorted(untitled, key=lambda w: (counts[w], -len(w)))
    assert candidates, f"every word of {text!r} is in a page title: nothing finds it in particular"
    return " ".join(candidates[:3])


@pytest.mark.parametrize("question", BANK.questions[:: max(1, len(BANK.questions) // 6)], ids=lambda q: q.id)
def test_a_question_is_found_on_its_stage_page_with_its_number(page, base_url, question):
    found = results(page, base_url, exact_words(question.text.plain))
    stage_hits = [r for r in found if r["path"].endswith(f"/checklists/{question.stage}/")]
    assert stage_hits, found[:5]
    assert not [r for r in found if r["path"].endswith(("/checklists/", "/checklists/all/"))], found
    section = [r for r in stage_hits if r["hash"] == f"#{question.stage}--{question.principle}"]
    assert section and f"{BANK.numbers[question.id]}. " in section[0]["text"], stage_hits


@pytest.mark.parametrize("word", ["power", "partnership", "vision", "resources", "culture", "trust", "questions",
                                  "principle", "stage", "accountability"])  # fmt: skip
def test_guidance_outranks_the_fork_guide_for_guidance_words(page, base_url, word):
    found = results(page, base_url, word)
    assert found[0]["path"] != FORK_GUIDE, [r["path"] for r in found[:5]]


@pytest.mark.parametrize("word", ["bank", "hide", "fork"])
def test_the_fork_guide_is_found_for_its_own_words(page, base_url, word):
    assert results(page, base_url, word)[0]["path"] == FORK_GUIDE
