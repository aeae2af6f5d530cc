"""Which DynamoDB the devserver starts, and what it tells the handlers' SDK."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import boto3
import pytest

from devserver.dynamodb_backends import (
    DYNAMODB_LOCAL_PACKAGE_DIR,
    DYNAMODB_LOCAL_VERSION,
    DynamoDBLocal,
    DynamoDBLocalInstall,
    DynamoDBUnavailableError,
    ExternalDynamoDB,
    MotoDynamoDB,
    dynamodb_local_version,
    find_dynamodb_local,
    java_major_version,
    sdk_environment,
    start_backend,
)


def fake_java(directory: Path, body: str) -> Path:
    """An executable standing in for `java`: a Python script with the given body."""
    directory.mkdir(parents=True, exist_ok=True)
    java = directory / "java"
    java.write_text(f"#!{sys.executable}\nimport sys\n{body}\n", encoding="utf-8")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    return java


def fake_package(root: Path, version: str | None = DYNAMODB_LOCAL_VERSION) -> Path:
    """The npm package's layout, its jar holding nothing but the Maven metadata that names
    the release (or not even that)."""
    jar_dir = root / "dynamodb_local_2026-01-16"
    (jar_dir / "DynamoDBLocal_lib").mkdir(parents=True)
    with zipfile.ZipFile(jar_dir / "DynamoDBLocal.jar", "w") as jar:
        if version is not None:
            jar.writestr(
                "META-INF/maven/software/amazon/dynamodb/DynamoDBLocal/pom.properties",
                f"version={version}\ngroupId=software.amazon.dynamodb\nartifactId=DynamoDBLocal",
            )
    return root


@pytest.mark.parametrize(
    ("banner", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_392"', 8),
        ("no version here", None),
    ],
)
def test_java_versions_are_read_from_the_banner(
    tmp_path: Path, banner: str, major: int | None
) -> None:
    java = fake_java(tmp_path, f"print({banner!r}, file=sys.stderr)")

    assert java_major_version(java) == major


def test_dynamodb_local_needs_the_jar(tmp_path: Path) -> None:
    install, reason = find_dynamodb_local(tmp_path / "empty")

    assert install is None
    assert "make deps" in reason


def test_dynamodb_local_needs_java_17(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_java(tmp_path / "jdk11" / "bin", "print('openjdk version \"11.0.2\"', file=sys.stderr)")
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk11"))

    install, reason = find_dynamodb_local(fake_package(tmp_path / "lib"))

    assert install is None
    assert "Java 11" in reason
    assert "needs 17+" in reason


def test_the_installed_dynamodb_local_is_the_release_the_launcher_was_checked_against() -> None:
    jars = sorted(DYNAMODB_LOCAL_PACKAGE_DIR.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        if os.environ.get("CI"):
            pytest.fail(
                f"CI must install DynamoDB Local (make deps): none in {DYNAMODB_LOCAL_PACKAGE_DIR}"
            )
        pytest.skip(f"DynamoDB Local is not installed in {DYNAMODB_LOCAL_PACKAGE_DIR}")

    installed = dynamodb_local_version(jars[-1])

    assert installed == DYNAMODB_LOCAL_VERSION, (
        f"package.json now brings DynamoDB Local {installed}; DynamoDBLocalLauncher.java was "
        f"checked against {DYNAMODB_LOCAL_VERSION} only and `make dev` will not start another "
        "(it falls back to moto). The comment on DYNAMODB_LOCAL_VERSION in "
        "devserver/dynamodb_backends.py says what to re-check before changing it."
    )


@pytest.mark.parametrize("version", ["3.4.0", None])
def test_another_dynamodb_local_release_is_not_started(tmp_path: Path, version: str | None) -> None:
    package = fake_package(tmp_path / "lib", version=version)

    install, reason = find_dynamodb_local(package)
    backend = start_backend("auto", tmp_path / "data", {}, package_dir=package)
    backend.stop()

    assert install is None
    assert (
        f"DynamoDB Local {version or '(version unknown)'}, not {DYNAMODB_LOCAL_VERSION}" in reason
    )
    assert "DYNAMODB_LOCAL_VERSION in devserver/dynamodb_backends.py" in reason
    assert isinstance(backend, MotoDynamoDB)
    assert reason in backend.description  # auto mode says why it fell back to moto


def test_dynamodb_endpoint_wins_in_auto_mode(tmp_path: Path) -> None:
    with socket.socket() as listening:  # something that accepts connections there
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        endpoint = f"http://127.0.0.1:{listening.getsockname()[1]}"

        backend = start_backend("auto", tmp_path / "data", {"DYNAMODB_ENDPOINT": endpoint + "/"})

    assert isinstance(backend, ExternalDynamoDB)
    assert backend.endpoint_url == endpoint
    assert not (tmp_path / "data").exists()  # nothing started, nothing written


def test_a_dynamodb_endpoint_must_be_a_url(tmp_path: Path) -> None:
    with pytest.raises(DynamoDBUnavailableError, match="http"):
        start_backend("auto", tmp_path, {"DYNAMODB_ENDPOINT": "localhost:8000"})


def test_auto_falls_back_to_moto_and_says_why(tmp_path: Path) -> None:
    backend = start_backend("auto", tmp_path / "data", {}, package_dir=tmp_path / "no-package")
    try:
        assert isinstance(backend, MotoDynamoDB)
        assert "links vanish when it stops" in backend.description
        assert "no DynamoDBLocal.jar" in backend.description
        client = boto3.client(
            "dynamodb",
            endpoint_url=backend.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        # moto's state is per process (other tests' moto servers share it): use a fresh name,
        # and ask for that table, not for a list of all (one page of ListTables is only 100).
        name = f"t-{uuid.uuid4().hex}"
        client.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        assert client.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    finally:
        backend.stop()


def test_forcing_local_without_it_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DynamoDBUnavailableError, match="cannot run DynamoDB Local"):
        start_backend("local", tmp_path, {}, package_dir=tmp_path / "no-package")


def test_a_dynamodb_local_that_binds_all_interfaces_is_refused(tmp_path: Path) -> None:
    # The launcher reports where it listens; anything but 127.0.0.1 with telemetry off is stopped.
    java = fake_java(
        tmp_path / "bin",
        "print('DYNAMODB_LOCAL_READY host=0.0.0.0 port=8000 telemetry=off', flush=True)\n"
        "sys.stdin.read()",
    )
    install = DynamoDBLocalInstall(java=java, jar=tmp_path / "x.jar", lib_dir=tmp_path)

    with pytest.raises(DynamoDBUnavailableError, match="started unsafely"):
        DynamoDBLocal(install, tmp_path / "data")


def test_a_dynamodb_local_with_telemetry_on_is_refused(tmp_path: Path) -> None:
    java = fake_java(
        tmp_path / "bin",
        "print('DYNAMODB_LOCAL_READY host=127.0.0.1 port=8000 telemetry=on', flush=True)\n"
        "sys.stdin.read()",
    )
    install = DynamoDBLocalInstall(java=java, jar=tmp_path / "x.jar", lib_dir=tmp_path)

    with pytest.raises(DynamoDBUnavailableError, match="started unsafely"):
        DynamoDBLocal(install, tmp_path / "data")


def test_a_dynamodb_local_that_dies_reports_its_output(tmp_path: Path) -> None:
    java = fake_java(tmp_path / "bin", "print('Could not start server', flush=True)\nsys.exit(4)")
    install = DynamoDBLocalInstall(java=java, jar=tmp_path / "x.jar", lib_dir=tmp_path)

    with pytest.raises(DynamoDBUnavailableError, match=r"exited with 4:\nCould not start server"):
        DynamoDBLocal(install, tmp_path / "data")


# A DynamoDB Local whose server keeps its Jetty Server under another name: what a release
# that moved the launcher's private field would look like to it.
MOVED_FIELD_SOURCES = {
    "server/DynamoDBProxyServer.java": """
package software.amazon.dynamodb.services.local.server;
public class DynamoDBProxyServer {
    private final Object jetty = new Object();
    public void safeStart() {}
    public void stop() {}
}""",
    "main/ServerRunner.java": """
package software.amazon.dynamodb.services.local.main;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;
public class ServerRunner {
    public static DynamoDBProxyServer createServerFromCommandLineArgs(String[] args) {
        return new DynamoDBProxyServer();
    }
}""",
    "monitoring/Telemetry.java": """
package software.amazon.dynamodb.services.local.monitoring;
public class Telemetry {
    public static java.util.Optional<Telemetry> getTelemetry() {
        return java.util.Optional.empty();
    }
}""",
}


@pytest.mark.slow
def test_a_dynamodb_local_whose_internals_moved_is_refused_with_the_reason(tmp_path: Path) -> None:
    install, reason = find_dynamodb_local()
    if install is None:
        pytest.skip(f"DynamoDB Local cannot run here: {reason}")
    javac = install.java.parent / "javac"
    if not javac.is_file():
        pytest.skip(f"no javac beside {install.java}")
    sources = []
    for name, source in MOVED_FIELD_SOURCES.items():
        path = tmp_path / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        sources.append(str(path))
    subprocess.run(
        [str(javac), "-J-XX:TieredStopAtLevel=1", "-d", str(tmp_path / "classes"), *sources],
        check=True,
        timeout=120,
    )
    moved = DynamoDBLocalInstall(
        java=install.java, jar=tmp_path / "classes", lib_dir=install.lib_dir
    )

    with pytest.raises(DynamoDBUnavailableError) as refused:
        DynamoDBLocal(moved, tmp_path / "data")

    assert "exited with 4" in str(refused.value)
    assert "not built the way the launcher expects" in str(refused.value)
    assert "NoSuchFieldException: server" in str(refused.value)


def test_the_sdk_is_pointed_at_the_backend_with_dummy_credentials() -> None:
    variables = sdk_environment("http://127.0.0.1:1234", "eu-west-1", environ={})

    assert variables == {
        "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:1234",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "devserver",
        "AWS_SECRET_ACCESS_KEY": "devserver",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def test_credentials_already_set_are_kept() -> None:
    environ = {"AWS_ACCESS_KEY_ID": "mine", "AWS_SECRET_ACCESS_KEY": "mine"}

    variables = sdk_environment("http://127.0.0.1:1234", "us-east-1", environ)

    assert "AWS_ACCESS_KEY_ID" not in variables
    assert "AWS_SECRET_ACCESS_KEY" not in variables
