"""django-storages' S3 backend with what Greenlight needs on top: presigned URLs for the endpoint
browsers reach (which may differ from the one pods use), and whole-file transfers to and from a
local path with boto3's managed (multipart, parallel) transfers."""

from __future__ import annotations

from pathlib import Path

from botocore.exceptions import ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class MediaS3Storage(S3Storage):
    def get_default_settings(self):
        return {**super().get_default_settings(), "public_endpoint_url": None}

    def key(self, name: str) -> str:
        return self._normalize_name(clean_name(name))

    def _presign_client(self):
        if not self.public_endpoint_url:
            return self.connection.meta.client
        client = getattr(self._connections, "public_client", None)
        if client is None:
            session = self._create_session()
            client = session.client("s3", region_name=self.region_name, endpoint_url=self.public_endpoint_url,
                                    config=self.client_config, verify=self.verify)
            self._connections.public_client = client
        return client

    def presigned_url(self, name: str, *, expire: int | None = None, parameters: dict | None = None, http_method: str = "GET") -> str:
        """A time-limited URL anyone holding it may GET (or HEAD) the object with, Range requests included."""
        operation = "head_object" if http_method == "HEAD" else "get_object"
        params = {**(parameters or {}), "Bucket": self.bucket_name, "Key": self.key(name)}
        if operation == "head_object":
            params = {k: v for k, v in params.items() if not k.startswith("Response")}
        return self._presign_client().generate_presigned_url(operation, Params=params, ExpiresIn=expire or self.querystring_expire)

    def download_to(self, name: str, path: Path) -> None:
        try:
            self.bucket.download_file(self.key(name), str(path), Config=self.transfer_config)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise FileNotFoundError(f"File does not exist: {name}") from err
            raise

    def stat(self, name: str) -> tuple[int, float]:
        """(size, modification time as a timestamp) in one request."""
        try:
            head = self.connection.meta.client.head_object(Bucket=self.bucket_name, Key=self.key(name))
        except ClientError as err:
            if err.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"File does not exist: {name}") from err
            raise
        return int(head["ContentLength"]), head["LastModified"].timestamp()
