"""HTML to text for the letter parser: a letter saved as a web page (or `render_letter(d, "html")`)
reads as the printed lines the parser expects: one line per paragraph, heading, line break and table
row; table cells on a row separated by spaces; styles and scripts dropped; entities decoded.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements that start a new printed line.
_BLOCKS = frozenset(
    "address article aside blockquote br dd div dl dt footer h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre "
    "section table tbody thead tfoot tr ul".split()
)
_CELLS = frozenset({"td", "th"})
_SKIPPED = frozenset({"head", "script", "style", "template", "title"})
_LOOKS_LIKE_HTML = re.compile(r"\s*(?:<!DOCTYPE\s+html|<html[\s>]|<body[\s>])", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_LIKE_HTML.match(text[:512]))


class _Lines(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag in _CELLS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            # Source line breaks inside a paragraph are only layout of the HTML file.
            self.parts.append(data.replace("\n", " "))


def html_text(html: str) -> str:
    """The printed lines of an HTML letter."""
    parser = _Lines()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)
