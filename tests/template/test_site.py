"""The site in template.yaml: the page on a private S3 bucket behind CloudFront, on one
domain with the API and the short links.

Fast: these read the template (as CloudFormation's JSON form); one test runs the
CloudFront Function's code with node when node is installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest

from sam_template.document import resources_of_type
from tests.template.conftest import as_list
from tests.template.deployed_stack import DeployedStack

# AWS's managed policy ids (Developer Guide, "Use managed cache policies" and "Use
# managed origin request policies").
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
ONE_YEAR = 31_536_000
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0b5779b0-125d-4cec-98e9-946fcfc687b6"
# The origin secret as the distribution sends it and the functions check it: the version
# pinned by OriginVerifySecretVersion, else the current one.
SECRET_REFERENCE = {
    "Fn::If": [
        "PinsOriginVerifyVersion",
        {
            "Fn::Sub": "{{resolve:secretsmanager:${OriginVerifySecret}"
            ":SecretString:::${OriginVerifySecretVersion}}}"
        },
        {"Fn::Sub": "{{resolve:secretsmanager:${OriginVerifySecret}:SecretString}}"},
    ]
}

# The page's files (web/) and the paths that must reach the API instead.
PAGE_PATHS = [
    "/",
    "/index.html",
    "/config.json",
    "/openapi.json",
    "/robots.txt",
    "/assets/app.js",
    "/assets/style.css",
    "/assets/icon.svg",
    "/assets/deep/nested/file.js",
]
API_PATHS = [
    "/shorten",
    "/links/abc123",
    "/links/abc123/qr",
    "/abc123",
    "/my-alias_1",
    "/assets",  # an alias would be here, but "assets" is reserved
    "/index.htm",
    "/INDEX.html",  # path patterns are case-sensitive
    "/favicon.ico",
    "/links",
]
SHORT_LINK_PATHS = ["/abc123", "/my-alias_1", "/assets", "/index.htm", "/favicon.ico", "/link"]
# What the redirect reads from a request (handlers/redirect.py, domain/clicks.py; the
# origin secret comes from the origin's own header): exactly this reaches it.
CLICK_CHECK_HEADERS = {"accept", "user-agent", "purpose", "sec-purpose", "x-purpose", "x-moz"}
# The analytics' (handlers/api_requests.py, click_origin): CloudFront adds the last two.
CLICK_ORIGIN_HEADERS = {"referer", "cloudfront-viewer-address", "cloudfront-viewer-country"}
HEADERS_THE_REDIRECT_READS = CLICK_CHECK_HEADERS | CLICK_ORIGIN_HEADERS
# What the other routes read (src/handlers): it must reach them.
HEADERS_THE_OTHER_ROUTES_READ = CLICK_CHECK_HEADERS | {
    "authorization",
    "content-type",
    "idempotency-key",
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
    "x-forwarded-host",
    "x-viewer-address",
    "x-distribution-host",
}
# What a managed origin request policy forwards: (all viewer headers but these, or
# None for "only the listed ones"), the viewer headers listed, CloudFront headers.
MANAGED_ORIGIN_REQUEST_POLICIES: dict[str, tuple[set[str] | None, set[str], bool]] = {
    # All viewer headers except Host, all cookies and query strings. Whether it also
    # passes CloudFront's own headers is not documented, so nothing may rely on it: the
    # viewer's address comes from our function's X-Viewer-Address instead.
    ALL_VIEWER_EXCEPT_HOST_HEADER: ({"host"}, set(), False),
}


# --- helpers -------------------------------------------------------------------------


def resource(template: dict[str, Any], logical_id: str, resource_type: str) -> dict[str, Any]:
    found: dict[str, Any] = template["Resources"][logical_id]
    assert found["Type"] == resource_type
    return found


def properties(template: dict[str, Any], logical_id: str, resource_type: str) -> dict[str, Any]:
    props: dict[str, Any] = resource(template, logical_id, resource_type)["Properties"]
    return props


def distribution(template: dict[str, Any]) -> dict[str, Any]:
    (logical_id,) = resources_of_type(template, "AWS::CloudFront::Distribution")
    config: dict[str, Any] = template["Resources"][logical_id]["Properties"]["DistributionConfig"]
    return config


def behaviours(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Every cache behaviour, the default last (where CloudFront evaluates it)."""
    config = distribution(template)
    return [*config.get("CacheBehaviors", []), config["DefaultCacheBehavior"]]


def pattern_matches(pattern: str, path: str) -> bool:
    """CloudFront's path pattern rule: '*' is 0 or more characters (slashes too), '?'
    exactly one, case-sensitive, and a leading '/' is optional on the pattern."""
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char)
        for char in pattern.removeprefix("/")
    )
    return re.fullmatch(regex, path.removeprefix("/")) is not None


def behaviour_for(template: dict[str, Any], path: str) -> dict[str, Any]:
    """The behaviour CloudFront applies to a path: the first pattern that matches, else
    the default."""
    config = distribution(template)
    for behaviour in config.get("CacheBehaviors", []):
        if pattern_matches(behaviour["PathPattern"], path):
            return dict(behaviour)
    return dict(config["DefaultCacheBehavior"])


def origin(template: dict[str, Any], origin_id: str) -> dict[str, Any]:
    (found,) = [o for o in distribution(template)["Origins"] if o["Id"] == origin_id]
    return dict(found)


def is_site_bucket_origin(template: dict[str, Any], origin_id: str) -> bool:
    found = origin(template, origin_id)
    return "S3OriginConfig" in found and found["DomainName"] == {
        "Fn::GetAtt": ["SiteBucket", "RegionalDomainName"]
    }


def is_api_origin(template: dict[str, Any], origin_id: str) -> bool:
    found = origin(template, origin_id)
    return "CustomOriginConfig" in found and found["DomainName"] == {
        "Fn::Sub": "${HttpApi}.execute-api.${AWS::Region}.amazonaws.com"
    }


def forwards(template: dict[str, Any], policy_id: Any, header: str) -> bool:
    """Whether an origin request policy sends this header to the origin."""
    header = header.lower()
    if isinstance(policy_id, str):
        excluded, listed, cloudfront_headers = MANAGED_ORIGIN_REQUEST_POLICIES[policy_id]
    else:
        config = properties(template, policy_id["Ref"], "AWS::CloudFront::OriginRequestPolicy")[
            "OriginRequestPolicyConfig"
        ]["HeadersConfig"]
        names = {name.lower() for name in config.get("Headers", [])}
        behaviour = config["HeaderBehavior"]
        excluded = names if behaviour == "allExcept" else None
        if behaviour in ("allViewer", "allViewerAndWhitelistCloudFront"):
            excluded = set()
        listed = names if behaviour in ("whitelist", "allViewerAndWhitelistCloudFront") else set()
        cloudfront_headers = False
    if header.startswith("cloudfront-"):
        return cloudfront_headers or header in listed
    if excluded is not None:
        return header not in excluded
    return header in listed


def bucket_policy_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    (logical_id,) = resources_of_type(template, "AWS::S3::BucketPolicy")
    policy = template["Resources"][logical_id]["Properties"]
    assert policy["Bucket"] == {"Ref": "SiteBucket"}
    statements: list[dict[str, Any]] = policy["PolicyDocument"]["Statement"]
    return statements


def references(value: Any) -> set[str]:
    """Logical ids a template value points at: Ref, GetAtt and ${...} in Sub."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner)
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else inner.split(".")[0])
            elif key == "Fn::Sub":
                text, variables = (inner, {}) if isinstance(inner, str) else inner
                names = re.findall(r"\$\{([^!}][^}]*)\}", text)
                found |= {name.split(".")[0] for name in names if name not in variables}
                found |= references(variables)
            else:
                found |= references(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= references(inner)
    return found


# --- bucket ----------------------------------------------------------------------------


def test_the_bucket_is_private_encrypted_owner_enforced_and_versioned(template):
    bucket = properties(template, "SiteBucket", "AWS::S3::Bucket")
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    # SSE-S3: an origin access identity cannot read SSE-KMS objects.
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    # No website hosting: the bucket is only ever read through CloudFront.
    assert "WebsiteConfiguration" not in bucket
    assert "AccessControl" not in bucket


def test_replaced_versions_of_the_page_expire(template):
    bucket = properties(template, "SiteBucket", "AWS::S3::Bucket")
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert any(
        rule["Status"] == "Enabled"
        and 1 <= rule["NoncurrentVersionExpiration"]["NoncurrentDays"] <= 365
        for rule in rules
    )


def test_the_bucket_policy_refuses_every_request_without_tls(template):
    denials = [s for s in bucket_policy_statements(template) if s["Effect"] == "Deny"]
    assert any(
        statement["Principal"] in ("*", {"AWS": "*"})
        and as_list(statement["Action"]) == ["s3:*"]
        and {"Fn::GetAtt": ["SiteBucket", "Arn"]} in as_list(statement["Resource"])
        and {"Fn::Sub": "${SiteBucket.Arn}/*"} in as_list(statement["Resource"])
        and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for statement in denials
    ), denials


def test_only_the_origin_access_identity_may_read_and_only_objects(template):
    resource(
        template, "SiteOriginAccessIdentity", "AWS::CloudFront::CloudFrontOriginAccessIdentity"
    )
    allows = [s for s in bucket_policy_statements(template) if s["Effect"] == "Allow"]
    assert allows == [
        {
            "Sid": allows[0].get("Sid"),
            "Effect": "Allow",
            "Principal": {
                "CanonicalUser": {"Fn::GetAtt": ["SiteOriginAccessIdentity", "S3CanonicalUserId"]}
            },
            "Action": "s3:GetObject",
            "Resource": {"Fn::Sub": "${SiteBucket.Arn}/*"},
        }
    ]
    for statement in bucket_policy_statements(template):
        assert "NotPrincipal" not in statement
        assert "NotAction" not in statement


def test_cloudfront_reads_the_bucket_as_that_identity(template):
    (site,) = [o for o in distribution(template)["Origins"] if "S3OriginConfig" in o]
    assert site["DomainName"] == {"Fn::GetAtt": ["SiteBucket", "RegionalDomainName"]}
    assert site["S3OriginConfig"]["OriginAccessIdentity"] == {
        "Fn::Sub": "origin-access-identity/cloudfront/${SiteOriginAccessIdentity}"
    }
    assert "OriginAccessControlId" not in site  # the issue asks for an OAI


# --- distribution ------------------------------------------------------------------------


def test_the_distribution_serves_the_page_at_its_root_over_http2_and_3_and_ipv6(template):
    config = distribution(template)
    assert config["Enabled"] is True
    assert config["DefaultRootObject"] == "index.html"
    assert config["HttpVersion"] == "http2and3"
    assert config["IPV6Enabled"] is True


def test_every_behaviour_redirects_http_to_https_and_compresses(template):
    for behaviour in behaviours(template):
        where = behaviour.get("PathPattern", "default")
        assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https", where
        assert behaviour["Compress"] is True, where


def test_the_price_class_is_a_parameter_with_a_cheap_default(template):
    parameter = template["Parameters"]["PriceClass"]
    assert parameter["Type"] == "String"
    assert set(parameter["AllowedValues"]) == {"PriceClass_100", "PriceClass_200", "PriceClass_All"}
    assert parameter["Default"] == "PriceClass_100"
    assert distribution(template)["PriceClass"] == {"Ref": "PriceClass"}


def test_a_custom_domain_brings_its_certificate_else_cloudfront_default(template):
    default = DeployedStack(template).properties("SiteDistribution")["DistributionConfig"]
    custom = DeployedStack(template, DomainName="sho.rt", CertificateArn=CERTIFICATE).properties(
        "SiteDistribution"
    )["DistributionConfig"]

    assert "Aliases" not in default
    assert default["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}
    assert custom["Aliases"] == ["sho.rt"]
    assert custom["ViewerCertificate"] == {
        "AcmCertificateArn": CERTIFICATE,
        # SNI: a dedicated IP certificate costs $600 a month; every browser sends SNI.
        "SslSupportMethod": "sni-only",
        # No TLS 1.0/1.1 for viewers where CloudFront lets us choose (see the template).
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }


def test_domain_and_certificate_come_together_or_not_at_all(template):
    (rule,) = [
        rule
        for rule in template["Rules"].values()
        if {"Ref": "DomainName"} in json_values(rule)
        and {"Ref": "CertificateArn"} in json_values(rule)
    ]
    (assertion,) = rule["Assertions"]
    for domain, certificate in [("", ""), ("sho.rt", "arn"), ("sho.rt", ""), ("", "arn")]:
        allowed = evaluate_rule(
            assertion["Assert"], {"DomainName": domain, "CertificateArn": certificate}
        )
        assert allowed is ((domain == "") == (certificate == "")), (domain, certificate)


def json_values(value: Any) -> list[Any]:
    """Every dict and scalar nested in a value (to find the Refs a rule uses)."""
    found = [value]
    if isinstance(value, dict):
        for inner in value.values():
            found.extend(json_values(inner))
    elif isinstance(value, list):
        for inner in value:
            found.extend(json_values(inner))
    return found


def evaluate_rule(expression: Any, parameters: dict[str, str]) -> Any:
    """The few rule functions the template uses, evaluated as CloudFormation would."""
    if isinstance(expression, str):
        return expression
    ((name, arguments),) = expression.items()
    if name == "Ref":
        return parameters[arguments]
    values = [evaluate_rule(argument, parameters) for argument in arguments]
    if name == "Fn::Equals":
        return values[0] == values[1]
    if name == "Fn::Not":
        return not values[0]
    if name == "Fn::And":
        return all(values)
    if name == "Fn::Or":
        return any(values)
    raise AssertionError(f"rule function {name} not modelled here")


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("", True),
        ("sho.rt", True),
        ("links.example.com", True),
        ("xn--bcher-kva.example", True),
        ("https://sho.rt", False),
        ("sho.rt/", False),
        ("sho.rt.", False),
        ("localhost", False),
        ("-bad.example", False),
    ],
)
def test_the_domain_name_is_a_bare_dns_name(template, value, allowed):
    pattern = template["Parameters"]["DomainName"]["AllowedPattern"]
    assert (re.fullmatch(pattern, value) is not None) is allowed


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("", True),
        (
            "arn:aws:acm:us-east-1:123456789012:certificate/0b5779b0-125d-4cec-98e9-946fcfc687b6",
            True,
        ),
        # CloudFront takes certificates from us-east-1 only.
        (
            "arn:aws:acm:eu-west-1:123456789012:certificate/0b5779b0-125d-4cec-98e9-946fcfc687b6",
            False,
        ),
        ("arn:aws:iam::123456789012:server-certificate/sho", False),
        ("not-an-arn", False),
    ],
)
def test_the_certificate_is_an_acm_certificate_in_us_east_1(template, value, allowed):
    pattern = template["Parameters"]["CertificateArn"]["AllowedPattern"]
    assert (re.fullmatch(pattern, value) is not None) is allowed


# --- routing ---------------------------------------------------------------------------


def test_the_api_is_the_default_behaviour_and_the_page_paths_come_first(template):
    config = distribution(template)
    assert is_api_origin(template, config["DefaultCacheBehavior"]["TargetOriginId"])
    patterns = [behaviour["PathPattern"] for behaviour in config["CacheBehaviors"]]
    assert len(patterns) == len(set(patterns))
    assert "*" not in patterns  # nothing may swallow the short links before the default


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_each_page_path_reaches_the_bucket(template, path):
    assert is_site_bucket_origin(template, behaviour_for(template, path)["TargetOriginId"])


@pytest.mark.parametrize("path", API_PATHS)
def test_everything_else_reaches_the_api(template, path):
    assert is_api_origin(template, behaviour_for(template, path)["TargetOriginId"])


def test_the_root_reaches_index_html_whenever_default_root_object_applies(template):
    # CloudFront rewrites "/" to DefaultRootObject; the docs leave open whether before
    # or after it picks the behaviour, so both "/" and "/index.html" must go to S3.
    assert distribution(template)["DefaultRootObject"] == "index.html"
    for path in ("/", "/index.html"):
        behaviour = behaviour_for(template, path)
        assert behaviour.get("PathPattern") is not None, path  # not the default (the API)
        assert is_site_bucket_origin(template, behaviour["TargetOriginId"]), path


def test_the_pattern_matcher_follows_cloudfronts_rules():
    assert pattern_matches("/", "/")
    assert not pattern_matches("/", "/abc")
    assert pattern_matches("assets/*", "/assets/a/b.js")
    assert not pattern_matches("/assets/*", "/assets")
    assert pattern_matches("/a??.jpg", "/abe.jpg")
    assert not pattern_matches("/index.html", "/INDEX.html")


# --- the API's behaviour ----------------------------------------------------------------


def test_the_api_origin_is_the_http_api_over_tls_1_2_with_the_verify_header(template):
    (api,) = [o for o in distribution(template)["Origins"] if "CustomOriginConfig" in o]
    assert is_api_origin(template, api["Id"])
    custom = api["CustomOriginConfig"]
    assert custom["OriginProtocolPolicy"] == "https-only"
    assert custom["OriginSSLProtocols"] == ["TLSv1.2"]
    assert custom.get("HTTPSPort", 443) == 443
    assert api.get("OriginPath", "") == ""  # $default stage: served from the root
    assert api["OriginCustomHeaders"] == [
        {"HeaderName": "X-Origin-Verify", "HeaderValue": SECRET_REFERENCE}
    ]


def test_every_api_behaviour_caches_nothing(template):
    api_behaviours = [
        b for b in behaviours(template) if is_api_origin(template, b["TargetOriginId"])
    ]
    assert api_behaviours
    for behaviour in api_behaviours:
        # Every click must reach the redirect function to be counted.
        assert behaviour["CachePolicyId"] == CACHING_DISABLED
        assert "ForwardedValues" not in behaviour
        assert "DefaultTTL" not in behaviour
        assert "MaxTTL" not in behaviour


def test_the_short_links_take_get_and_head_and_the_rest_of_the_api_every_method(template):
    assert set(distribution(template)["DefaultCacheBehavior"]["AllowedMethods"]) == {"GET", "HEAD"}
    api_paths = ("/shorten", "/links", "/links/abc123", "/links/abc123/qr", "/links/import")
    for path in (*api_paths, "/admin/links", "/admin/keys/0123", "/reports"):
        assert set(behaviour_for(template, path)["AllowedMethods"]) == {
            "GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE",
        }  # fmt: skip


@pytest.mark.parametrize("path", SHORT_LINK_PATHS)
def test_a_short_link_gets_exactly_the_headers_the_redirect_reads(template, path):
    policy_id = behaviour_for(template, path)["OriginRequestPolicyId"]
    others = HEADERS_THE_OTHER_ROUTES_READ | {"cookie", "host"}
    for header in others | CLICK_ORIGIN_HEADERS:
        assert forwards(template, policy_id, header) is (header in HEADERS_THE_REDIRECT_READS), (
            header
        )
    config = properties(template, policy_id["Ref"], "AWS::CloudFront::OriginRequestPolicy")[
        "OriginRequestPolicyConfig"
    ]
    assert config["CookiesConfig"] == {"CookieBehavior": "none"}
    assert config["QueryStringsConfig"] == {"QueryStringBehavior": "none"}
    # CloudFront's default quota: at most 10 headers in a policy.
    assert len(config["HeadersConfig"]["Headers"]) <= 10


@pytest.mark.parametrize("path", ["/shorten", "/links/abc123", "/links/abc123/qr"])
@pytest.mark.parametrize("header", sorted(HEADERS_THE_OTHER_ROUTES_READ))
def test_the_rest_of_the_api_gets_every_header_it_reads(template, path, header):
    behaviour = behaviour_for(template, path)
    assert forwards(template, behaviour["OriginRequestPolicyId"], header), header


def test_the_api_gets_its_own_host_not_the_viewers(template):
    for behaviour in behaviours(template):
        if is_api_origin(template, behaviour["TargetOriginId"]):
            assert not forwards(template, behaviour["OriginRequestPolicyId"], "host")


def test_the_forwarded_host_function_runs_where_it_is_read_and_not_on_a_click(template):
    function = properties(template, "ForwardedHostFunction", "AWS::CloudFront::Function")
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert function["AutoPublish"] is True
    association = {
        "EventType": "viewer-request",
        "FunctionARN": {"Fn::GetAtt": ["ForwardedHostFunction", "FunctionARN"]},
    }
    for path in ("/shorten", "/links/abc123", "/links/abc123/qr"):
        assert behaviour_for(template, path).get("FunctionAssociations") == [association], path
    # Each function invocation is billed: a click pays for none (deploy/cost.py).
    for path in [*SHORT_LINK_PATHS, *PAGE_PATHS]:
        assert behaviour_for(template, path).get("FunctionAssociations", []) == [], path


# CloudFront caches these statuses from an origin (Developer Guide, "How CloudFront
# processes HTTP 4xx and 5xx status codes from your origin"): always 404, 414, 500, 501,
# 502, 503, 504 (of these only 404, 414 and 501 honour no-store); 400, 403, 405, 412 and
# 415 when the origin says max-age. Custom error responses take 400, 403, 404, 405, 414,
# 416 and 500 to 504 ("Creating a custom error page"); 416 is never cached.
CACHED_ERROR_STATUSES = {400, 403, 404, 405, 412, 414, 415, 500, 501, 502, 503, 504}
CONFIGURABLE_ERROR_STATUSES = {400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504}


def test_no_error_answer_is_kept_at_the_edge(template):
    responses = distribution(template)["CustomErrorResponses"]
    by_code = {response["ErrorCode"]: response for response in responses}
    assert len(by_code) == len(responses)
    assert set(by_code) == CACHED_ERROR_STATUSES & CONFIGURABLE_ERROR_STATUSES
    for code, response in by_code.items():
        # Passed through as the origin sent it, and kept for 0 s.
        assert response == {"ErrorCode": code, "ErrorCachingMinTTL": 0}


def run_forwarded_host_function(code: str, request: dict[str, Any]) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    event = json.dumps(
        {
            "request": request,
            "viewer": {"ip": "203.0.113.7"},
            "context": {"distributionDomainName": "d111111abcdef8.cloudfront.net"},
        }
    )
    script = f"{code}\nprocess.stdout.write(JSON.stringify(handler({event})));"
    result = subprocess.run(
        [node, "-e", script], capture_output=True, text=True, timeout=30, check=True
    )
    returned: dict[str, Any] = json.loads(result.stdout)
    return returned


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"host": {"value": "sho.rt"}}, {"value": "sho.rt"}),
        # A viewer's own X-Forwarded-Host never reaches the API.
        (
            {"host": {"value": "sho.rt"}, "x-forwarded-host": {"value": "evil.example"}},
            {"value": "sho.rt"},
        ),
        ({"x-forwarded-host": {"value": "evil.example"}}, None),
        (
            {
                "host": {"value": "sho.rt"},
                "x-viewer-address": {"value": "198.51.100.66"},
                "x-distribution-host": {"value": "evil.example"},
            },
            {"value": "sho.rt"},
        ),
    ],
)
def test_the_function_copies_the_viewers_host_into_x_forwarded_host(template, headers, expected):
    code = properties(template, "ForwardedHostFunction", "AWS::CloudFront::Function")[
        "FunctionCode"
    ]
    request = {
        "method": "GET",
        "uri": "/abc123",
        "querystring": {},
        "headers": headers,
        "cookies": {},
    }
    returned = run_forwarded_host_function(code, request)
    assert returned["headers"].get("x-forwarded-host") == expected
    # The viewer's address, from CloudFront, whatever the client sent.
    assert returned["headers"]["x-viewer-address"] == {"value": "203.0.113.7"}
    # And the distribution's own name, which a link must not point at (a loop).
    assert returned["headers"]["x-distribution-host"] == {"value": "d111111abcdef8.cloudfront.net"}
    assert returned["uri"] == "/abc123"
    assert returned["headers"].get("host") == headers.get("host")


# --- the page's behaviours ---------------------------------------------------------------


def page_behaviours(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in behaviours(template) if is_site_bucket_origin(template, b["TargetOriginId"])]


def test_page_behaviours_only_read_and_forward_nothing(template):
    assert page_behaviours(template)
    for behaviour in page_behaviours(template):
        where = behaviour["PathPattern"]
        assert set(behaviour["AllowedMethods"]) == {"GET", "HEAD"}, where
        # S3 must get its own Host and needs nothing from the viewer.
        assert "OriginRequestPolicyId" not in behaviour, where
        assert "ForwardedValues" not in behaviour, where


@pytest.mark.parametrize("path", ["/", "/index.html", "/config.json"])
def test_the_entry_points_revalidate_within_minutes(template, path):
    policy_id = behaviour_for(template, path)["CachePolicyId"]
    config = properties(template, policy_id["Ref"], "AWS::CloudFront::CachePolicy")[
        "CachePolicyConfig"
    ]
    assert config["MinTTL"] == 0
    assert config["DefaultTTL"] <= config["MaxTTL"] <= 300
    key = config["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["EnableAcceptEncodingGzip"] is True
    assert key["EnableAcceptEncodingBrotli"] is True
    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}
    assert key["QueryStringsConfig"] == {"QueryStringBehavior": "none"}


@pytest.mark.parametrize("path", ["/assets/app.js", "/openapi.json", "/robots.txt"])
def test_the_other_page_files_use_the_managed_caching_policy(template, path):
    assert behaviour_for(template, path)["CachePolicyId"] == CACHING_OPTIMIZED


# --- security headers ---------------------------------------------------------------------


def security_headers(template: dict[str, Any]) -> dict[str, Any]:
    config = properties(
        template, "SiteSecurityHeadersPolicy", "AWS::CloudFront::ResponseHeadersPolicy"
    )["ResponseHeadersPolicyConfig"]
    headers: dict[str, Any] = config["SecurityHeadersConfig"]
    return headers


def test_every_behaviour_sends_the_security_headers(template):
    for behaviour in behaviours(template):
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "SiteSecurityHeadersPolicy"}


def test_hsts_lasts_at_least_a_year_and_covers_subdomains(template):
    hsts = security_headers(template)["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= ONE_YEAR
    assert hsts["IncludeSubdomains"] is True
    assert hsts["Override"] is True


def test_the_content_security_policy_allows_only_what_the_page_uses(template):
    csp = security_headers(template)["ContentSecurityPolicy"]
    assert csp["ContentSecurityPolicy"] == CSP
    assert csp["Override"] is True


def test_nosniff_frame_denial_and_a_referrer_policy(template):
    headers = security_headers(template)
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] in {
        "strict-origin-when-cross-origin",
        "no-referrer",
    }
    assert headers["ReferrerPolicy"]["Override"] is True


# --- identity through CloudFront ---------------------------------------------------------


def test_the_origin_verify_secret_is_generated_and_reaches_every_function(template):
    secret = properties(template, "OriginVerifySecret", "AWS::SecretsManager::Secret")
    assert secret["GenerateSecretString"]["PasswordLength"] >= 32
    assert "SecretString" not in secret  # generated, never written in the template
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["ORIGIN_VERIFY_SECRET"] == SECRET_REFERENCE
    # During a rotation only, the version before it too (docs/operations.md).
    assert variables["ORIGIN_VERIFY_PREVIOUS_SECRET"] == {
        "Fn::If": [
            "AcceptsPreviousOriginVerifySecret",
            {
                "Fn::Sub": "{{resolve:secretsmanager:${OriginVerifySecret}"
                ":SecretString::AWSPREVIOUS}}"
            },
            {"Ref": "AWS::NoValue"},
        ]
    }
    assert template["Parameters"]["AcceptPreviousOriginVerifySecret"]["Default"] == "false"
    assert template["Parameters"]["OriginVerifySecretVersion"]["Default"] == ""
    for logical_id, function in resources_of_type(template, "AWS::Serverless::Function").items():
        own = (function["Properties"].get("Environment") or {}).get("Variables") or {}
        assert "ORIGIN_VERIFY_SECRET" not in own, logical_id


def dependencies(template: dict[str, Any]) -> dict[str, set[str]]:
    """Logical id -> what it needs first, as SAM translates it: an HttpApi event
    becomes a route and an integration of the API, which need the function; the
    function itself does not need the API."""
    resources = template["Resources"]
    graph = {}
    for logical_id, resource in resources.items():
        own = {k: v for k, v in (resource.get("Properties") or {}).items() if k != "Events"}
        needed = references(own) | set(as_list(resource.get("DependsOn", [])))
        graph[logical_id] = needed & set(resources)
    globals_ = references((template.get("Globals") or {}).get("Function")) & set(resources)
    for logical_id, function in resources_of_type(template, "AWS::Serverless::Function").items():
        graph[logical_id] |= globals_
        for event in (function["Properties"].get("Events") or {}).values():
            if event.get("Type") == "HttpApi":
                graph[event["Properties"]["ApiId"]["Ref"]].add(logical_id)
    return graph


def test_there_is_no_dependency_cycle(template):
    graph = dependencies(template)
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, " -> ".join((*path, node))
        if node in done:
            return
        for needed in graph[node]:
            visit(needed, (*path, node))
        done.add(node)

    for node in graph:
        visit(node, ())
    # The distribution needs the API and the secret; no function needs the distribution.
    assert {"HttpApi", "OriginVerifySecret"} <= graph["SiteDistribution"]
    for logical_id in resources_of_type(template, "AWS::Serverless::Function"):
        assert "OriginVerifySecret" in graph[logical_id]
        assert "SiteDistribution" not in graph[logical_id]


# --- outputs --------------------------------------------------------------------------------


def test_the_site_and_its_short_links_are_on_the_custom_domain_if_there_is_one(template):
    default = DeployedStack(template)
    custom = DeployedStack(template, DomainName="sho.rt", CertificateArn=CERTIFICATE)
    elsewhere = DeployedStack(template, PublicBaseUrl="https://s.example")

    distributions_own = f"https://{default.get_att('SiteDistribution', 'DomainName')}"
    assert default.output("SiteUrl") == default.output("ShortLinkBaseUrl") == distributions_own
    assert custom.output("SiteUrl") == custom.output("ShortLinkBaseUrl") == "https://sho.rt"
    # PublicBaseUrl, when given, is where the links point (docs/operations.md).
    assert elsewhere.output("ShortLinkBaseUrl") == "https://s.example"


def test_the_optional_waf_rule_limits_each_viewer_address_and_refuses_like_the_api(template):
    off, on = DeployedStack(template), DeployedStack(template, WafRateLimitPerClient="2000")
    (acl_id,) = resources_of_type(template, "AWS::WAFv2::WebACL")
    # Off by default (it costs a monthly fee); on, the distribution is behind it.
    assert not off.resource_enabled(acl_id)
    assert "WebACLId" not in off.properties("SiteDistribution")["DistributionConfig"]
    assert on.resource_enabled(acl_id)
    assert on.properties("SiteDistribution")["DistributionConfig"]["WebACLId"] == on.get_att(
        acl_id, "Arn"
    )
    properties = template["Resources"][acl_id]["Properties"]
    # A web ACL for a distribution is global; everything it does not limit passes.
    assert properties["Scope"] == "CLOUDFRONT"
    assert properties["DefaultAction"] == {"Allow": {}}
    [rule] = properties["Rules"]
    assert rule["Statement"] == {
        "RateBasedStatement": {
            "Limit": {"Ref": "WafRateLimitPerClient"},
            "EvaluationWindowSec": 300,  # the parameter's "requests in 5 minutes"
            "AggregateKeyType": "IP",
        }
    }
    # WAF's own answer takes the place of anything the API or CloudFront would send, so
    # it must be a refusal in the API's shape: 429, a JSON message, when to retry.
    response = rule["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    headers = {header["Name"]: header["Value"] for header in response["ResponseHeaders"]}
    assert headers == {"Retry-After": "60", "Cache-Control": "no-store"}
    body = properties["CustomResponseBodies"][response["CustomResponseBodyKey"]]
    assert body["ContentType"] == "APPLICATION_JSON"
    assert set(json.loads(body["Content"])) == {"message"}
    assert "try again" in json.loads(body["Content"])["message"]
