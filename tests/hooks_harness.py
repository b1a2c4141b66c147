"""The handbook's hooks run in-process, as MkDocs runs them, on pages a test writes.

For tests of one part (a shortcode, a page's HTML) without a whole build: the config,
bank, generated pages and downloads are the real ones.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import load_config
from mkdocs.structure.files import File, Files, get_files
from mkdocs.structure.pages import Page


class Hooks:
    def __init__(self, config_file: Path) -> None:
        config = load_config(str(config_file))
        self.config = config.plugins.on_config(config)
        self.files: Files = self.config.plugins.on_files(get_files(self.config), config=self.config)

    def page_markdown(self, src_uri: str, markdown: str) -> str:
        """A guidance page's Markdown after the hooks: shortcodes expanded."""
        return self.config.plugins.on_page_markdown(markdown, page=self._page(src_uri, markdown), config=self.config,
                                                    files=self.files)  # fmt: skip

    def page_html(self, src_uri: str, markdown: str) -> str:
        """A guidance page's HTML after the hooks: Markdown converted, every part filled in
        (those search reads after Markdown, the others after the page is rendered)."""
        page = self._page(src_uri, markdown)
        page.markdown = self.config.plugins.on_page_markdown(markdown, page=page, config=self.config, files=self.files)
        page.render(self.config, self.files)
        content = self.config.plugins.on_page_content(page.content, page=page, config=self.config, files=self.files)
        return self.config.plugins.on_post_page(content, page=page, config=self.config)

    def generated(self, src_uri: str) -> str:
        """A generated page's Markdown, as the hooks made it."""
        return self.files.get_file_from_path(src_uri).content_string

    def _page(self, src_uri: str, markdown: str) -> Page:
        file = self.files.get_file_from_path(src_uri)
        if file is None:
            # A page of the test's own, made as MkDocs makes a generated one (File.generated
            # does this too, but outside an event it cannot say which plugin made it).
            file = File(src_uri, None, self.config.site_dir, self.config.use_directory_urls)
            self.files.append(file)
        file.content_string = markdown
        return Page(None, file, self.config)
