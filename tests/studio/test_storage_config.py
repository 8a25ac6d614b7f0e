"""Which media store the environment names (studio/storage/config.py), and the S3 backend's
presigned URLs — offline: presigning signs locally and needs no server."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from studio.storage.config import LOCAL_BACKEND, S3_BACKEND, StorageConfigError, parse_storage_url, storages_from_env
from studio.storage.s3 import MediaS3Storage
from tests.studio.test_health_and_errors import _run_django


def test_the_local_folder_is_the_default():
    assert storages_from_env({}, expire=300)["default"] == {"BACKEND": LOCAL_BACKEND}


def test_a_storage_url_names_endpoint_bucket_prefix_keys_and_region():
    options = parse_storage_url("s3+http://AK%2F1:s%40cret@seaweed.internal:8333/media/prod/v1?region=eu-west-1", expire=120)["OPTIONS"]
    assert {k: options[k] for k in ("bucket_name", "location", "endpoint_url", "access_key", "secret_key", "region_name")} == {
        "bucket_name": "media", "location": "prod/v1", "endpoint_url": "http://seaweed.internal:8333",
        "access_key": "AK/1", "secret_key": "s@cret", "region_name": "eu-west-1"}
    assert options["querystring_expire"] == 120 and options["addressing_style"] == "path" and options["default_acl"] is None
    assert options["file_overwrite"] is False  # as on disk: a taken name gets a suffix
    aws = parse_storage_url("s3:///greenlight-media?region=us-east-2", expire=300)["OPTIONS"]
    assert aws["endpoint_url"] is None and "access_key" not in aws  # AWS itself, the pod's IAM role
    assert parse_storage_url("s3://k:s@minio:9000/b", expire=300)["OPTIONS"]["endpoint_url"] == "https://minio:9000"


def test_the_usual_aws_variables_name_a_bucket_too():
    default = storages_from_env({"AWS_STORAGE_BUCKET_NAME": "b", "AWS_S3_ENDPOINT_URL": "https://s3.example", "AWS_ACCESS_KEY_ID": "k",
                                 "AWS_SECRET_ACCESS_KEY": "s", "AWS_S3_REGION_NAME": "r"}, expire=300)["default"]
    assert default["BACKEND"] == S3_BACKEND and default["OPTIONS"]["bucket_name"] == "b" and default["OPTIONS"]["access_key"] == "k"


@pytest.mark.parametrize("url,message", [
    ("https://k:s@host/b", "must start with s3://"),
    ("s3://k:s@host/", "names no bucket"),
    ("s3://k:s@host/b?regoin=x", "unknown parameters"),
    ("s3://k:s@host/b?addressing=sideways", "path or virtual"),
])
def test_a_wrong_storage_url_says_what_is_wrong(url, message):
    with pytest.raises(StorageConfigError, match=message):
        parse_storage_url(url, expire=300)


def test_presigned_urls_carry_the_expiry_and_the_endpoint_browsers_reach():
    options = parse_storage_url("s3+http://k:s@objectstore.internal:8333/media?region=us-east-1&public_endpoint=https://media.example.com",
                                expire=300)["OPTIONS"]
    storage = MediaS3Storage(**options)
    url = urlsplit(storage.presigned_url("versions/a/b/review/proxy.mp4", expire=300,
                                         parameters={"ResponseContentType": "video/mp4"}))
    assert (url.scheme, url.netloc, url.path) == ("https", "media.example.com", "/media/versions/a/b/review/proxy.mp4")
    query = parse_qs(url.query)
    assert query["X-Amz-Expires"] == ["300"] and query["response-content-type"] == ["video/mp4"]


def test_a_pod_that_requires_the_object_store_refuses_to_start_without_one():
    refused = _run_django("print('started')", MEDIA_REQUIRE_OBJECT_STORE="1", STORAGE_URL="", AWS_STORAGE_BUCKET_NAME="")
    assert refused.returncode != 0 and "set STORAGE_URL" in refused.stderr
    bad = _run_django("print('started')", STORAGE_URL="ftp://host/b")
    assert bad.returncode != 0 and "must start with s3://" in bad.stderr
    started = _run_django("from django.conf import settings; print(settings.STORAGES['default']['OPTIONS']['bucket_name'])",
                          MEDIA_REQUIRE_OBJECT_STORE="1", STORAGE_URL="s3://k:s@host/greenlight-media")
    assert started.returncode == 0 and started.stdout.strip().splitlines()[-1] == "greenlight-media"
