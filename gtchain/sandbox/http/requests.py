"""The HTTP layer's reading of a request: who signed it, which service and operation it calls.

Each service's wire protocol from its API reference and botocore's model: SigV4's credential
scope (access key, region, signing name: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
JSON services' ``X-Amz-Target`` header, Lambda's REST path, the query protocol's ``Action``
and S3's REST paths and sub-resources (virtual-hosted or path style). The IAM guard and the
fault guard read requests through here, before moto does.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/")
_LAMBDA_INVOKE = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations/?$")


@dataclass
class ParsedCall:
    service: str
    operation: str
    params: dict[str, Any]
    protocol: str  # "rest-xml" (S3), "json", "rest-json" (Lambda), "query"


def credential_scope(environ: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """(access key id, region, signing service) of a SigV4 request."""
    match = _CREDENTIAL.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    if match:
        return match.group(1), match.group(2), match.group(3)
    query = parse_qs(str(environ.get("QUERY_STRING", "")))
    credential = (query.get("X-Amz-Credential") or [""])[0].split("/")
    if len(credential) >= 4:
        return credential[0], credential[2], credential[3]
    return None


def read_body(environ: dict[str, Any]) -> bytes:
    """Read the body and put it back for moto."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    body = stream.read(length) if stream is not None and length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def request_path(environ: Mapping[str, Any]) -> str:
    # PEP 3333: PATH_INFO is the decoded path tunnelled through latin-1.
    return str(environ.get("PATH_INFO", "")).encode("latin-1").decode("utf-8", "replace")


_S3_LISTING_PARAMETERS = {
    "list-type",
    "prefix",
    "delimiter",
    "marker",
    "max-keys",
    "encoding-type",
    "continuation-token",
    "start-after",
    "fetch-owner",
}


def _s3_call(environ: Mapping[str, Any]) -> ParsedCall:
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    host = str(environ.get("HTTP_HOST", "")).split(":")[0]
    path = request_path(environ).lstrip("/")
    query = parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
    if host.endswith(".localhost") and host != "localhost":  # virtual-hosted style
        bucket, key = host[: -len(".localhost")], path
    else:
        bucket, _, key = path.partition("/")
    params: dict[str, Any] = {"Bucket": bucket}
    if key:
        params["Key"] = key
        if "versionId" in query:
            params["VersionId"] = query["versionId"][0]
        operation = _s3_object_operation(method, query, bool(environ.get("HTTP_X_AMZ_COPY_SOURCE")))
    else:
        operation = _s3_bucket_operation(method, bucket, query, params)
    if operation is None:  # named so that the IAM guard's refusal says what it could not map
        subresources = ",".join(sorted(query)) or "-"
        where = "object" if key else ("bucket" if bucket else "service")
        operation = f"{method} {where} ?{subresources}"
    return ParsedCall("s3", operation, params, "rest-xml")


def _s3_bucket_operation(
    method: str, bucket: str, query: Mapping[str, list[str]], params: dict[str, Any]
) -> str | None:
    if not bucket:
        return "ListBuckets" if method == "GET" else None
    if method == "HEAD":
        return "HeadBucket"
    if method == "GET" and "location" in query:
        return "GetBucketLocation"
    if method == "GET" and set(query) <= _S3_LISTING_PARAMETERS:
        params["Prefix"] = (query.get("prefix") or [""])[0]
        return "ListObjectsV2" if (query.get("list-type") or [""])[0] == "2" else "ListObjects"
    return None


def _s3_object_operation(method: str, query: Mapping[str, list[str]], copy_source: bool) -> str | None:
    subresources = set(query) - {"versionId", "partNumber", "uploadId", "uploads", "x-id"}
    overrides = {"response-content-type", "response-content-disposition"}
    if method in {"GET", "HEAD"} and not subresources - overrides:
        if method == "GET" and "uploadId" in query:
            return "ListParts"
        return "GetObject" if method == "GET" else "HeadObject"
    if subresources:
        return None
    return _s3_object_write(method, query, copy_source)


def _s3_object_write(method: str, query: Mapping[str, list[str]], copy_source: bool) -> str | None:
    multipart = "uploadId" in query
    if method == "PUT":
        return "CopyObject" if copy_source else ("UploadPart" if multipart else "PutObject")
    if method == "POST" and "uploads" in query:
        return "CreateMultipartUpload"
    if method == "POST" and multipart:
        return "CompleteMultipartUpload"
    if method == "DELETE":
        return "AbortMultipartUpload" if multipart else "DeleteObject"
    return None


def parse_call(environ: dict[str, Any], service: str) -> ParsedCall:
    """The operation and parameters of a request to ``service`` (its signing name)."""
    if service == "s3":
        return _s3_call(environ)
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        body = read_body(environ)
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = {}
        operation = target.rsplit(".", 1)[-1]
        return ParsedCall(service, operation, params if isinstance(params, dict) else {}, "json")
    if service == "lambda":
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        match = _LAMBDA_INVOKE.match(request_path(environ))
        query = parse_qs(str(environ.get("QUERY_STRING", "")))
        if method == "POST" and match:
            params = {"FunctionName": unquote(match.group("name"))}
            if query.get("Qualifier"):
                params["Qualifier"] = query["Qualifier"][0]
            return ParsedCall(service, "Invoke", params, "rest-json")
        return ParsedCall(service, f"{method} {request_path(environ)}", {}, "rest-json")
    body = read_body(environ)
    form = parse_qs(body.decode("utf-8", "replace")) if body else {}
    form = form or parse_qs(str(environ.get("QUERY_STRING", "")))
    flat = {name: values[0] for name, values in form.items()}
    return ParsedCall(service, str(flat.pop("Action", "")) or "<unknown>", flat, "query")
