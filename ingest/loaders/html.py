"""HTML pages: main text only. Scripts, styles, navigation, headers and footers are dropped,
and so is hidden text (``hidden``, ``aria-hidden``, ``display:none``, ``visibility:hidden``,
zero size or opacity): what a reader does not see is not content, and it is where planted
instructions hide."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.loaders import tables
from ingest.loaders.base import (
    LoadedDocument,
    Loader,
    SectionBuilder,
    read_text_file,
    register_loader,
    require_text,
)

_DROP_TAGS = [
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "footer",
    "header",
    "aside",
    "form",
    "iframe",
    "svg",
    "button",
    "select",
    "input",
    "menu",
    "dialog",
]
_CLUTTER = re.compile(
    r"(^|[-_ ])(nav|navbar|menu|footer|sidebar|breadcrumbs?|cookie|banner|skip|share|social)"
    r"([-_ ]|$)",
    re.IGNORECASE,
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = {"p", "li", "pre", "blockquote", "dt", "dd", "caption", "figcaption", "address"}


_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(hidden|collapse)|opacity\s*:\s*0(\.0*)?\s*(;|$)|"
    r"font-size\s*:\s*0(px|pt|em|rem|%)?\s*(;|$)|(^|;)\s*(width|height)\s*:\s*0(px)?\s*(;|$)",
    re.IGNORECASE,
)


_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR = re.compile(r"^\s*(?:[a-z0-9]+)?([.#])([\w-]+)\s*$", re.IGNORECASE)


def hidden_selectors(css: str) -> tuple[set[str], set[str]]:
    """Classes and ids that a page's own style sheet hides (simple ``.c``/``#i`` rules)."""
    classes: set[str] = set()
    ids: set[str] = set()
    for selectors, body in _RULE.findall(css):
        if _HIDDEN_STYLE.search(body) is None:
            continue
        for selector in selectors.split(","):
            m = _SIMPLE_SELECTOR.match(selector)
            if m:
                (classes if m.group(1) == "." else ids).add(m.group(2))
    return classes, ids


def is_hidden(tag, classes: set[str] = frozenset(), ids: set[str] = frozenset()) -> bool:
    """Text a browser would not show: hidden by attribute, inline style, or a class or id
    the page's style sheet hides."""
    if tag.get("aria-hidden") == "true" or tag.has_attr("hidden"):
        return True
    style = tag.get("style")
    if style and _HIDDEN_STYLE.search(style) is not None:
        return True
    if classes and classes.intersection(tag.get("class") or []):
        return True
    return bool(ids) and tag.get("id") in ids


def _is_clutter(tag) -> bool:
    if tag.get("role") in {"navigation", "banner", "contentinfo", "complementary"}:
        return True
    names = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
    return bool(names.strip()) and _CLUTTER.search(names) is not None


@register_loader
class HtmlLoader(Loader):
    extensions = (".html", ".htm", ".xhtml")
    revision = 2  # data tables as header rows

    def load(self, path: Path) -> LoadedDocument:
        return require_text(html_document(read_text_file(path), path.stem))


MAX_COLSPAN = 20


def _table_lines(table) -> list[str]:
    """A data table (its first row all ``th`` or in ``thead``) as ``Header: value`` rows;
    any other table (layout, key-value) as its rows with cells joined by " | "."""
    rows, header_row = [], False
    for n, tr in enumerate(r for r in table.find_all("tr") if r.find_parent("table") is table):
        cells = tr.find_all(["td", "th"], recursive=False)
        texts = []
        for cell in cells:
            try:
                span = max(1, min(int(cell.get("colspan", 1)), MAX_COLSPAN))
            except (TypeError, ValueError):
                span = 1
            texts.extend([cell.get_text(" ", strip=True)] * span)
        if n == 0:
            in_head = tr.find_parent("thead") is not None
            header_row = bool(cells) and (in_head or all(c.name == "th" for c in cells))
        rows.append(texts)
    if header_row:
        return tables.table_lines(rows)
    return [" | ".join(c for c in r if c) for r in rows if any(r)]


def html_document(markup: str | bytes, fallback_title: str) -> LoadedDocument:
    """The visible main text of an HTML (or XHTML) page, sections split at headings; the
    title is the page's ``<title>``, else its first ``<h1>``, else ``fallback_title``."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    classes, ids = hidden_selectors(" ".join(t.get_text() for t in soup.find_all("style")))
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(lambda t: is_hidden(t, classes, ids)):
        if tag.name not in {"html", "body"}:
            tag.decompose()
    for tag in soup.find_all(_is_clutter):
        if tag.name not in {"html", "body", "main", "article"}:
            tag.decompose()
    root = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.find("article")
    root = root or soup.body or soup

    builder = SectionBuilder()

    def walk(node) -> None:
        for child in node.children:
            name = getattr(child, "name", None)
            if name is None:
                text = " ".join(str(child).split())
                if type(child).__name__ == "NavigableString":
                    builder.line(text)
                continue
            if name in _HEADINGS:
                builder.heading(_HEADINGS[name], child.get_text(" ", strip=True))
            elif name == "table" and child.find("table") is not None:
                # a layout table holding tables: its cells are read as the page they lay out
                for cell in child.find_all(["td", "th"]):
                    if cell.find_parent("table") is child:
                        walk(cell)
            elif name == "table":
                for line in _table_lines(child):
                    builder.line(line)
            elif name == "tr":  # a row outside any table
                cells = [c.get_text(" ", strip=True) for c in child.find_all(["td", "th"])]
                if any(cells):
                    builder.line(" | ".join(cells))
            elif name in _BLOCKS:
                builder.line(child.get_text(" ", strip=True))
            elif name == "br":
                continue
            else:
                walk(child)

    walk(root)
    builder.flush()
    if not title:
        h1 = soup.find("h1")
        title = h1.get_text(" ", strip=True) if h1 else fallback_title
    return LoadedDocument(title=title, sections=builder.sections)
