"""A short link as a QR code image: presentation, so it lives with the handlers."""

from __future__ import annotations

import io

import segno

SVG_MEDIA_TYPE = "image/svg+xml"
# Level M (15% of the symbol may be damaged) is the usual choice for URLs; segno raises it
# to Q or H whenever that still fits in the same symbol version, so a short link gets
# the extra robustness for free and a long alias never gets a denser, harder code.
ERROR_CORRECTION = "m"
# 8 px per module: a whole number of pixels per module keeps the edges crisp at the
# natural size (about 330 px for a typical short URL), and the viewBox lets a page
# scale the vector image up or down.
SCALE = 8
# The four modules of light margin the QR standard requires for readers to find it.
QUIET_ZONE = 4


def qr_code_svg(short_url: str) -> str:
    """A standalone SVG of a QR code that encodes `short_url` and is titled with it.

    Always a full QR code (never a Micro QR, which phone cameras do not read), dark on
    an opaque white background so it stays readable on a page with a dark theme.
    """
    code = segno.make_qr(short_url, error=ERROR_CORRECTION, boost_error=True)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=SCALE,
        border=QUIET_ZONE,
        dark="#000",
        light="#fff",
        unit="px",  # width and height in px plus a viewBox, so it scales when styled
        title=f"QR code for {short_url}",  # segno escapes it for XML
        xmldecl=False,
        svgclass=None,
        lineclass=None,
        nl=False,
    )
    return out.getvalue().decode("utf-8")
