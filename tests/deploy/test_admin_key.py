"""`admin-key` on moto: the dev environment's stack (from samconfig.toml) with a links
table built from template.yaml; one transaction stores the key's hash and its audit
entry; the key is printed once and works; what the operator must fix is one line."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from deploy import admin_key
from deploy.key_store import store_new_key
from deploy.samconfig import region, stack_name
from devserver.dynamodb_tables import ensure_table
from domain.api_keys import ApiKeyCache, IssuedKey, Scope, issue_api_key
from domain.audit import Actor
from repository.dynamodb_api_keys import DynamoDBApiKeys
from tests.deploy.conftest import ELSEWHERE, AwsCall, create_plain_stack
from tests.dynamodb_servers import LINKS_TABLE

ENVIRONMENT = "dev"
REGION = region(ENVIRONMENT)
TABLE = "url-shortener-dev-links"
KEY = re.compile(r"usk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}")


def create_links_table(name: str = TABLE) -> None:
    """The links table as template.yaml defines it, in the environment's region."""
    definition = replace(
        LINKS_TABLE,
        create_table_arguments={**LINKS_TABLE.create_table_arguments, "TableName": name},
    )
    ensure_table(boto3.client("dynamodb", region_name=REGION), definition)


@pytest.fixture
def dev_stack(aws: None) -> str:
    """The dev environment's stack and its table, in samconfig's region."""
    create_links_table()
    create_plain_stack(stack_name(ENVIRONMENT), {"LinksTableName": TABLE}, region=REGION)
    return TABLE


def items(partition: str) -> list[dict]:
    client = boto3.client("dynamodb", region_name=REGION)
    return client.query(
        TableName=TABLE,
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues={":p": {"S": partition}},
    )["Items"]


def test_stores_only_the_keys_hash_with_its_audit_entry_and_prints_the_key_once(
    dev_stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert admin_key.main(["--env", ENVIRONMENT, "--name", "Ada Lovelace"]) == 0

    out, err = capsys.readouterr()
    [key] = KEY.findall(out + err)
    assert (out + err).count(key) == 1
    assert "shown only this once" in out
    key_id, _, secret = key.removeprefix("usk_").partition("_")
    [record] = items("APIKEYS")
    assert record["SK"] == {"S": key_id}
    assert record["secretHash"] == {"S": hashlib.sha256(secret.encode()).hexdigest()}
    [entry] = items("AUDIT")
    assert (entry["actorId"], entry["actorName"], entry["action"], entry["target"]) == (
        {"S": "make admin-key"},
        {"S": "make admin-key"},
        {"S": "key.create"},
        {"S": key_id},
    )
    scan = str(boto3.client("dynamodb", region_name=REGION).scan(TableName=TABLE)["Items"])
    assert secret not in scan
    assert key not in scan
    # The key works as the functions check it: an admin, the operator's links.
    stored = ApiKeyCache(DynamoDBApiKeys(boto3.client("dynamodb", REGION), TABLE).get)
    checked = stored.authenticate(key, datetime.now(UTC))
    assert checked.scopes == {Scope.ADMIN, Scope.LINKS_READ, Scope.LINKS_WRITE}
    assert (checked.name, checked.owner) == ("Ada Lovelace", "operator")


def test_one_transaction_in_samconfigs_region_whatever_the_callers_configuration(
    dev_stack: str, aws_calls: list[AwsCall], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", ELSEWHERE)
    monkeypatch.setenv("AWS_REGION", ELSEWHERE)

    assert admin_key.main(["--env", ENVIRONMENT, "--name", "ci", "--owner", "team-ops"]) == 0

    assert [(call.service, call.operation) for call in aws_calls] == [
        ("cloudformation", "DescribeStacks"),
        ("dynamodb", "TransactWriteItems"),
    ]
    assert {call.region for call in aws_calls} == {REGION}
    puts = [item["Put"] for item in aws_calls[1].params["TransactItems"]]
    assert [put["Item"]["PK"]["S"] for put in puts] == ["APIKEYS", "AUDIT"]
    assert all(put["ConditionExpression"] == "attribute_not_exists(PK)" for put in puts)
    assert items("APIKEYS")[0]["owner"] == {"S": "team-ops"}


def test_a_taken_key_id_is_issued_again_and_audited_once(dev_stack: str) -> None:
    client = boto3.client("dynamodb", region_name=REGION)
    now = datetime.now(UTC)
    first = store_new_key(client, TABLE, name="first", owner="o", actor=Actor("t", "t"), now=now)
    ids = iter([bytes.fromhex(first.record.key_id), b"\x01" * 8])

    def same_id_first(**arguments: Any) -> IssuedKey:
        fixed = next(ids)
        return issue_api_key(**arguments, random_bytes=lambda n: fixed if n == 8 else b"\x02" * n)

    second = store_new_key(
        client, TABLE, name="second", owner="o", actor=Actor("t", "t"), now=now, issue=same_id_first
    )

    assert second.record.key_id == "01" * 8
    assert sorted(entry["target"]["S"] for entry in items("AUDIT")) == sorted(
        [first.record.key_id, second.record.key_id]
    )
    assert len(items("APIKEYS")) == 2


def refused(capsys: pytest.CaptureFixture[str], *arguments: str) -> str:
    assert admin_key.main(list(arguments)) == 1
    out, err = capsys.readouterr()
    assert not KEY.search(out + err)
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    return err


def test_an_environment_samconfig_does_not_know(capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(capsys, "--env", "staging", "--name", "ada")
    assert "samconfig.toml has no environment 'staging'; no key was made" in err


def test_a_stack_that_is_not_deployed(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(capsys, "--env", ENVIRONMENT, "--name", "ada")
    assert f"there is no stack {stack_name(ENVIRONMENT)} in {REGION}" in err
    assert "make deploy ENV=dev" in err


def test_a_stack_without_the_tables_output(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    create_plain_stack(stack_name(ENVIRONMENT), {"SiteUrl": "https://x.example"}, region=REGION)
    assert "no output(s) LinksTableName" in refused(capsys, "--env", ENVIRONMENT, "--name", "a")


def test_a_table_that_is_gone(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    create_plain_stack(stack_name(ENVIRONMENT), {"LinksTableName": "gone"}, region=REGION)
    err = refused(capsys, "--env", ENVIRONMENT, "--name", "a")
    assert f"table gone does not exist in {REGION}" in err


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["--name", " "], "--name must be 1 to 100 printable characters"),
        (["--name", "ada", "--owner", "two words"], "--owner must be 1 to 64 of"),
    ],
)
def test_a_name_or_owner_the_api_would_refuse(
    dev_stack: str, capsys: pytest.CaptureFixture[str], arguments: list[str], problem: str
) -> None:
    assert problem in refused(capsys, "--env", ENVIRONMENT, *arguments)
    assert items("APIKEYS") == []
    assert items("AUDIT") == []


def test_without_aws_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No moto here (it brings credentials of its own): botocore finds none and says so
    before anything is sent."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ENDPOINT_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)

    err = refused(capsys, "--env", ENVIRONMENT, "--name", "ada")
    assert "no AWS credentials found" in err
