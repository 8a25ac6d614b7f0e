"""The likeness scan's state and result on a version or a take (projects/likeness_scan.py)."""

from __future__ import annotations

from rest_framework import serializers


class ScanMatchSerializer(serializers.Serializer):
    talent_id = serializers.UUIDField()
    talent = serializers.CharField()
    agency = serializers.CharField()
    distance = serializers.FloatField(help_text="Euclidean distance of the 128-d face descriptors; a match is ≤ threshold.")
    at_seconds = serializers.FloatField(help_text="Where in the media the closest face was sampled.")
    covered = serializers.BooleanField(help_text="A grant of the studio covers this performer's likeness.")
    use_state = serializers.CharField(allow_null=True, help_text="The recorded likeness use's state (the agency's review).")


class LikenessScanSerializer(serializers.Serializer):
    """What the scan found. Client reviewers see the state only; the studio sees the rest."""

    state = serializers.ChoiceField(choices=["pending", "running", "clear", "matched", "held", "failed"])
    scanned_at = serializers.DateTimeField(allow_null=True)
    held_reason = serializers.CharField(help_text="Held: which protected performer it matched and why it is held.")
    matches = ScanMatchSerializer(many=True)
    reasons = serializers.ListField(child=serializers.DictField(), help_text="The consent policy's reasons for the hold.")
    request_consent = serializers.DictField(
        allow_null=True, help_text="Held: the pre-filled consent request (POST /api/v1/consent-requests/), origin likeness_scan."
    )
    frames_sampled = serializers.IntegerField(allow_null=True)
    faces_found = serializers.IntegerField(allow_null=True)
    sample_fps = serializers.IntegerField(allow_null=True)
    threshold = serializers.FloatField(allow_null=True)
    error = serializers.CharField(allow_blank=True)


def scan_view(row, *, internal: bool) -> dict:
    """The `likeness_scan` field of a version or take; `internal`: the caller sees studio internals."""
    result = row.scan_result if isinstance(row.scan_result, dict) else {}
    view = {"state": row.scan_state, "scanned_at": row.scanned_at.isoformat() if row.scanned_at else None}
    if not internal:
        return {**view, "held_reason": "", "matches": [], "reasons": [], "request_consent": None, "frames_sampled": None,
                "faces_found": None, "sample_fps": None, "threshold": None, "error": ""}
    return {
        **view, "held_reason": result.get("held_reason") or "",
        "matches": [{k: m.get(k) for k in ScanMatchSerializer().fields} for m in result.get("matches") or []],
        "reasons": result.get("held") or [], "request_consent": result.get("request_consent"),
        "frames_sampled": result.get("frames_sampled"), "faces_found": result.get("faces_found"),
        "sample_fps": result.get("sample_fps"), "threshold": result.get("threshold"), "error": result.get("error") or "",
    }
