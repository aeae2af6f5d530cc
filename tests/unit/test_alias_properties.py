"""Properties of the alias rules (domain/aliases.py), on generated aliases.

test_shortening.py pins a few aliases; these check every shape against an oracle
written here from the API's contract: 3 to 64 ASCII letters, digits, "-" and "_", and
no reserved name in any letter case. The names the routes and the page use are read
from template.yaml and web/, so a new route cannot be shadowed by an alias unnoticed.
"""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.aliases import RESERVED_ALIASES, check_alias
from domain.errors import InvalidInput, LinkNotFound
from domain.links import is_plausible_short_id
from domain.lookup import follow_link
from domain.rate_limits import CreationRateLimits
from domain.shortening import LinkRequest, shorten_link
from sam_template.document import REPO_ROOT, load_template
from tests.unit.fakes import FakeCreationCounter, FakeLinkRepository

ALIAS_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-_")
# The API's contract (also web/assets/validation.js): written out, not imported, so a
# change to the rule is a visible change here too.
SHORTEST, LONGEST = 3, 64
BAD_FORMAT = "must be 3 to 64 characters of letters, digits, '-' and '_'"
RESERVED = "is reserved"


def page_and_route_names() -> frozenset[str]:
    """The first path segment of every fixed path, lower-cased: the API's routes (SAM
    HttpApi events), the page's CloudFront behaviours, and what web/ publishes."""
    resources = load_template()["Resources"].values()
    paths = [
        event["Properties"]["Path"]
        for resource in resources
        if resource["Type"] == "AWS::Serverless::Function"
        for event in (resource["Properties"].get("Events") or {}).values()
        if event["Type"] == "HttpApi"
    ] + [
        behaviour["PathPattern"]
        for resource in resources
        if resource["Type"] == "AWS::CloudFront::Distribution"
        for behaviour in resource["Properties"]["DistributionConfig"]["CacheBehaviors"]
    ]
    segments = {path.strip("/").split("/")[0] for path in paths}
    segments |= {entry.name for entry in (REPO_ROOT / "web").iterdir()}
    # "{shortId}" is where aliases go; "" and "*" are the root and the wildcard.
    return frozenset(s.lower() for s in segments if s not in ("", "*") and s[0] != "{")


TAKEN_NAMES = page_and_route_names()


def test_the_taken_names_are_read_from_the_template_and_the_page() -> None:
    # The collision property below is only as good as this list.
    assert {"shorten", "links", "assets", "index.html", "robots.txt"} <= TAKEN_NAMES


def is_valid_alias(alias: str) -> bool:
    return SHORTEST <= len(alias) <= LONGEST and ALIAS_CHARACTERS.issuperset(alias)


def expected_outcome(alias: str) -> str:
    if not is_valid_alias(alias):
        return BAD_FORMAT
    return RESERVED if alias.lower() in RESERVED_ALIASES else alias


def outcome(alias: str) -> str:
    """The alias as accepted, or the reason it is refused (which must name `alias`)."""
    try:
        return check_alias(alias)
    except InvalidInput as refusal:
        return refusal.reason if refusal.field == "alias" else f"wrong field {refusal.field}"


# --- strategies ----------------------------------------------------------------------------

alias_text = st.text(sorted(ALIAS_CHARACTERS), min_size=SHORTEST, max_size=LONGEST)
# Characters that look like or turn into allowed ones: other scripts' digits, fullwidth
# forms, the Kelvin sign and dotted I (their lower case is ASCII), invisible ones, and
# separators a path or a regex would treat specially.
LOOK_ALIKES = [
    *("\u0663", "\uff41", "\uff11", "\u212a", "\u0130", "\u017f", "\u00df", "\u200b"),
    *("\u00ad", "\n", "\r", "\t", " ", "\x00", ".", "/", "\\", "%", "?", "#", "+", "~"),
]
bad_characters = st.one_of(
    st.sampled_from(LOOK_ALIKES),
    st.characters(codec="utf-8").filter(lambda char: char not in ALIAS_CHARACTERS),
)


@st.composite
def with_a_bad_character(draw: st.DrawFn) -> str:
    alias = draw(alias_text)
    at = draw(st.integers(0, len(alias)))
    return alias[:at] + draw(bad_characters) + alias[at:]


@st.composite
def in_any_case(draw: st.DrawFn, names: frozenset[str]) -> str:
    name = draw(st.sampled_from(sorted(names)))
    return "".join(draw(st.sampled_from([c.lower(), c.upper()])) for c in name)


# Reserved or taken names with something around them are just aliases ("api-docs").
near_reserved = st.builds(
    "{}{}{}".format,
    st.text(sorted(ALIAS_CHARACTERS), max_size=2),
    in_any_case(RESERVED_ALIASES),
    st.text(sorted(ALIAS_CHARACTERS), max_size=2),
)
any_alias = st.one_of(
    alias_text,
    st.text(sorted(ALIAS_CHARACTERS), max_size=SHORTEST - 1),
    st.text(sorted(ALIAS_CHARACTERS), min_size=LONGEST + 1, max_size=LONGEST + 40),
    with_a_bad_character(),
    in_any_case(RESERVED_ALIASES),
    in_any_case(TAKEN_NAMES),
    near_reserved,
)


# --- the properties ----------------------------------------------------------------------


@given(alias=any_alias)
@example(alias="lin\u212as")  # Kelvin sign: "linKs".lower() is "links"
@example(alias="abc\n")
@example(alias="WELL-KNOWN")
def test_an_alias_is_accepted_iff_it_keeps_the_rules(alias: str) -> None:
    first, again = outcome(alias), outcome(alias)

    # Accepted unchanged, or refused with the rule it breaks; the same every time.
    assert first == expected_outcome(alias)
    assert again == first


@given(alias=any_alias)
def test_no_accepted_alias_is_a_path_the_api_or_the_page_uses(alias: str) -> None:
    if outcome(alias) == alias:
        assert alias.lower() not in TAKEN_NAMES


@pytest.mark.parametrize("name", sorted(TAKEN_NAMES))
@settings(max_examples=20)
@given(upper=st.lists(st.booleans(), min_size=LONGEST, max_size=LONGEST))
def test_no_casing_of_a_taken_name_is_accepted(name: str, upper: list[bool]) -> None:
    # One case per name: drawn among any_alias, a given name would seldom come up.
    alias = "".join(char.upper() if up else char for char, up in zip(name, upper, strict=False))

    assert outcome(alias) != alias


@given(alias=alias_text.filter(lambda alias: alias.lower() not in RESERVED_ALIASES))
def test_an_accepted_alias_is_stored_as_given_and_followed_by_it(alias: str) -> None:
    now = datetime(2026, 11, 21, tzinfo=UTC)
    repository = FakeLinkRepository()

    created = shorten_link(
        LinkRequest("https://example.com/", alias=alias),
        client="203.0.113.7",
        repository=repository,
        counter=FakeCreationCounter(),
        rate_limits=CreationRateLimits(
            per_client=10,
            per_56=10,
            per_48=10,
            window=timedelta(minutes=5),
            ceiling_per_minute=10,
        ),
        clock=lambda: now,
    )

    assert created.link.short_id == alias
    assert list(repository.links) == [alias]
    # The redirect's cheap check lets it through, and the link is found under it.
    assert is_plausible_short_id(alias)
    followed = follow_link(alias, count_click=False, repository=repository, clock=lambda: now)
    assert followed.url == "https://example.com/"
    # Case-sensitive: no other casing of the alias finds it.
    if alias.swapcase() != alias:
        with pytest.raises(LinkNotFound):
            follow_link(alias.swapcase(), count_click=False, repository=repository)
