"""The host denylist: which hosts short links may not point to, at creation and after.

Pure standard library and cheap to import: the redirect function re-checks every
stored link against the denylist (it can grow after a link was made), so this module
sits on its cold-start path. The URL policy (domain/url_policy.py) applies the same
test to a new target's canonical hostname.

An entry denies its host and every subdomain: ``evil.com`` denies ``evil.com`` and
``a.b.evil.com``, not ``notevil.com``. Entries are DNS names in ASCII: give an
internationalised name in punycode (``xn--bcher-kva.de``, not ``bücher.de``), because
that is the form stored URLs carry. An IPv4 address may be given in dotted decimal
(``203.0.113.7``) and denies exactly that address; IPv6 addresses cannot be listed.
Private, loopback and link-local addresses need no entry: the URL policy always
refuses them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

_MAX_NAME_LENGTH = 253
_MAX_LABEL_LENGTH = 63
_LABEL_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_HEX_DIGITS = frozenset("0123456789abcdef")


def parse_denied_hosts(setting: str) -> frozenset[str]:
    """The denylist from its setting: comma-separated hosts, blanks around them ignored.

    Entries are lower-cased and lose a trailing dot. Raises ValueError for an entry
    that is not an ASCII DNS name or a dotted-decimal IPv4 address: the setting comes
    from the deployment, so a bad entry is a deployment error, never silently ignored.
    """
    entries = (entry.strip() for entry in setting.split(","))
    return frozenset(_denylist_entry(entry) for entry in entries if entry)


def is_denied_host(hostname: str, denied: frozenset[str]) -> bool:
    """Whether `hostname` is an entry of `denied` or a subdomain of one.

    `denied` comes from `parse_denied_hosts`. `hostname` is compared case-insensitively
    and without trailing dots; it should be canonical (`TargetUrl.hostname` or
    `hostname_of`), since no other spelling is undone here.
    """
    labels = hostname.rstrip(".").lower().split(".")
    return any(".".join(labels[start:]) in denied for start in range(len(labels)))


def hostname_of(url: str) -> str:
    """The canonical hostname of a URL the shortener stored (lower-case, no trailing dot).

    Stored URLs are already WHATWG-serialised, so splitting them is enough to find the
    host again; an IPv6 address keeps its brackets, as in `TargetUrl.hostname`.
    """
    hostname = (urlsplit(url).hostname or "").rstrip(".")
    return f"[{hostname}]" if ":" in hostname else hostname


def _denylist_entry(entry: str) -> str:
    name = entry.lower().removesuffix(".")
    labels = name.split(".")
    valid = (
        name.isascii()
        and len(name) <= _MAX_NAME_LENGTH
        and all(
            0 < len(label) <= _MAX_LABEL_LENGTH and _LABEL_CHARACTERS.issuperset(label)
            for label in labels
        )
        # A name whose last label is a number is an IPv4 address to a browser (WHATWG
        # "ends in a number"), so only its canonical form could ever match a host.
        and (not _is_number(labels[-1]) or _is_dotted_decimal(labels))
    )
    if not valid:
        raise ValueError(
            f"not a host name (ASCII, punycode for IDNs) or dotted IPv4 address: {entry!r}"
        )
    return name


def _is_number(label: str) -> bool:
    if label.startswith("0x"):
        return _HEX_DIGITS.issuperset(label[2:])
    return label.isdigit()


def _is_dotted_decimal(labels: list[str]) -> bool:
    return len(labels) == 4 and all(
        label.isdigit() and str(int(label)) == label and int(label) <= 255 for label in labels
    )
