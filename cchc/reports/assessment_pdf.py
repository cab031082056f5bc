"""HTML to PDF with WeasyPrint, offline.

WeasyPrint is imported lazily (it loads Pango and fonts: seconds, and only the PDF
exports need it). Nothing is fetched: the URL fetcher allows only inline ``data:`` URLs
and refuses everything else (http, https, ftp, file), so a stray ``<img src="https://…">``
is skipped with a warning instead of calling out. Fonts are the system's Liberation
Serif / Sans (Vietnamese glyphs; Debian's fonts-liberation2).
"""

from __future__ import annotations

from typing import Any

ALLOWED_SCHEMES = ("data:",)


class FetchRefused(ValueError):
    """The document asked for an external resource."""


def check_url(url: str) -> None:
    """Refuse every URL but inline data."""
    if not url.lower().startswith(ALLOWED_SCHEMES):
        raise FetchRefused(f"không tải tài nguyên ngoài khi in PDF: {url[:80]}")


def offline_fetcher() -> Any:
    """A WeasyPrint ``URLFetcher`` that refuses everything :func:`check_url` refuses."""
    from weasyprint.urls import URLFetcher

    class OfflineFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            check_url(url)
            return super().fetch(url, headers)

    return OfflineFetcher(allowed_protocols=("data",), allow_redirects=False)


def html_to_pdf(html: str) -> bytes:
    """Render a complete HTML document (with its own ``<style>``) to PDF bytes."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=None, url_fetcher=offline_fetcher()).write_pdf()
    return pdf
