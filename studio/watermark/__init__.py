"""Forensic watermark of review copies: the signal and its reader. Core: no domain imports.

| module | what |
|---|---|
| `pattern` | the keyed, tiled spread-spectrum luma pattern; embed in a frame, fold and align a suspect |
| `payload` | 32-bit mark id + CRC-16, soft decoding with Chase bit flips |
| `video` | mark a video through ffmpeg pipes; read a still (PNG/JPEG) or a clip |

Which viewer and version a mark id stands for is the domain's business (`projects.watermarks`, the
`WatermarkMark` table); docs/RIGHTS.md ("Forensic watermark") says what is marked and how well it survives.
"""

from __future__ import annotations

from django.conf import settings

from studio.watermark.pattern import Key


def secret_key() -> Key:
    """The key every mark is drawn with: derived from settings.SECRET_KEY (rotate it and old marks go dark)."""
    return Key.from_secret(f"watermark:{settings.SECRET_KEY}".encode())
