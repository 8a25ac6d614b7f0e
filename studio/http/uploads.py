"""The one upload field of the API: its refusals say what to do, in the user's terms.

DRF's `FileField` answered "The submitted data was not a file. Check the encoding type on the form."
or "The submitted file is empty."; every upload of the API (versions, likeness assets, CSV and cut
imports) uses `UploadField`, which names what to choose instead.
"""

from __future__ import annotations

from rest_framework import serializers


class UploadField(serializers.FileField):
    def __init__(self, *, what: str = "a file", **kwargs):
        self.what = what
        super().__init__(**kwargs)
        self.error_messages.update(
            {
                "required": f"Choose {what} to upload (sent as the multipart form field 'file').",
                "invalid": f"No file arrived; choose {what} to upload and send the form as multipart/form-data.",
                "no_name": f"The file has no name; choose {what} to upload from your computer.",
                "empty": f"The file is empty (0 bytes); choose {what} with content to upload.",
                "max_length": "The file name is too long; rename the file to at most {max_length} characters.",
            }
        )
