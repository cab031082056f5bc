"""HTML to PDF with WeasyPrint, offline.

WeasyPrint is imported lazily (it loads Pango and fonts: seconds, and only the PDF
exports need it). Nothing is fetched: the url fetcher answers only ``data:`` URLs and
refuses everything else, so a stray ``<img src="https://…">`` fails loudly instead of
calling out. Fonts are the system's Liberation Serif / Sans (Vietnamese glyphs).
"""

from __future__ import annotations

from typing import Any


class FetchRefused(ValueError):
    """The document asked for an external resource."""


def refuse_external(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """A WeasyPrint url fetcher that allows only inline ``data:`` URLs."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        result: dict[str, Any] = default_url_fetcher(url)
        return result
    raise FetchRefused(f"không tải tài nguyên ngoài khi in PDF: {url[:80]}")


def html_to_pdf(html: str) -> bytes:
    """Render a complete HTML document (with its own ``<style>``) to PDF bytes."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=None, url_fetcher=refuse_external).write_pdf()
    return pdf
