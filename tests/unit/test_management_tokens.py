from __future__ import annotations

import base64

from domain.management_tokens import (
    hash_management_token,
    new_management_token,
    seal_token,
    token_matches,
    unseal_token,
)


def test_tokens_carry_at_least_128_random_bits_and_never_repeat():
    tokens = {new_management_token() for _ in range(200)}

    assert len(tokens) == 200
    raw = base64.urlsafe_b64decode(next(iter(tokens)) + "==")
    assert len(raw) * 8 >= 128


def test_only_the_hash_is_needed_to_check_a_token():
    token = new_management_token()
    stored = hash_management_token(token)

    assert token not in stored
    assert token_matches(token, stored)
    assert not token_matches(token + "x", stored)
    assert not token_matches(token, None)


def test_a_sealed_token_opens_only_with_the_same_key_and_link():
    token = new_management_token()
    key = "0b7c8d3e-4f1a-4b2c-9d8e-7f6a5b4c3d2e"

    sealed = seal_token(token, secret=key, short_id="7cp2Xhz")

    assert sealed != token
    assert unseal_token(sealed, secret=key, short_id="7cp2Xhz") == token
    assert unseal_token(sealed, secret=key + "x", short_id="7cp2Xhz") != token
    assert unseal_token(sealed, secret=key, short_id="other12") != token


def test_two_links_sealed_under_one_key_get_different_pads():
    token = new_management_token()

    assert seal_token(token, secret="k" * 16, short_id="a" * 7) != seal_token(
        token, secret="k" * 16, short_id="b" * 7
    )
