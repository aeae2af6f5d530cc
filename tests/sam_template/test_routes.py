"""Route matching picks the route API Gateway HTTP APIs pick."""

from __future__ import annotations

import pytest

from sam_template.routes import Route, RouteError, RouteTable


def table(*routes: tuple[str, str]) -> RouteTable:
    return RouteTable([Route(method, path, f"{method} {path}") for method, path in routes])


def chosen(routes: RouteTable, method: str, path: str) -> tuple[str, dict[str, str]] | None:
    match = routes.match(method, path)
    return None if match is None else (match.route.route_key, match.path_parameters)


# The example from AWS's "Routing API requests" documentation, plus ANY and $default.
AWS_EXAMPLE = table(
    ("GET", "/pets/dog/1"),
    ("GET", "/pets/dog/{id}"),
    ("ANY", "/pets/dog/{id}"),
    ("GET", "/pets/{proxy+}"),
    ("ANY", "/{proxy+}"),
)


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/pets/dog/1", ("GET /pets/dog/1", {})),
        ("GET", "/pets/dog/2", ("GET /pets/dog/{id}", {"id": "2"})),
        ("POST", "/pets/dog/2", ("ANY /pets/dog/{id}", {"id": "2"})),
        ("GET", "/pets/cat/1", ("GET /pets/{proxy+}", {"proxy": "cat/1"})),
        ("POST", "/pets/cat/1", ("ANY /{proxy+}", {"proxy": "pets/cat/1"})),
        ("DELETE", "/anything", ("ANY /{proxy+}", {"proxy": "anything"})),
    ],
)
def test_the_most_specific_route_wins(
    method: str, path: str, expected: tuple[str, dict[str, str]]
) -> None:
    assert chosen(AWS_EXAMPLE, method, path) == expected


def test_an_exact_route_beats_a_parameter_even_for_any_method() -> None:
    routes = table(("GET", "/{shortId}"), ("ANY", "/shorten"))

    assert chosen(routes, "GET", "/shorten") == ("ANY /shorten", {})
    assert chosen(routes, "GET", "/abc") == ("GET /{shortId}", {"shortId": "abc"})


def test_default_route_takes_what_nothing_else_matches() -> None:
    routes = table(("GET", "/{shortId}"), ("ANY", "$default"))

    assert chosen(routes, "GET", "/abc") == ("GET /{shortId}", {"shortId": "abc"})
    assert chosen(routes, "POST", "/abc") == ("$default", {})
    assert chosen(routes, "GET", "/a/b") == ("$default", {})


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),  # a parameter never matches an empty segment
        ("GET", "/abc/"),
        ("GET", "/a/b"),
        ("HEAD", "/abc"),  # HEAD is its own method: a GET route does not take it
        ("POST", "/abc"),
    ],
)
def test_no_route_matches(method: str, path: str) -> None:
    assert chosen(table(("GET", "/{shortId}")), method, path) is None


def test_greedy_parameter_needs_at_least_one_segment() -> None:
    routes = table(("GET", "/files/{proxy+}"))

    assert chosen(routes, "GET", "/files") is None
    assert chosen(routes, "GET", "/files/") is None
    assert chosen(routes, "GET", "/files/a/b.txt") == ("GET /files/{proxy+}", {"proxy": "a/b.txt"})


def test_root_route_matches_only_the_root() -> None:
    routes = table(("GET", "/"))

    assert chosen(routes, "GET", "/") == ("GET /", {})
    assert chosen(routes, "GET", "/x") is None


def test_method_names_are_case_insensitive_in_the_template() -> None:
    assert chosen(table(("get", "/x")), "GET", "/x") == ("GET /x", {})


@pytest.mark.parametrize(
    "path",
    ["no-slash", "/a/{proxy+}/b", "/file-{id}", "/{a}{b}"],
)
def test_invalid_paths_are_refused(path: str) -> None:
    with pytest.raises(RouteError):
        Route("GET", path, "Function")


def test_a_route_defined_twice_is_refused() -> None:
    with pytest.raises(RouteError, match="defined twice"):
        RouteTable([Route("GET", "/x", "One"), Route("get", "/x", "Two")])
