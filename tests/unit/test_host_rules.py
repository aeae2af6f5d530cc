"""The host denylist: its setting, its matching, and stored URLs' hosts (domain/host_rules.py)."""

from ipaddress import IPv4Address, IPv6Address

import pytest

from domain.host_rules import hostname_of, is_denied_host, parse_denied_hosts, translated_ipv4

# --- the setting -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "denied"),
    [
        pytest.param("", set(), id="empty"),
        pytest.param("  ", set(), id="blank"),
        pytest.param(" , ,", set(), id="only separators"),
        pytest.param("evil.com", {"evil.com"}, id="one host"),
        pytest.param("evil.com,bad.example", {"evil.com", "bad.example"}, id="two hosts"),
        pytest.param(" evil.com ,\tbad.example\n", {"evil.com", "bad.example"}, id="blanks"),
        pytest.param("evil.com,,bad.example,", {"evil.com", "bad.example"}, id="empty entries"),
        pytest.param("EVIL.Com", {"evil.com"}, id="upper-case"),
        pytest.param("evil.com.", {"evil.com"}, id="trailing dot"),
        pytest.param("evil.com,EVIL.COM.", {"evil.com"}, id="duplicates"),
        pytest.param("localhost", {"localhost"}, id="single label"),
        pytest.param("xn--bcher-kva.de", {"xn--bcher-kva.de"}, id="punycode"),
        pytest.param("a-b.c-d.example", {"a-b.c-d.example"}, id="hyphens"),
        pytest.param("3com.com", {"3com.com"}, id="digits inside"),
        pytest.param("93.184.216.34", {"93.184.216.34"}, id="dotted IPv4"),
        pytest.param("a" * 63 + ".com", {"a" * 63 + ".com"}, id="longest label"),
        pytest.param(("a" * 63 + ".") * 3 + "a" * 61, {("a" * 63 + ".") * 3 + "a" * 61}, id="253"),
    ],
)
def test_parse_denied_hosts(setting: str, denied: set[str]) -> None:
    assert parse_denied_hosts(setting) == frozenset(denied)


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param("bücher.de", id="IDN not in punycode"),
        pytest.param("\uff45vil.com", id="fullwidth letter"),
        pytest.param("evil..com", id="empty label"),
        pytest.param(".evil.com", id="leading dot"),
        pytest.param("evil.com..", id="two trailing dots"),
        pytest.param(".", id="just a dot"),
        pytest.param("evil com", id="inner space"),
        pytest.param("evil_site.com", id="underscore"),
        pytest.param("*.evil.com", id="wildcard"),
        pytest.param("https://evil.com", id="URL"),
        pytest.param("evil.com/path", id="path"),
        pytest.param("evil.com:443", id="port"),
        pytest.param("[::1]", id="IPv6"),
        pytest.param("%65vil.com", id="percent-encoded"),
        pytest.param("a" * 64 + ".com", id="label too long"),
        pytest.param(("a" * 63 + ".") * 3 + "a" * 62, id="name too long"),
        pytest.param("evil.123", id="ends in a number"),
        pytest.param("evil.0x1f", id="ends in a hex number"),
        pytest.param("127.1", id="IPv4 shorthand"),
        pytest.param("0x5d.184.216.34", id="IPv4 in hex"),
        pytest.param("093.184.216.34", id="IPv4 leading zero"),
        pytest.param("93.184.216.256", id="IPv4 out of range"),
        pytest.param("1.93.184.216.34", id="five numbers"),
    ],
)
def test_parse_denied_hosts_refuses_what_no_host_could_match(entry: str) -> None:
    with pytest.raises(ValueError, match="not a host name") as refused:
        parse_denied_hosts(f"fine.example, {entry}")

    assert repr(entry) in str(refused.value)


# --- matching --------------------------------------------------------------------------

DENIED = parse_denied_hosts("evil.com, bad.example.org, 93.184.216.34")


@pytest.mark.parametrize(
    "hostname",
    [
        pytest.param("evil.com", id="exact"),
        pytest.param("www.evil.com", id="subdomain"),
        pytest.param("a.b.c.evil.com", id="deep subdomain"),
        pytest.param("bad.example.org", id="multi-label entry"),
        pytest.param("x.bad.example.org", id="subdomain of multi-label entry"),
        pytest.param("EVIL.COM", id="upper-case"),
        pytest.param("Sub.Evil.Com", id="mixed case subdomain"),
        pytest.param("evil.com.", id="trailing dot"),
        pytest.param("evil.com..", id="trailing dots"),
        pytest.param("93.184.216.34", id="IPv4 entry"),
    ],
)
def test_denies_a_listed_host_and_its_subdomains(hostname: str) -> None:
    assert is_denied_host(hostname, DENIED)


@pytest.mark.parametrize(
    "hostname",
    [
        pytest.param("[::ffff:5db8:d822]", id="IPv4-mapped, as WHATWG writes it"),
        pytest.param("[::ffff:93.184.216.34]", id="IPv4-mapped, dotted"),
        pytest.param("[0:0:0:0:0:FFFF:5DB8:D822]", id="IPv4-mapped, in full, upper-case"),
        pytest.param("[64:ff9b::5db8:d822]", id="NAT64 well-known prefix"),
        pytest.param("[64:ff9b::93.184.216.34]", id="NAT64, dotted"),
        pytest.param("[2002:5db8:d822::]", id="6to4"),
        pytest.param("[2002:5db8:d822:1:2:3:4:5]", id="6to4, a host behind the router"),
    ],
)
def test_denies_an_ipv6_literal_that_carries_a_listed_ipv4_address(hostname: str) -> None:
    # Packets to it reach 93.184.216.34: through a dual-stack socket, a NAT64 gateway or
    # a 6to4 tunnel. The URL policy accepts the first two as public (6to4 too, on older
    # Pythons), so only the denylist stops them.
    assert is_denied_host(hostname, DENIED)


@pytest.mark.parametrize(
    "hostname",
    [
        pytest.param("notevil.com", id="suffix without a dot"),
        pytest.param("evil.com.au", id="listed name as a prefix"),
        pytest.param("evil.co", id="shorter"),
        pytest.param("com", id="parent"),
        pytest.param("example.org", id="parent of multi-label entry"),
        pytest.param("evil-com.net", id="look-alike"),
        pytest.param("93.184.216.35", id="other IPv4"),
        pytest.param("184.216.34", id="IPv4 suffix"),
        pytest.param("[::1]", id="IPv6"),
        pytest.param("[::ffff:5db8:d823]", id="IPv4-mapped other IPv4"),
        pytest.param("[64:ff9b::5db8:d823]", id="NAT64 other IPv4"),
        pytest.param("[2002:5db8:d823::]", id="6to4 other IPv4"),
        pytest.param("[2606:2800:220:1::5db8:d822]", id="IPv6 ending in the listed IPv4"),
        pytest.param("[64:ff9b:1::5db8:d822]", id="NAT64 local-use prefix"),
        pytest.param("[2002::5db8:d822]", id="6to4 with the IPv4 in the wrong place"),
        pytest.param("[not-an-address]", id="not an address"),
        pytest.param("", id="empty"),
    ],
)
def test_allows_other_hosts(hostname: str) -> None:
    assert not is_denied_host(hostname, DENIED)


@pytest.mark.parametrize(
    ("ipv6", "ipv4"),
    [
        pytest.param("::ffff:5db8:d822", "93.184.216.34", id="IPv4-mapped"),
        pytest.param("::ffff:7f00:1", "127.0.0.1", id="IPv4-mapped loopback"),
        pytest.param("64:ff9b::5db8:d822", "93.184.216.34", id="NAT64"),
        pytest.param("64:ff9b::", "0.0.0.0", id="NAT64 first"),  # noqa: S104 (not bound)
        pytest.param("64:ff9b::ffff:ffff", "255.255.255.255", id="NAT64 last"),
        pytest.param("64:ff9b::1:0:0", None, id="just past NAT64"),
        pytest.param("64:ff9b:1::5db8:d822", None, id="NAT64 local-use prefix"),
        pytest.param("2002:5db8:d822::", None, id="6to4 (tunnelled, not translated)"),
        pytest.param("::5db8:d822", None, id="IPv4-compatible (deprecated)"),
        pytest.param("2606:2800:220:1::5db8:d822", None, id="plain IPv6"),
    ],
)
def test_translated_ipv4(ipv6: str, ipv4: str | None) -> None:
    expected = None if ipv4 is None else IPv4Address(ipv4)

    assert translated_ipv4(IPv6Address(ipv6)) == expected


def test_an_empty_denylist_denies_nothing() -> None:
    assert not is_denied_host("evil.com", parse_denied_hosts(""))


# --- hosts of stored URLs --------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "hostname"),
    [
        pytest.param("https://evil.com/", "evil.com", id="plain"),
        pytest.param("https://www.evil.com:8443/a?b#c", "www.evil.com", id="port, path, query"),
        pytest.param("https://evil.com./", "evil.com", id="trailing dot"),
        pytest.param("https://evil.com../x", "evil.com", id="trailing dots"),
        pytest.param("https://EVIL.com/", "evil.com", id="upper-case"),
        pytest.param("https://xn--bcher-kva.de/", "xn--bcher-kva.de", id="punycode"),
        pytest.param("http://93.184.216.34:81/", "93.184.216.34", id="IPv4"),
        pytest.param("http://[2606:2800:220:1::]/", "[2606:2800:220:1::]", id="IPv6"),
        pytest.param("http://[::ffff:5db8:d822]:8080/", "[::ffff:5db8:d822]", id="IPv6 port"),
        pytest.param("https://evil.com/https://good.com/", "evil.com", id="URL in path"),
        pytest.param("https://evil.com/?@good.com", "evil.com", id="at sign in query"),
        pytest.param("https://evil.com/#@good.com", "evil.com", id="at sign in fragment"),
    ],
)
def test_hostname_of_a_stored_url(url: str, hostname: str) -> None:
    assert hostname_of(url) == hostname


def test_a_stored_url_is_rechecked_against_a_denylist_that_grew() -> None:
    stored = "https://www.evil.com./landing"

    assert not is_denied_host(hostname_of(stored), parse_denied_hosts(""))
    assert is_denied_host(hostname_of(stored), parse_denied_hosts("EVIL.COM"))
