"""The host denylist: which hosts short links may not point to, at creation and after.

Pure standard library and cheap to import: the redirect function re-checks every
stored link against the denylist (it can grow after a link was made), so this module
sits on its cold-start path. The URL policy (domain/url_policy.py) applies the same
test to a new target's canonical hostname.

An entry denies its host and every subdomain: ``evil.com`` denies ``evil.com`` and
``a.b.evil.com``, not ``notevil.com``. Entries are DNS names in ASCII: give an
internationalised name in punycode (``xn--bcher-kva.de``, not ``bücher.de``), because
that is the form stored URLs carry. An IPv4 address may be given in dotted decimal
(``203.0.113.7``) and denies exactly that address, however a URL spells it: WHATWG
keeps ``http://0xcb.0.113.7../`` (two trailing dots) as a domain, but resolvers drop
the dots and connect to 203.0.113.7, so a host name that spells an address the way
WHATWG reads numbers is judged as that address. So is an IPv6 literal that carries an
IPv4 address in one of the ways that deliver packets to it: IPv4-mapped
(``[::ffff:5db8:d822]``), NAT64's well-known prefix (``[64:ff9b::5db8:d822]``, RFC
6052) and 6to4 (``[2002:5db8:d822::]``, RFC 3056) all stand for 93.184.216.34 here.
IPv6 addresses cannot be listed. Private, loopback and link-local addresses need no
entry: the URL policy always refuses them.
"""

from __future__ import annotations

from collections.abc import Collection
from ipaddress import IPv4Address, IPv6Address, IPv6Network
from urllib.parse import urlsplit

_MAX_NAME_LENGTH = 253
_MAX_LABEL_LENGTH = 63
_LABEL_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_HEX_DIGITS = frozenset("0123456789abcdef")
# ASCII only: int() would also take other scripts' digits, "_" and blanks.
_DIGITS_IN_RADIX = {8: frozenset("01234567"), 10: frozenset("0123456789"), 16: _HEX_DIGITS}

# RFC 6052's well-known NAT64 prefix: a NAT64 gateway sends packets for these addresses
# to the IPv4 address in their last 32 bits. The standard library has no name for it.
_NAT64_WELL_KNOWN = IPv6Network("64:ff9b::/96")


def parse_denied_hosts(setting: str) -> frozenset[str]:
    """The denylist from its setting: comma-separated hosts, blanks around them ignored.

    Entries are lower-cased and lose a trailing dot. Raises ValueError for an entry
    that is not an ASCII DNS name or a dotted-decimal IPv4 address: the setting comes
    from the deployment, so a bad entry is a deployment error, never silently ignored.
    """
    entries = (entry.strip() for entry in setting.split(","))
    return frozenset(_denylist_entry(entry) for entry in entries if entry)


def is_denied_host(hostname: str, denied: Collection[str]) -> bool:
    """Whether `hostname` is an entry of `denied` or a subdomain of one.

    `denied` comes from `parse_denied_hosts`. `hostname` is compared case-insensitively
    and without trailing dots, a name that spells an IPv4 address (`0x5d.0xb8d822`,
    `1572395042`) as the address, and an IPv6 literal in brackets that carries one
    (`[::ffff:5db8:d822]`, `[64:ff9b::5db8:d822]`, `[2002:5db8:d822::]`) as the address
    it carries; it should be canonical (`TargetUrl.hostname` or `hostname_of`), since no
    other spelling is undone here.
    """
    name = hostname.rstrip(".").lower()
    # The redirect re-checks a stored URL's hostname, which may be such a name (WHATWG
    # kept it as a domain), while the URL policy judged it as the address at creation:
    # both must see the address, or denying it later would not stop the link.
    labels = (_ipv4_named_by(name) or name).split(".")
    return any(".".join(labels[start:]) in denied for start in range(len(labels)))


def translated_ipv4(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address `ip` is only another name for, or None.

    An IPv4-mapped address (`::ffff:0:0/96`) is the IPv4 address to a dual-stack
    socket, and one in NAT64's well-known prefix (`64:ff9b::/96`) is translated to it by
    the gateway: either way the packets reach the address in the last 32 bits.
    """
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64_WELL_KNOWN:
        return IPv4Address(int(ip) & 0xFFFF_FFFF)
    return None


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


def _ipv4_named_by(name: str) -> str | None:
    """The IPv4 address, in dotted decimal, that the lower-case host `name` stands for:
    the one it spells, or the one an IPv6 literal (`[...]`) is translated to or, for
    6to4, tunnelled to (the IPv4 address in bits 16 to 48); or None."""
    if not name.startswith("["):
        return _dotted_ipv4(name)
    try:
        ip = IPv6Address(name.removeprefix("[").removesuffix("]"))
    except ValueError:
        return None
    ipv4 = translated_ipv4(ip)
    if ipv4 is None:
        ipv4 = ip.sixtofour
    return None if ipv4 is None else str(ipv4)


def _dotted_ipv4(name: str) -> str | None:
    """The IPv4 address `name` spells, in dotted decimal, read the way the WHATWG host
    parser reads one (1 to 4 numbers, each decimal, octal with a leading 0 or hex with
    0x, the last filling the remaining bytes); None if it spells none."""
    parts = name.split(".")
    if len(parts) > 4:
        return None
    numbers = []
    for part in parts:
        if (number := _ipv4_number(part)) is None:
            return None
        numbers.append(number)
    *leading, last = numbers
    if any(number > 255 for number in leading) or last >= 256 ** (4 - len(leading)):
        return None
    address = sum(number << 8 * (3 - i) for i, number in enumerate(leading)) + last
    return ".".join(str(address >> shift & 0xFF) for shift in (24, 16, 8, 0))


def _ipv4_number(part: str) -> int | None:
    if part.startswith("0x"):
        digits, radix = part[2:], 16
        if not digits:  # WHATWG reads a bare "0x" as zero
            return 0
    elif len(part) > 1 and part.startswith("0"):
        digits, radix = part[1:], 8
    else:
        digits, radix = part, 10
    valid = _DIGITS_IN_RADIX[radix]
    return int(digits, radix) if digits and valid.issuperset(digits) else None


def _is_number(label: str) -> bool:
    if label.startswith("0x"):
        return _HEX_DIGITS.issuperset(label[2:])
    return label.isdigit()


def _is_dotted_decimal(labels: list[str]) -> bool:
    return len(labels) == 4 and all(
        label.isdigit() and str(int(label)) == label and int(label) <= 255 for label in labels
    )
