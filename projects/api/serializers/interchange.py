"""Shot-list and cut imports (CSV, OTIO, EDL)."""

from __future__ import annotations

from rest_framework import serializers

from studio.http.uploads import UploadField


class ImportSerializer(serializers.Serializer):
    file = UploadField(what="the .csv, .otio or .edl file")
    dry_run = serializers.BooleanField(required=False, default=False, help_text="Report what would change without writing.")


class CutImportSerializer(ImportSerializer):
    format = serializers.ChoiceField(choices=["otio", "edl"], required=False, help_text="Default: from the file extension.")
    frames = serializers.ChoiceField(
        choices=["source", "start"],
        required=False,
        default="source",
        help_text="'source': shot frames are the clip's source range; 'start': every shot starts at the project's start frame.",
    )


class ImportSummarySerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.CharField())
    updated = serializers.ListField(child=serializers.CharField())
    unchanged = serializers.ListField(child=serializers.CharField())
    sequences_created = serializers.ListField(child=serializers.CharField())
    not_in_file = serializers.ListField(child=serializers.CharField(), help_text="Existing shots the file did not mention (left alone).")
    ignored_columns = serializers.ListField(child=serializers.CharField(), required=False)
    repeated = serializers.ListField(child=serializers.CharField(), required=False)
    skipped = serializers.ListField(child=serializers.CharField(), required=False)
    dry_run = serializers.BooleanField()
    source = serializers.CharField()


