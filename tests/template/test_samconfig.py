"""samconfig.toml: dev and prod environments, one stack-naming convention, cost tags.

Given the file as the SAM CLI reads it, every environment names its stack
`<app>-<env>-<region>`, tags every resource with app and env, and overrides only
parameters the template has, with values the template accepts; and `make deploy`
(deploy/samconfig.py) reads the same stack, region and overrides SAM does.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from typing import Any

import pytest

from deploy import samconfig as deploy_samconfig
from tests.template.conftest import REPO_ROOT, find_tool, run_tool

APP = "url-shortener"
ENVIRONMENTS = {"default": "dev", "dev": "dev", "prod": "prod"}


@pytest.fixture(scope="module")
def samconfig() -> dict[str, Any]:
    return tomllib.loads((REPO_ROOT / "samconfig.toml").read_text(encoding="utf-8"))


def deploy_parameters(samconfig: dict[str, Any], environment: str) -> dict[str, Any]:
    return {
        **samconfig[environment].get("global", {}).get("parameters", {}),
        **samconfig[environment].get("deploy", {}).get("parameters", {}),
    }


def key_values(text: str) -> dict[str, str]:
    """SAM's `Key=Value Key2="Value 2"` strings (tags, parameter_overrides) as a dict."""
    pairs = dict(item.partition("=")[::2] for item in shlex.split(text))
    assert all(pairs.values()), text
    return pairs


def test_has_default_dev_and_prod_environments(samconfig):
    assert {"default", "dev", "prod"} <= samconfig.keys()
    assert samconfig["version"] == 0.1


@pytest.mark.parametrize(("environment", "env_name"), ENVIRONMENTS.items())
def test_stack_name_shows_application_environment_and_region(samconfig, environment, env_name):
    parameters = deploy_parameters(samconfig, environment)
    region = parameters["region"]
    assert re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region), region
    assert parameters["stack_name"] == f"{APP}-{env_name}-{region}"
    # SAM's artifacts for each stack under a prefix of its own.
    assert parameters["s3_prefix"] == parameters["stack_name"]


def test_dev_and_prod_are_different_stacks(samconfig):
    names = {deploy_parameters(samconfig, env)["stack_name"] for env in ("dev", "prod")}
    assert len(names) == 2


@pytest.mark.parametrize(("environment", "env_name"), ENVIRONMENTS.items())
def test_every_resource_is_tagged_with_app_and_env(samconfig, environment, env_name):
    tags = key_values(deploy_parameters(samconfig, environment)["tags"])
    assert tags == {"app": APP, "env": env_name}


def test_prod_asks_to_confirm_the_change_set_and_dev_does_not(samconfig):
    assert deploy_parameters(samconfig, "prod")["confirm_changeset"] is True
    # CI deploys dev unattended.
    assert deploy_parameters(samconfig, "dev")["confirm_changeset"] is False


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_overrides_name_template_parameters_with_values_it_accepts(
    samconfig, template, environment
):
    overrides = key_values(deploy_parameters(samconfig, environment)["parameter_overrides"])
    declared = template["Parameters"]
    for name, value in overrides.items():
        assert name in declared, f"{environment}: {name} is no template parameter"
        allowed = declared[name].get("AllowedValues")
        if allowed is not None:
            assert value in {str(item) for item in allowed}, f"{environment}: {name}={value}"
        if "MinValue" in declared[name]:
            assert float(value) >= float(declared[name]["MinValue"]), f"{name}={value}"


def test_environments_differ_where_they_should(samconfig):
    dev = key_values(deploy_parameters(samconfig, "dev")["parameter_overrides"])
    prod = key_values(deploy_parameters(samconfig, "prod")["parameter_overrides"])
    assert (dev["LogRetentionInDays"], prod["LogRetentionInDays"]) == ("14", "90")
    assert dev["RedirectStatusCode"] == prod["RedirectStatusCode"] == "302"
    assert int(prod["ThrottlingRateLimit"]) > int(dev["ThrottlingRateLimit"])
    assert int(prod["ThrottlingBurstLimit"]) > int(dev["ThrottlingBurstLimit"])


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_make_deploy_reads_the_stack_region_and_overrides_sam_reads(samconfig, environment):
    parameters = deploy_parameters(samconfig, environment)
    assert deploy_samconfig.stack_name(environment) == parameters["stack_name"]
    assert deploy_samconfig.region(environment) == parameters["region"]
    # `make deploy` passes these with --parameter-overrides (which replaces samconfig's).
    assert deploy_samconfig.parameter_overrides(environment) == key_values(
        parameters["parameter_overrides"]
    )


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_no_environment_pins_a_role(samconfig, environment):
    # The execution role is per account: `make deploy` finds it and passes --role-arn.
    assert "role_arn" not in deploy_parameters(samconfig, environment)


def test_validate_settings_the_makefile_relies_on(samconfig):
    # A bare `sam validate` lints; `--config-env no-lint` runs SAM's own translation.
    assert samconfig["default"]["validate"]["parameters"]["lint"] is True
    assert samconfig["no-lint"]["validate"]["parameters"]["lint"] is False


@pytest.mark.slow
@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_sam_validate_passes_for_each_environment(environment):
    sam = find_tool("SAM", ".venv-sam/bin/sam")
    result = run_tool(sam, "validate", "--config-env", environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout, result.stdout
