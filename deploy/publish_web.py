"""Publish the page (web/) to a deployed stack: its bucket, then CloudFront.

Reads the stack's outputs, uploads every file with its content type and cache policy,
removes objects that are no longer in web/, and invalidates on CloudFront only the paths
whose content or headers changed (nothing changed: no invalidation, so a re-run is free).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import mimetypes
import sys
import time
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3

from deploy.stack import MissingOutput, StackNotFound, require, stack_outputs

CONFIG_FILE = "config.json"
# The content hash we stored on upload, compared on the next publish. S3's ETag is an MD5
# only for single-part uploads without SSE-KMS; our own metadata does not depend on that.
HASH_METADATA = "content-sha256"

# Cache-Control by path, first match wins. Revalidate what names everything else
# (index.html, the config) so a publish shows at once. assets/ are NOT fingerprinted
# (app.js is app.js in every release), so they get an hour, not a year: long enough to
# spare repeat visits, short enough that a browser never mixes releases for long. When the
# assets get content hashes in their names, change that row to
# "public, max-age=31536000, immutable".
CACHE_RULES: tuple[tuple[str, str], ...] = (
    ("index.html", "no-cache"),
    (CONFIG_FILE, "no-cache"),
    ("openapi.json", "max-age=300"),
    ("assets/*", "max-age=3600"),
    ("*", "no-cache"),
)

# What mimetypes gets wrong or does not know everywhere (it reads the OS's tables).
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
    ".ico": "image/x-icon",
    ".png": "image/png",
    ".woff2": "font/woff2",
}


def cache_control(key: str) -> str:
    return next(policy for pattern, policy in CACHE_RULES if fnmatchcase(key, pattern))


def content_type(key: str) -> str:
    suffix = Path(key).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(key)
    return guessed or "application/octet-stream"


def page_config(outputs: dict[str, str]) -> dict[str, str | bool]:
    """The page's config.json for a stack. The API is same-origin through the distribution
    (CloudFront routes the API's paths to it), so the page calls relative URLs; a
    cross-origin setup would return outputs["ApiUrl"] here (and need CORS on the API).

    publicCreation is the stack's PublicCreation ("true"/"false", the template allows no
    other): false makes the page say that only API key holders create links. A stack
    deployed before that output existed lets anyone create links, so its absence is true.
    """
    return {
        "apiBaseUrl": "",
        "publicCreation": outputs.get("PublicCreation", "true") != "false",
    }


@dataclass(frozen=True)
class PageFile:
    key: str
    body: bytes
    content_type: str
    cache_control: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def page_files(web_dir: Path, config: dict[str, str | bool]) -> dict[str, PageFile]:
    """Every file under web_dir by its key, with config.json replaced by the stack's config
    (the checked-in one is for `make dev`; the working tree is left as it is)."""
    files: dict[str, PageFile] = {}
    for path in sorted(web_dir.rglob("*")):
        relative = path.relative_to(web_dir)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        key = relative.as_posix()
        files[key] = PageFile(key, path.read_bytes(), content_type(key), cache_control(key))
    config_body = (json.dumps(config) + "\n").encode()
    files[CONFIG_FILE] = PageFile(
        CONFIG_FILE, config_body, content_type(CONFIG_FILE), cache_control(CONFIG_FILE)
    )
    return files


def published(s3: Any, bucket: str) -> dict[str, dict[str, Any]]:
    """What the bucket holds now: key -> head_object's answer."""
    heads: dict[str, dict[str, Any]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            heads[item["Key"]] = s3.head_object(Bucket=bucket, Key=item["Key"])
    return heads


def is_current(file: PageFile, head: dict[str, Any] | None) -> bool:
    return (
        head is not None
        and head.get("Metadata", {}).get(HASH_METADATA) == file.sha256
        and head.get("ContentType") == file.content_type
        and head.get("CacheControl") == file.cache_control
    )


def invalidation_paths(keys: list[str]) -> list[str]:
    paths = {"/" + quote(key, safe="/") for key in keys}
    if "index.html" in keys:
        paths.add("/")  # the distribution's default root object is served at /
    return sorted(paths)


@dataclass
class PublishResult:
    uploaded: list[str]
    unchanged: list[str]
    deleted: list[str]
    invalidation_id: str | None
    invalidated: list[str]


def publish(
    bucket: str, distribution_id: str, files: dict[str, PageFile], region: str | None
) -> PublishResult:
    s3 = boto3.client("s3", region_name=region)
    cloudfront = boto3.client("cloudfront", region_name=region)
    current = published(s3, bucket)

    uploaded, unchanged = [], []
    for key, file in files.items():
        if is_current(file, current.get(key)):
            unchanged.append(key)
            continue
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=file.body,
            ContentType=file.content_type,
            CacheControl=file.cache_control,
            Metadata={HASH_METADATA: file.sha256},
        )
        uploaded.append(key)

    stale = sorted(set(current) - set(files))
    for start in range(0, len(stale), 1000):  # DeleteObjects takes at most 1,000 keys
        s3.delete_objects(
            Bucket=bucket,
            Delete={
                "Objects": [{"Key": key} for key in stale[start : start + 1000]],
                "Quiet": True,
            },
        )

    # New files were never cached, but a path that answered 403/404 before may be cached
    # as an error for a while: invalidating every uploaded key covers that too.
    paths = invalidation_paths(uploaded + stale)
    invalidation_id = None
    if paths:
        answer = cloudfront.create_invalidation(
            DistributionId=distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": len(paths), "Items": paths},
                "CallerReference": f"publish-web-{time.time_ns()}",
            },
        )
        invalidation_id = answer["Invalidation"]["Id"]
    return PublishResult(uploaded, unchanged, stale, invalidation_id, paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="publish-web", description="Upload web/ to a stack's bucket; invalidate what changed."
    )
    parser.add_argument("--stack", required=True, help="the CloudFormation stack's name")
    parser.add_argument("--region", help="the stack's region (the Makefile: samconfig's)")
    parser.add_argument("--web-dir", type=Path, default=Path("web"), help="default: web")
    args = parser.parse_args(argv)

    if not args.web_dir.is_dir():
        print(f"publish-web: no directory {args.web_dir}", file=sys.stderr)
        return 1
    try:
        outputs = stack_outputs(args.stack, args.region)
        bucket, distribution_id, site_url = require(
            outputs, "SiteBucketName", "DistributionId", "SiteUrl"
        )
    except (StackNotFound, MissingOutput) as exc:
        print(f"publish-web: {exc}", file=sys.stderr)
        return 1

    files = page_files(args.web_dir, page_config(outputs))
    print(f"publishing {args.web_dir}/ ({len(files)} files) to s3://{bucket}/")
    result = publish(bucket, distribution_id, files, args.region)
    for key in result.uploaded:
        file = files[key]
        print(f"  uploaded  {key}  ({file.content_type}; {file.cache_control})")
    for key in result.deleted:
        print(f"  deleted   {key}  (no longer in {args.web_dir}/)")
    print(f"  unchanged {len(result.unchanged)} file(s)")
    if result.invalidation_id:
        print(
            f"invalidation {result.invalidation_id} on {distribution_id}: "
            + " ".join(result.invalidated)
        )
    else:
        print("nothing changed: no CloudFront invalidation")
    print(f"site: {site_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
