"""`python -m deploy`: the dispatcher and the facts it reads from samconfig.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.__main__ import COMMANDS, main
from deploy.samconfig import stack_name


def test_without_a_known_command_it_lists_the_commands(capsys):
    assert main([]) == 2
    assert main(["frobnicate"]) == 2
    listed = capsys.readouterr().err
    assert all(name in listed for name in COMMANDS)


def test_every_command_names_a_module_with_a_main():
    import importlib

    for module_name, _ in COMMANDS.values():
        assert callable(importlib.import_module(module_name).main), module_name


def test_the_stack_name_comes_from_samconfig(tmp_path: Path):
    samconfig = tmp_path / "samconfig.toml"
    samconfig.write_text(
        'version = 0.1\n[dev.deploy.parameters]\nstack_name = "url-shortener-dev-us-east-1"\n'
        '[prod.global.parameters]\nstack_name = "url-shortener-prod-us-east-1"\n'
    )

    assert stack_name("dev", samconfig) == "url-shortener-dev-us-east-1"
    assert stack_name("prod", samconfig) == "url-shortener-prod-us-east-1"
    with pytest.raises(KeyError):
        stack_name("staging", samconfig)


def test_the_repositorys_own_samconfig_names_a_stack_for_each_environment():
    for environment in ("default", "dev", "prod"):
        assert stack_name(environment).startswith("url-shortener-")
