"""The one upload field of the API: its refusals say what to do, in the user's terms.

DRF's `FileField` answered "The submitted data was not a file. Check the encoding type on the form."
or "The submitted file is empty."; every upload of the API (versions, likeness assets, CSV and cut
imports) uses `UploadField`, which names what to choose instead.

Uploads are written to a temporary file as they arrive, with a running cap
(`CappedTemporaryFileUploadHandler`), and a stored version's file is moved into place from there.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from rest_framework import serializers

from studio.http.limits import body_limit_for


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


class CappedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Every uploaded file streams to a temporary file as it arrives (never whole in memory), and the
    upload stops with 413 once the request's files pass the route's body limit (studio/http/limits.py).

    The ASGI middleware already caps what is read; this holds the same cap inside Django, under the
    test client or WSGI, while the multipart body is parsed. The only handler (FILE_UPLOAD_HANDLERS)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = body_limit_for(self.request.path_info if self.request is not None else "")
        self.received = 0
        return super().handle_raw_input(input_data, META, content_length, boundary, encoding)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise RequestDataTooBig(f"The upload passed this endpoint's limit of {self.limit:,} bytes.")
        return super().receive_data_chunk(raw_data, start)
