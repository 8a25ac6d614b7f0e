"""What Greenlight puts in a file's Content Credentials (the domain's half; `studio.provenance` signs).

For a version's file:
- `c2pa.actions.v2`: a generated version starts with `c2pa.created` (IPTC digital source type
  `trainedAlgorithmicMedia`, the model as software agent, the seed and the prompt's SHA-256 as
  parameters); an uploaded one with `c2pa.opened` of its upload (a `parentOf` ingredient, since
  Greenlight does not know how it was made). The conformed H.264 copy (the proxy) adds
  `c2pa.transcoded` with the frame rate and size it was conformed to.
- `cawg.training-mining`: no AI training, inference or data mining.
- `com.greenlight.provenance`: the credential id (resolves to project, shot and version on
  Greenlight's verify page for people who may see them; the file itself names none of them),
  the signing organization, model name and version, seed, SHA-256 of the prompt and of the
  negative prompt (never the text), the likeness-use and consent-grant ids with the agency's
  decision, the approvals (lane, decision, time), the consent policy's outcome and version.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from projects.consent import version_ref
from projects.models import Approval, SignedCopy, Version
from rights import selectors as rights_selectors
from rights.policy import POLICY_VERSION
from studio import provenance

ASSERTION = "com.greenlight.provenance"
GENERATOR = {"name": "Greenlight", "version": "1.0"}
NO_MINING = {
    "entries": {
        "cawg.ai_generative_training": {"use": "notAllowed"},
        "cawg.ai_inference": {"use": "notAllowed"},
        "cawg.ai_training": {"use": "notAllowed"},
        "cawg.data_mining": {"use": "notAllowed"},
    }
}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _model(lineage: dict) -> dict[str, str]:
    model = lineage.get("model") if isinstance(lineage.get("model"), dict) else {}
    runtime = lineage.get("runtime") if isinstance(lineage.get("runtime"), dict) else {}
    version = model.get("version") or model.get("revision") or (f"profile {model['id']}" if model.get("id") else "")
    return {
        "name": str(model.get("name") or ""),
        "version": str(version),
        "family": str(model.get("family") or ""),
        "pipeline": str(model.get("pipeline_class") or ""),
        "diffusers": str(runtime.get("diffusers") or ""),
    }


def manifest_inputs(*, version: Version, kind: str) -> dict[str, Any]:
    """Everything the manifest states about `version`, without the credential id: equal inputs
    (and an equal source file) mean the cached signed copy can be served again."""
    lineage = version.lineage if isinstance(version.lineage, dict) else {}
    generated = version.source == Version.Source.GENERATION
    uses = rights_selectors.uses_for_version(version=version_ref(version))
    approvals = Approval.objects.filter(version=version).order_by("lane", "decided_at")
    organization = version.project.organization
    data: dict[str, Any] = {
        "organization": {"id": str(organization.pk), "name": organization.name},
        "kind": kind,
        "source": version.source,
        "digital_source_type": provenance.TRAINED_ALGORITHMIC_MEDIA if generated else "",
        "model": _model(lineage) if generated else None,
        "seed": lineage.get("seed") if generated else None,
        "prompt_sha256": _sha256(str(lineage.get("prompt") or "")) if generated else None,
        "negative_prompt_sha256": _sha256(str(lineage.get("negative_prompt") or "")) if generated else None,
        "likeness_uses": [
            {"id": str(u.pk), "talent_id": str(u.talent_id), "consent_grant_id": str(u.grant_id), "use_type": u.use_type,
             "agency_decision": u.state, "decided_at": u.decided_at.isoformat() if u.decided_at else None}
            for u in uses
        ],
        "consent_grant_ids": sorted({str(u.grant_id) for u in uses}),
        "approvals": [
            {"id": str(a.pk), "lane": a.lane, "decision": a.decision, "decided_at": a.decided_at.isoformat()} for a in approvals
        ],
        "approval_status": version.approval_status,
        "policy_version": POLICY_VERSION,
        "conformed": None,
    }
    if kind == SignedCopy.Kind.PROXY:
        data["conformed"] = {"codec": "H.264", "fps": f"{version.fps_num}/{version.fps_den}" if version.fps_num else None,
                             "width": version.width, "height": version.height, "frames": version.frame_count}
    return data


def inputs_digest(inputs: dict[str, Any], *, source_identity: str) -> str:
    canonical = json.dumps({"inputs": inputs, "source": source_identity}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def c2pa_manifest(*, inputs: dict[str, Any], credential_id: str, title: str, media_type: str) -> dict[str, Any]:
    """The manifest definition c2pa signs."""
    if inputs["source"] == Version.Source.GENERATION:
        model = inputs["model"] or {}
        first = {
            "action": provenance.CREATED,
            "digitalSourceType": provenance.TRAINED_ALGORITHMIC_MEDIA,
            "softwareAgent": {"name": model.get("name") or "unknown model", "version": model.get("version") or "unknown"},
            "description": "Generated by a text-to-video model on Greenlight.",
            "parameters": {"seed": inputs["seed"], "prompt_sha256": inputs["prompt_sha256"]},
        }
    else:
        first = {
            "action": provenance.OPENED,
            "description": "Uploaded to Greenlight; how it was made before is not known to Greenlight.",
            "parameters": {"ingredientIds": [provenance.PARENT_LABEL]},
        }
    actions = [first]
    if inputs.get("conformed"):
        actions.append({
            "action": provenance.TRANSCODED,
            "description": "Conformed by Greenlight: frame-exact H.264 at the version's frame rate.",
            "parameters": {k: v for k, v in inputs["conformed"].items() if v is not None},
        })
    if inputs.get("share_copy"):
        actions.append({
            "action": provenance.EDITED,
            "description": "A viewer's copy for a Greenlight share link: the viewer's name and the time burnt into the picture.",
            "parameters": {"share_copy": inputs["share_copy"]},
        })
    greenlight = {"credential_id": credential_id, **{k: v for k, v in inputs.items() if k not in ("kind",)}}
    return {
        "claim_generator_info": [GENERATOR],
        "title": title,
        "format": media_type,
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": actions}},
            {"label": "cawg.training-mining", "data": NO_MINING},
            {"label": ASSERTION, "data": greenlight},
        ],
    }
