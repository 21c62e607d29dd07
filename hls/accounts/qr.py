"""A QR code as inline SVG markup (no script, no style attribute: the CSP allows it as it is)."""

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, *, label: str) -> SafeString:
    """The QR code of `data`, dark on light whatever the page's colours, named `label` for
    screen readers."""
    svg = segno.make(data, error="m").svg_inline(
        scale=5, border=3, dark="#000", light="#fff", svgclass="qr-code", lineclass=None
    )
    # segno's markup holds only numbers and the colours above; the label is escaped here.
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))  # noqa: S308
