"""`python -m deploy`: the dispatcher and the facts it reads from samconfig.toml (stack,
region, parameter overrides: `sam deploy --parameter-overrides` replaces samconfig's, so
`make deploy PARAMETERS=...` passes samconfig's and the extra ones together)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest

from deploy.__main__ import COMMANDS, command_function, main
from deploy.samconfig import (
    parameter_overrides,
    region,
    sam_parameter_overrides,
    stack_name,
)
from tests.conftest import REPO_ROOT

SAMCONFIG = """version = 0.1
[dev.global.parameters]
stack_name = "url-shortener-dev-eu-central-1"
region = "eu-central-1"
[dev.deploy.parameters]
stack_name = "url-shortener-dev-eu-central-1"
parameter_overrides = "LogRetentionInDays=14 RedirectStatusCode=302 AlarmEmail=\\"o@x.io\\""
[prod.global.parameters]
stack_name = "url-shortener-prod-us-west-2"
region = "us-east-1"
[prod.deploy.parameters]
region = "us-west-2"
parameter_overrides = ["LogRetentionInDays=90", "ThrottlingRateLimit=250"]
"""


def test_without_a_known_command_it_lists_the_commands(capsys):
    assert main([]) == 2
    assert main(["frobnicate"]) == 2
    listed = capsys.readouterr().err
    assert all(name in listed for name in COMMANDS)


def test_every_command_names_a_function():
    for target, _ in COMMANDS.values():
        assert callable(command_function(target)), target


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


@pytest.fixture
def samconfig(tmp_path: Path) -> Path:
    path = tmp_path / "samconfig.toml"
    path.write_text(SAMCONFIG)
    return path


def test_the_region_comes_from_samconfig_the_deploy_table_first(samconfig: Path):
    assert region("dev", samconfig) == "eu-central-1"
    # As SAM reads it: [prod.deploy.parameters] over [prod.global.parameters].
    assert region("prod", samconfig) == "us-west-2"
    with pytest.raises(KeyError):
        region("staging", samconfig)


@pytest.mark.parametrize("environment", ["default", "dev", "prod"])
def test_the_repositorys_own_samconfig_names_a_region_for_each_environment(environment):
    assert region(environment) == stack_name(environment).removeprefix(
        f"url-shortener-{'dev' if environment == 'default' else environment}-"
    )


def test_extra_overrides_are_added_to_samconfigs_and_win(samconfig: Path):
    merged = parameter_overrides(
        "dev", ["AllowDirectApiAccess=true", "LogRetentionInDays=30"], samconfig
    )

    assert merged == {
        "LogRetentionInDays": "30",
        "RedirectStatusCode": "302",
        "AlarmEmail": "o@x.io",
        "AllowDirectApiAccess": "true",
    }
    # A list in samconfig is read as SAM reads it.
    assert parameter_overrides("prod", ["X=1"], samconfig) == {
        "LogRetentionInDays": "90",
        "ThrottlingRateLimit": "250",
        "X": "1",
    }


def test_without_extras_the_overrides_are_samconfigs_own():
    configured = "LogRetentionInDays=90 RedirectStatusCode=302 ThrottlingBurstLimit=500"
    assert sam_parameter_overrides(parameter_overrides("prod")).startswith(configured)


def test_an_override_that_is_not_key_value_is_refused(samconfig: Path):
    with pytest.raises(ValueError, match="is not Key=Value"):
        parameter_overrides("dev", ["AllowDirectApiAccess"], samconfig)


def test_the_command_prints_one_argument_for_sam(capsys):
    code = main(["parameter-overrides", "prod", "AllowDirectApiAccess=true", "AlarmEmail=a b"])

    assert code == 0
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("LogRetentionInDays=90 RedirectStatusCode=302")
    assert printed.endswith(' AllowDirectApiAccess=true AlarmEmail="a b"')


ODD_VALUES = {
    "Plain": "true",
    "Spaces": "a b  c",
    "Quotes": """say "hi" it's""",
    "Url": "https://sho.rt/x?y=1&z=2",
    "Empty": "",
}


def test_sams_own_parser_reads_back_what_the_command_prints():
    """The printed argument goes through SAM CLI's --parameter-overrides parser (the one
    samconfig's string goes through) and comes back as the same values."""
    sam_python = REPO_ROOT / ".venv-sam" / "bin" / "python"
    if not os.access(sam_python, os.X_OK):
        pytest.skip("SAM CLI's venv not found: run `make test-deps`")
    merged = {**parameter_overrides("prod"), **ODD_VALUES}
    parse = (
        "import json, sys\n"
        "from samcli.cli.types import CfnParameterOverridesType\n"
        "print(json.dumps(CfnParameterOverridesType().convert(sys.argv[1], None, None)))"
    )
    result = subprocess.run(
        [sam_python, "-c", parse, sam_parameter_overrides(merged)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(result.stdout) == merged


def test_a_shell_splits_the_printed_argument_as_sam_does():
    # Without SAM at hand: shell-style splitting reads the same pairs back.
    printed = sam_parameter_overrides(ODD_VALUES)
    assert dict(pair.split("=", 1) for pair in shlex.split(printed)) == ODD_VALUES
