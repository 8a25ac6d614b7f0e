"""Where media work is sent.

Media tasks (ffmpeg processing, likeness scans, conforms, share copies, animatics) go to
`settings.MEDIA_QUEUE` (`MEDIA_QUEUE`, default `media`), read when the task is sent, as renders go
to `settings.GENERATION_QUEUE`. A deployment can give one pool of media workers a queue of its own;
the test suite gives each group of tests the queue that only its own worker consumes, so a media task
sent by one test is never run by another test's worker against other settings.
"""

from __future__ import annotations

from django.conf import settings


def send_media(task, *args):
    """Send `task(*args)` to the media queue; returns the AsyncResult."""
    return task.apply_async(args=list(args), queue=settings.MEDIA_QUEUE)
