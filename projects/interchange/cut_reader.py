"""Reads an uploaded cut (.otio or CMX 3600 .edl) in a child process, never in the web process.

OpenTimelineIO parses JSON in native code holding the GIL: a small, deeply nested file stalled the
whole web process, and a deeper one crashed it. `otio_cut` runs this file as a script
(`python -I cut_reader.py FORMAT RATE MAX_DEPTH CPU_SECONDS MEMORY_BYTES`, the file on stdin), and
this process first limits itself (CPU seconds and address space, `resource.setrlimit`), refuses an
.otio file nested deeper than MAX_DEPTH before any parser sees it, reads the timeline and writes
plain JSON on stdout: `{"clips": [...]}` (each clip's name, Greenlight metadata, source range in
the project's frames, record position and track) or `{"error": "what is wrong, for the user"}`.

It imports only the standard library and opentimelineio (no Django), so it starts quickly.
"""

from __future__ import annotations

import json
import re
import resource
import sys

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def nesting_depth(data: bytes) -> int:
    """The deepest nesting of JSON arrays and objects in `data` (strings skipped), without parsing it."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRINGS.sub(b'""', data)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _limit_self(cpu_seconds: int, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def _text(data: bytes, fmt: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if fmt != "edl":
            raise ValueError("The .otio file is not UTF-8 JSON; export it again as OpenTimelineIO JSON.") from None
        return data.decode("latin-1")


def _timeline(data: bytes, fmt: str, rate: float, max_depth: int):
    import opentimelineio as otio

    if fmt == "otio" and nesting_depth(data) > max_depth:
        raise ValueError(f"The .otio file nests more than {max_depth} levels deep; export a plain timeline of tracks and clips.")
    text = _text(data, fmt)
    if not text.strip():
        raise ValueError("The cut file is empty; choose the .otio or .edl file to import.")
    try:
        if fmt == "edl":
            result = otio.adapters.read_from_string(text, adapter_name="cmx_3600", rate=rate)
        else:
            result = otio.adapters.read_from_string(text, adapter_name="otio_json")
    except Exception as exc:  # noqa: BLE001 - adapters raise many kinds of errors on bad input
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"Could not read the {fmt.upper()} cut: {reason}") from None
    if not isinstance(result, otio.schema.Timeline):
        raise ValueError(f"The file holds a {type(result).__name__}, not a timeline; export a single timeline.")
    return result


def _greenlight(clip) -> dict:
    meta = clip.metadata.get("greenlight")
    if not hasattr(meta, "get"):
        return {}
    return {key: str(meta.get(key))[:200] for key in ("shot", "sequence") if meta.get(key)}


def _clip(clip, *, track: int, rate: float) -> dict:
    try:
        record = clip.range_in_parent().start_time.to_seconds()
    except Exception:  # noqa: BLE001 - clips nested in stacks have no simple parent range
        record = 0.0
    source = clip.source_range or clip.trimmed_range()
    frames = lambda t: int(round(t.rescaled_to(rate).value))  # noqa: E731
    return {
        "name": str(clip.name or "")[:200],
        "greenlight": _greenlight(clip),
        "clip_rate": source.start_time.rate,
        "start": frames(source.start_time),
        "duration": frames(source.duration),
        "record": record,
        "track": track,
    }


def read(data: bytes, *, fmt: str, rate: float, max_depth: int) -> dict:
    timeline = _timeline(data, fmt, rate, max_depth)
    clips = [
        _clip(clip, track=index, rate=rate)
        for index, track in enumerate(timeline.video_tracks())
        for clip in track.find_clips(shallow_search=True)
    ]
    clips.sort(key=lambda c: (c["record"], c["track"]))
    return {"clips": clips}


def main(argv: list[str]) -> int:
    fmt, rate, max_depth, cpu_seconds, memory_bytes = argv[0], float(argv[1]), int(argv[2]), int(argv[3]), int(argv[4])
    _limit_self(cpu_seconds, memory_bytes)
    data = sys.stdin.buffer.read()
    try:
        result = read(data, fmt=fmt, rate=rate, max_depth=max_depth)
    except ValueError as exc:
        result = {"error": str(exc)}
    except (MemoryError, RecursionError):
        result = {"error": "The cut is too large or too complex to read; export a plain timeline of tracks and clips."}
    sys.stdout.write(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
