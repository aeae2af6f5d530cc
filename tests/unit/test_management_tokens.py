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


def test_a_sealed_token_opens_only_with_the_same_secret_and_context():
    token = new_management_token()
    secret, context = "server-secret-" + "x" * 50, "0b7c8d3e-4f1a-4b2c\x007cp2Xhz"

    sealed = seal_token(token, secret=secret, context=context)

    assert sealed != token
    assert unseal_token(sealed, secret=secret, context=context) == token
    assert unseal_token(sealed, secret=secret + "x", context=context) != token
    assert unseal_token(sealed, secret=secret, context=context + "x") != token


def test_two_contexts_sealed_under_one_secret_get_different_pads():
    token = new_management_token()

    assert seal_token(token, secret="s" * 64, context="key\x00aaaaaaa") != seal_token(
        token, secret="s" * 64, context="key\x00bbbbbbb"
    )
