"""Which target URLs the shortener stores, and in what form.

A target is parsed exactly as browsers parse it (ada, the WHATWG URL Standard's parser)
and stored in its canonical ASCII serialisation; a URL that is not absolute http(s), too
long once encoded, carries credentials, control or invisible characters or whitespace
where none belongs, loops back to the shortener, names a non-public host or a denied one
is refused with the rule it breaks. Pasted text is read as an address bar reads it:
whitespace at the ends is trimmed, line breaks (with the indentation of a wrapped e-mail
line) and tabs are dropped, and a space in the path, query or fragment is percent-encoded.
The rules and the reasons for each: docs/api.md, "Which target URLs are accepted".
"""

import ipaddress
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum
from typing import Literal

import ada_url

from domain.errors import InvalidUrl
from domain.host_rules import is_denied_host, translated_ipv4

MAX_TARGET_URL_LENGTH = 2048
"""The longest target URL stored, in characters of its canonical (ASCII) form."""

# Raw input longer than this is refused before any work. Generous, because trimming
# and dot segments ("/a/../") can shorten a URL; the real limit applies to the result.
_MAX_RAW_LENGTH = 4 * MAX_TARGET_URL_LENGTH

# WHATWG's "ASCII whitespace": what is trimmed from both ends of a configured host.
_ASCII_WHITESPACE = "\t\n\f\r "

# What is trimmed from both ends of a target: Unicode's White_Space characters (ASCII
# ones, NEL, no-break spaces, the U+2000 spaces, line and paragraph separators,
# ideographic space) and the zero-width ones that chat apps and editors put around a
# link (zero-width space, word joiner, BOM). str.isspace() would also take the C0
# separators U+001C-U+001F, which are controls, not whitespace: they are refused.
_TRIMMED = (
    "\t\n\x0b\x0c\r \x85\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u2060\ufeff"
)

# A line break with the spaces and tabs around it: an e-mail client wraps a long link
# where it likes and often indents the continuation line, so all of it goes. (WHATWG
# drops the tab, CR and LF but would keep, and encode, the spaces.)
_LINE_BREAK = re.compile(r"[\t ]*[\r\n][\t\n\r ]*")

# Inside a target (once trimmed), refused: the C0 controls but tab, LF and CR (dropped,
# as WHATWG does), and DEL. Beyond ASCII, `_INVISIBLE_CATEGORIES` are refused: C1
# controls (Cc), format characters (Cf: zero-width space, soft hyphen, word joiner, BOM,
# bidi embeddings, overrides and isolates, tag characters) and every space and separator
# (Zs, Zl, Zp: no-break spaces, U+2028, ideographic space). They cannot be seen, or not
# told from a space, so inside a URL they are a paste accident or an attempt to make a
# link look like another or slip past a filter. The two joiners are the exception: ZWNJ
# and ZWJ belong to the spelling of words in several scripts and of emoji, and IDNA's
# CONTEXTJ rule (which WHATWG applies) already limits them in a host.
_ASCII_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_JOINERS = frozenset({"\u200c", "\u200d"})

_REASON_NOT_HTTP = "must be an absolute http or https URL"
_REASON_NO_HOST = "must include a host name"
_REASON_CREDENTIALS = "must not contain a user name or password"
_REASON_WHITESPACE = "must not contain whitespace or control characters"
# Counted as stored, which percent-encoding and punycode make longer than typed.
_REASON_TOO_LONG = (
    f"must be at most {MAX_TARGET_URL_LENGTH} characters once encoded"
    " (percent-encoded characters and punycode count in full)"
)
_REASON_LOOP = "must not point back at this shortener"
_REASON_INVALID = "is not a valid URL"
_REASON_NOT_PUBLIC = "must not point to a private, loopback or link-local address"
_REASON_DENIED = "points to a host that is not allowed"

# IDNA's ASCII-compatible encoding: a label with this prefix is punycode (RFC 3492).
_ACE_PREFIX = "xn--"


class HostKind(Enum):
    """What a URL's host is, as the WHATWG host parser decided."""

    DOMAIN = "domain"
    IPV4 = "ipv4"
    IPV6 = "ipv6"


_HOST_KINDS = {
    ada_url.HostType.DEFAULT: HostKind.DOMAIN,
    ada_url.HostType.IPV4: HostKind.IPV4,
    ada_url.HostType.IPV6: HostKind.IPV6,
}


@dataclass(frozen=True, slots=True)
class TargetUrl:
    """A target URL that passed the syntax rules, in the form the shortener stores.

    `hostname` is the canonical hostname every host rule must use: ASCII (punycode),
    lower-case, without a trailing dot. An IPv4 literal is in dotted-decimal form
    (`http://0x7f.1/` has hostname `127.0.0.1`); an IPv6 literal keeps its brackets
    (`[::1]`), as WHATWG serialises it: tell them apart with `host_kind`.
    """

    href: str
    scheme: Literal["http", "https"]
    hostname: str
    host_kind: HostKind


@dataclass(frozen=True, slots=True)
class _Parsed:
    """The parts of a WHATWG parse that the policy reads (ada's result, typed)."""

    href: str
    scheme: Literal["http", "https"] | None  # None: any other scheme
    hostname: str  # WHATWG's, not yet canonical
    host_kind: HostKind
    has_credentials: bool
    # Everything before the path: scheme, user name, password, host and port.
    authority: tuple[str, str, str, str]


_ADA_ATTRIBUTES = (
    *("href", "protocol", "username", "password", "host", "hostname", "host_type"),
    "scheme_type",
)


def _parse_whatwg(text: str) -> _Parsed | None:
    """Parse `text` as an absolute URL the way browsers do; None where WHATWG fails (as
    the WHATWG URL test data has it: see the module docstring on xn-- labels)."""
    if not text.isascii():
        # A browser's `new URL(s)` first turns lone surrogates into U+FFFD (WebIDL
        # USVString); ada's binding would refuse to encode them instead.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    try:
        parts = ada_url.parse_url(text, attributes=_ADA_ATTRIBUTES)
    except ValueError:
        return None
    scheme_type = parts["scheme_type"]
    scheme: Literal["http", "https"] | None = (
        "http"
        if scheme_type == ada_url.SchemeType.HTTP
        else "https"
        if scheme_type == ada_url.SchemeType.HTTPS
        else None
    )
    host_kind = _HOST_KINDS[parts["host_type"]]
    if (
        scheme is not None
        and host_kind is HostKind.DOMAIN
        and not _ace_labels_are_valid(parts["hostname"])
    ):
        return None
    return _Parsed(
        href=parts["href"],
        scheme=scheme,
        hostname=parts["hostname"],
        host_kind=host_kind,
        has_credentials=bool(parts["username"] or parts["password"]),
        authority=(parts["protocol"], parts["username"], parts["password"], parts["host"]),
    )


def _ace_labels_are_valid(hostname: str) -> bool:
    """Whether each `xn--` label of a WHATWG-parsed (ASCII, lower-case) domain is valid.

    ada's ToUnicode keeps a label it cannot decode, or whose decoding UTS #46 would not
    accept (not a valid label, not stable under mapping and NFC, or plain ASCII), as it
    is; ToASCII must then give the label back unchanged, so a second punycode spelling
    of the same name (`xn---4ca` for `xn--4ca`) is refused too.
    """
    for label in hostname.split("."):
        if label.startswith(_ACE_PREFIX):
            decoded = ada_url.idna_to_unicode(label)
            if decoded == label or ada_url.idna_to_ascii(decoded) != label.encode("ascii"):
                return False
    return True


def _has_http_scheme(text: str) -> bool:
    scheme, colon, _ = text.partition(":")
    return bool(colon) and scheme.lower() in ("http", "https")


def _has_invisible_character(text: str) -> bool:
    """Whether `text` holds a character refused inside a target (see _ASCII_CONTROLS)."""
    if _ASCII_CONTROLS.search(text):
        return True
    return not text.isascii() and any(
        not char.isascii()
        and unicodedata.category(char) in _INVISIBLE_CATEGORIES
        and char not in _JOINERS
        for char in text
    )


def _a_space_is_before_the_path(text: str, parsed: _Parsed | None) -> bool:
    """Whether a space in `text` sits in its scheme, user info, host or port.

    Where a space sits is the parser's to say, not a guess from the text: WHATWG
    percent-encodes one in the path, query, fragment and user info, and fails on one in
    the scheme, host or port. So the spaces all sit after the host exactly when `text`
    parses with the same scheme, user info, host and port as `text` without its spaces;
    when only the text without them parses, a space broke it.
    """
    if " " not in text:
        return False
    unspaced = _parse_whatwg(text.replace(" ", ""))
    if parsed is None:
        return unspaced is not None
    return unspaced is None or unspaced.authority != parsed.authority


def parse_target_url(raw: str) -> TargetUrl:
    """Parse `raw` as a target URL and apply the syntax rules (all but the host rules).

    Raises InvalidUrl, with a reason a client can act on, for anything the rules refuse.
    """
    if len(raw) > _MAX_RAW_LENGTH:
        raise InvalidUrl(_REASON_TOO_LONG)
    # Tabs go too, as WHATWG's first step drops them (ada would): the checks below then
    # read the text the parser reads.
    text = _LINE_BREAK.sub("", raw.strip(_TRIMMED)).replace("\t", "")
    if not text:
        raise InvalidUrl(_REASON_NOT_HTTP)
    if _has_invisible_character(text):
        raise InvalidUrl(_REASON_WHITESPACE)
    parsed = _parse_whatwg(text)
    if _a_space_is_before_the_path(text, parsed):
        raise InvalidUrl(_REASON_WHITESPACE)
    if parsed is None:
        raise InvalidUrl(_REASON_INVALID if _has_http_scheme(text) else _REASON_NOT_HTTP)
    if parsed.scheme is None:
        raise InvalidUrl(_REASON_NOT_HTTP)
    hostname = parsed.hostname.rstrip(".")
    if not hostname:  # WHATWG accepts "http://./"
        raise InvalidUrl(_REASON_NO_HOST)
    if parsed.has_credentials:
        raise InvalidUrl(_REASON_CREDENTIALS)
    if len(parsed.href) > MAX_TARGET_URL_LENGTH:
        raise InvalidUrl(_REASON_TOO_LONG)
    if not parsed.href.isascii():
        # WHATWG percent-encodes every non-ASCII path, query and fragment character and
        # punycodes the host; a non-ASCII result would be a parser bug, never a client's.
        raise AssertionError(f"WHATWG serialisation is not ASCII: {parsed.href!r}")
    return TargetUrl(
        href=parsed.href, scheme=parsed.scheme, hostname=hostname, host_kind=parsed.host_kind
    )


def canonical_hostname(host: str) -> str:
    """The canonical form of a configured host, to compare with `TargetUrl.hostname`.

    Accepts a host (`Sho.RT`, `bücher.de`, `sho.rt.`, `[::1]`), a host and port
    (`sho.rt:8443`) or an http(s) base URL (`https://sho.rt/`). Returns it as WHATWG
    parses it (IDNA to punycode, lower-case, percent-decoded, IPv4 in dotted decimal)
    without a trailing dot. Raises ValueError for anything else: hosts come from
    configuration, so a bad one is a deployment error, not a client's.
    """
    text = host.strip(_ASCII_WHITESPACE)
    parsed = _parse_whatwg(text if "://" in text else f"http://{text}")
    hostname = "" if parsed is None or parsed.scheme is None else parsed.hostname.rstrip(".")
    if not hostname:
        raise ValueError(f"not a host, host:port or http(s) base URL: {host!r}")
    return hostname


def canonical_target_url(
    raw: str, *, own_hosts: Collection[str] = (), denied_hosts: Collection[str] = frozenset()
) -> str:
    """The canonical form of `raw` to store as a short link's target.

    `own_hosts` are the shortener's own hosts (any form `canonical_hostname` accepts);
    a target on one of them, on any port, would be a redirect loop and is refused.
    `denied_hosts` is the host denylist (see `host_rules.parse_denied_hosts`).
    Raises InvalidUrl for anything the policy refuses.
    """
    target = parse_target_url(raw)
    if target.hostname in _own_hostnames(own_hosts):
        raise InvalidUrl(_REASON_LOOP)
    hostname, host_kind = _host_as_resolved(target)
    if not _is_public_host(hostname, host_kind):
        raise InvalidUrl(_REASON_NOT_PUBLIC)
    if is_denied_host(hostname, denied_hosts):
        raise InvalidUrl(_REASON_DENIED)
    return target.href


def _own_hostnames(own_hosts: Collection[str]) -> set[str]:
    # Own hosts include the request's Host header, which a client controls. One that
    # does not parse cannot equal a valid target's hostname, so it is skipped rather
    # than turned into a server error.
    hostnames = set()
    for host in own_hosts:
        try:
            hostnames.add(canonical_hostname(host))
        except ValueError:
            continue
    return hostnames


def _host_as_resolved(target: TargetUrl) -> tuple[str, HostKind]:
    """The host the host rules judge: the canonical one, read as an address if it is one.

    WHATWG drops one trailing dot before deciding whether a host is an IPv4 address, so
    `127.0.0.1..` stays a domain whose canonical hostname (trailing dots stripped) is
    `127.0.0.1`. A resolver that ignores trailing dots would see that address.
    """
    if target.host_kind is HostKind.DOMAIN:
        reparsed = _parse_whatwg(f"http://{target.hostname}/")
        if reparsed is not None and reparsed.host_kind is not HostKind.DOMAIN:
            return reparsed.hostname, reparsed.host_kind
    return target.hostname, target.host_kind


def _is_public_host(hostname: str, host_kind: HostKind) -> bool:
    if host_kind is HostKind.DOMAIN:
        return not (hostname == "localhost" or hostname.endswith(".localhost"))
    return _is_public_ip(ipaddress.ip_address(hostname.strip("[]")))


def _is_public_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether `ip` is a globally routable unicast address, and so is all it carries."""
    if isinstance(ip, ipaddress.IPv4Address):
        return ip.is_global and not ip.is_multicast
    # Decided by the IPv4 address alone, whatever the Python version thinks of the
    # IPv6 prefix (recent releases judge mapped ones by their IPv4 part, older ones not).
    translated = translated_ipv4(ip)
    if translated is not None:
        return _is_public_ip(translated)
    embedded = [ip.sixtofour, *(ip.teredo or ())]
    return (
        ip.is_global
        and not (ip.is_multicast or ip.is_reserved or ip.is_site_local)
        and all(_is_public_ip(ipv4) for ipv4 in embedded if ipv4 is not None)
    )
