"""The Makefile's AWS targets, run for real with stand-ins for python and sam.

`make` runs as a person or CI runs it, with every venv pointed at a temporary directory
whose `python`, `sam` and `checkov` only record their arguments and environment (the
samconfig.toml facts, `stack-name`, `region` and `parameter-overrides`, are answered by
the real code). Given AWS_REGION and AWS_DEFAULT_REGION naming another region, the
records show what each command was told: samconfig's region, the execution role, the
merged parameter overrides; and that only the local targets switch off the EC2 metadata
endpoint (the AWS targets need it for credentials on EC2 or CodeBuild runners).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from deploy.__main__ import COMMANDS
from deploy.__main__ import main as deploy_main
from deploy.samconfig import parameter_overrides, region, stack_name
from tests.conftest import REPO_ROOT

ROLE_ARN = "arn:aws:iam::123456789012:role/cfn-exec-url-shortener"
ELSEWHERE = "eu-west-1"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make not installed")

STAND_IN = f"""#!{sys.executable}
import json, os, sys

sys.path.insert(0, {str(REPO_ROOT)!r})
arguments = sys.argv[1:]
record = {{
    "program": os.path.basename(sys.argv[0]),
    "arguments": arguments,
    "metadata_disabled": os.environ.get("AWS_EC2_METADATA_DISABLED"),
}}
with open(os.environ["STAND_IN_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(record) + "\\n")
if arguments[:2] == ["-m", "deploy"]:
    command = arguments[2]
    if command in ("stack-name", "region", "parameter-overrides"):
        from deploy.__main__ import main

        sys.exit(main(arguments[2:]))
    if command == "preflight":
        if os.environ.get("STAND_IN_PREFLIGHT_FAILS"):
            print("preflight: stack is in ROLLBACK_COMPLETE", file=sys.stderr)
            sys.exit(1)
        print({ROLE_ARN!r})
"""


@dataclass(frozen=True)
class Call:
    program: str
    arguments: list[str]
    metadata_disabled: str | None

    @property
    def command(self) -> str:
        """`sam deploy`, `deploy preflight`, ...: the program's subcommand."""
        if self.arguments[:2] == ["-m", "deploy"]:
            return f"deploy {self.arguments[2]}"
        return f"{self.program} {self.arguments[0]}"

    def option(self, name: str) -> str:
        return self.arguments[self.arguments.index(name) + 1]


@dataclass(frozen=True)
class Make:
    root: Path
    log: Path

    def __call__(self, *arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
        self.log.unlink(missing_ok=True)
        env = {
            name: value
            for name, value in os.environ.items()
            # A make running these tests hands its flags and variables down; and the local
            # targets' metadata switch must come from this Makefile or nowhere.
            if name not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"}
            and not name.startswith("AWS_")
            and name not in {"CFN_EXECUTION_ROLE_ARN", "SAM", "CHECKOV"}
        }
        env.update(
            STAND_IN_LOG=str(self.log),
            AWS_REGION=ELSEWHERE,
            AWS_DEFAULT_REGION=ELSEWHERE,
            **environment,
        )
        return subprocess.run(
            [
                "make",
                "--no-print-directory",
                *arguments,
                f"VENV={self.root / 'venv'}",
                f"SAM_VENV={self.root / 'sam'}",
                f"CHECKOV_VENV={self.root / 'checkov'}",
                f"SAM={self.root / 'sam' / 'bin' / 'sam'}",
                f"CHECKOV={self.root / 'checkov' / 'bin' / 'checkov'}",
            ],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def calls(self) -> list[Call]:
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        records: list[dict[str, Any]] = [json.loads(line) for line in lines]
        return [Call(**record) for record in records]

    def aws_calls(self) -> list[Call]:
        """What was run, without the samconfig look-ups the Makefile makes."""
        facts = {"deploy stack-name", "deploy region", "deploy parameter-overrides"}
        return [call for call in self.calls() if call.command not in facts]


@pytest.fixture
def make(tmp_path: Path) -> Make:
    """Venvs whose programs are stand-ins, installed (stamps newer than requirements)."""
    for venv, programs in {
        "venv": ["python"],
        "sam": ["python", "sam"],
        "checkov": ["python", "checkov"],
    }.items():
        bin_dir = tmp_path / venv / "bin"
        bin_dir.mkdir(parents=True)
        for program in programs:
            (bin_dir / program).write_text(STAND_IN, encoding="utf-8")
            (bin_dir / program).chmod(0o755)
        (tmp_path / venv / ".installed").touch()
    return Make(tmp_path, tmp_path / "calls.jsonl")


def test_deploy_builds_checks_deploys_as_the_role_in_samconfigs_region_then_publishes(make):
    result = make(
        "deploy",
        "ENV=prod",
        "PARAMETERS=AllowDirectApiAccess=true LogRetentionInDays=30",
        "UNATTENDED=1",
        "DELETE_FAILED_STACK=1",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    calls = make.aws_calls()
    assert [call.command for call in calls] == [
        "sam build",
        "deploy check-build",
        "deploy preflight",
        "sam deploy",
        "deploy publish-web",
        "deploy smoke",
    ]
    _, _, preflight, sam_deploy, publish_web, smoke = calls
    prod_region = region("prod")
    assert prod_region != ELSEWHERE
    assert preflight.arguments[2:] == [
        "preflight",
        "--env",
        "prod",
        "--region",
        prod_region,
        "--delete-failed-stack",
    ]
    assert sam_deploy.arguments[:7] == [
        "deploy",
        "--config-env",
        "prod",
        "--region",
        prod_region,
        "--role-arn",
        ROLE_ARN,
    ]
    assert sam_deploy.arguments[-2:] == ["--no-confirm-changeset", "--no-progressbar"]
    for call in (publish_web, smoke):
        assert call.arguments[3:] == ["--stack", stack_name("prod"), "--region", prod_region]


def test_extra_parameters_are_added_to_samconfigs_not_put_in_their_place(make):
    result = make("deploy", "ENV=prod", "PARAMETERS=AllowDirectApiAccess=true AlarmEmail='a b'")

    assert result.returncode == 0, result.stdout + result.stderr
    [sam_deploy] = [call for call in make.aws_calls() if call.command == "sam deploy"]
    passed = sam_deploy.option("--parameter-overrides")
    assert dict(pair.split("=", 1) for pair in shlex.split(passed)) == {
        **parameter_overrides("prod"),
        "AllowDirectApiAccess": "true",
        "AlarmEmail": "a b",
    }
    # A person deploying sees the change set and the progress bar.
    assert "--no-confirm-changeset" not in sam_deploy.arguments


def test_without_extra_parameters_sam_gets_samconfigs_own(make):
    assert make("deploy", "ENV=dev").returncode == 0

    [sam_deploy] = [call for call in make.aws_calls() if call.command == "sam deploy"]
    passed = sam_deploy.option("--parameter-overrides")
    assert dict(pair.split("=", 1) for pair in shlex.split(passed)) == parameter_overrides("dev")


def test_a_stack_preflight_refuses_is_not_deployed(make):
    result = make("deploy", "ENV=dev", STAND_IN_PREFLIGHT_FAILS="1")

    assert result.returncode != 0
    assert "ROLLBACK_COMPLETE" in result.stderr
    commands = [call.command for call in make.aws_calls()]
    assert "deploy preflight" in commands
    assert "sam deploy" not in commands
    assert "deploy publish-web" not in commands


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("publish-web", ["publish-web", "--stack", stack_name("dev"), "--region", region("dev")]),
        ("smoke", ["smoke", "--stack", stack_name("dev"), "--region", region("dev")]),
        ("destroy", ["destroy", "--stack", stack_name("dev"), "--region", region("dev")]),
        (
            "destroy DELETE_DATA=1",
            ["destroy", "--stack", stack_name("dev"), "--region", region("dev"), "--delete-data"],
        ),
        ("smoke BASE_URL=http://127.0.0.1:3000", ["smoke", "--base-url", "http://127.0.0.1:3000"]),
    ],
)
def test_aws_targets_get_samconfigs_region(make, target, expected):
    result = make(*target.split(), "ENV=dev")

    assert result.returncode == 0, result.stdout + result.stderr
    [call] = make.aws_calls()
    assert call.arguments[2:] == expected


@pytest.mark.parametrize(
    "target",
    [
        "deploy ENV=dev",
        "publish-web ENV=dev",
        "smoke ENV=prod",
        "destroy ENV=prod",
        "admin-key ENV=dev NAME=ada",
    ],
)
def test_aws_targets_keep_the_ec2_metadata_endpoint_for_credentials(make, target):
    result = make(*target.split())

    assert result.returncode == 0, result.stdout + result.stderr
    reaching_aws = [
        call
        for call in make.calls()
        if call.command
        in {
            "deploy preflight",
            "sam deploy",
            "deploy publish-web",
            "deploy smoke",
            "deploy destroy",
            "deploy admin-key",
        }
    ]
    assert reaching_aws
    for call in reaching_aws:
        assert call.metadata_disabled is None, call


@pytest.mark.parametrize(
    ("target", "commands"),
    [
        ("validate", {"sam validate", "checkov --quiet"}),
        ("build", {"sam build", "deploy check-build"}),
    ],
)
def test_local_targets_switch_the_ec2_metadata_endpoint_off(make, target, commands):
    result = make(target)

    assert result.returncode == 0, result.stdout + result.stderr
    calls = make.aws_calls()
    assert {call.command for call in calls} == commands
    for call in calls:
        assert call.metadata_disabled == "true", call


def test_admin_key_passes_the_name_and_owner_as_typed(make):
    result = make("admin-key", "ENV=prod", "NAME=Ada 'the' \"Countess\" $HOME", "OWNER=ops@x.io")

    assert result.returncode == 0, result.stdout + result.stderr
    [call] = make.aws_calls()
    assert call.arguments[2:] == [
        "admin-key",
        "--env",
        "prod",
        "--name",
        "Ada 'the' \"Countess\" $HOME",
        "--owner",
        "ops@x.io",
    ]
    [default_owner] = (make("admin-key", "NAME=ada"), make.aws_calls())[1]
    assert default_owner.arguments[-4:] == ["--name", "ada", "--owner", "operator"]
    assert default_owner.option("--env") == "dev"


def test_admin_key_without_a_name_says_how_to_give_one(make):
    result = make("admin-key", "ENV=dev")

    assert result.returncode != 0
    assert "make admin-key ENV=dev NAME=" in result.stderr
    assert make.aws_calls() == []


def test_an_environment_samconfig_does_not_know_stops_before_aws(make):
    result = make("publish-web", "ENV=staging")

    assert result.returncode != 0
    assert "no stack for ENV=staging" in result.stderr
    assert make.aws_calls() == []


DOCS = [
    REPO_ROOT / "README.md",
    *(REPO_ROOT / "docs" / name for name in ("api.md", "architecture.md", "operations.md")),
]
# Targets that reach AWS or run a tool run for real, with the stand-ins; any other target
# the docs name (dev, test, bench...) must exist and get as far as make's dry run.
RUN_WITH_STAND_INS = {
    "deploy",
    "publish-web",
    "smoke",
    "destroy",
    "build",
    "cost",
    "validate",
    "admin-key",
}
# `make ...`, after any `NAME=value` a shell hands it as environment.
_MAKE_COMMAND = r"""(?:[A-Z][A-Z0-9_]*=(?:"[^"]*"|'[^']*'|\S+) )*make [^`\n]+"""


def documented_make_commands() -> list[list[str]]:
    """Every `make ...` the docs show, in code spans or blocks, split as a shell splits it
    (ENV=ENV, the placeholder, as ENV=dev)."""
    commands = []
    for document in DOCS:
        text = document.read_text(encoding="utf-8")
        spans = re.findall(f"`({_MAKE_COMMAND})`", text)
        lines = [
            line.partition(" #")[0] for line in text.splitlines() if re.match(_MAKE_COMMAND, line)
        ]
        for command in [*spans, *lines]:
            words = shlex.split(command.replace("ENV=ENV", "ENV=dev"))
            if words not in commands:
                commands.append(words)
    return commands


def _environment_and_arguments(words: list[str]) -> tuple[dict[str, str], list[str]]:
    make_at = words.index("make")
    environment = dict(word.split("=", 1) for word in words[:make_at])
    return environment, words[make_at + 1 :]


def test_the_docs_show_the_commands_that_matter():
    shown = [" ".join(words) for words in documented_make_commands()]
    for command in (
        "make deploy ENV=dev",
        "make deploy ENV=prod",
        "make deploy ENV=dev DELETE_FAILED_STACK=1",
        "make deploy ENV=prod PARAMETERS=AllowDirectApiAccess=true",
        "make destroy ENV=dev",
        "make destroy ENV=dev DELETE_DATA=1",
    ):
        assert command in shown, command


@pytest.mark.parametrize("words", documented_make_commands(), ids=" ".join)
def test_every_make_command_in_the_docs_runs(make, words):
    environment, arguments = _environment_and_arguments(words)
    targets = [argument for argument in arguments if "=" not in argument]

    if set(targets) <= RUN_WITH_STAND_INS:
        result = make(*arguments, **environment)
    else:
        result = make("--dry-run", *arguments, **environment)

    assert result.returncode == 0, result.stdout + result.stderr


def documented_python_commands() -> list[list[str]]:
    """Every `python -m deploy ...` code span in the docs, split as a shell would."""
    return [
        shlex.split(span)
        for document in DOCS
        for span in re.findall(r"`(python -m deploy [^`]+)`", document.read_text(encoding="utf-8"))
    ]


def test_every_deploy_command_in_the_docs_exists_and_takes_its_options(aws, capsys):
    commands = documented_python_commands()
    assert commands
    for words in commands:
        assert words[3] in COMMANDS, words
        if any(word in {"ENV", "REGION", "..."} for word in words):
            continue  # placeholders: the command's name is what can be checked
        # Against an empty (moto) account: options it did not take would exit with 2.
        try:
            code: object = deploy_main(words[3:])
        except SystemExit as exc:
            code = exc.code
        assert code in {0, 1}, (words, capsys.readouterr().err)
