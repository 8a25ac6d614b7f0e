"""The watermark's payload: a 32-bit mark id and a CRC-16 over it (48 code bits).

Each code bit is spread over several cells of every tile of every frame (studio/watermark/pattern.py):
that repetition is the error correction, combined softly. The CRC then tells a real payload from
noise; when it fails, the least reliable bits are flipped, one or two at a time (Chase decoding), and
the number flipped is reported as the bit errors corrected.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

ID_BITS = 32
CRC_BITS = 16
MAX_MARK_ID = (1 << ID_BITS) - 1
CHASE_CANDIDATES = 8  # the least reliable bits that may be flipped
CHASE_MAX_FLIPS = 2


def crc16(value: int) -> int:
    """CRC-16/CCITT-FALSE of the id's 4 bytes (big-endian)."""
    crc = 0xFFFF
    for byte in value.to_bytes(4, "big"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def encode(mark_id: int) -> np.ndarray:
    """48 bits (0/1): the id then its CRC, most significant first."""
    if not 0 < mark_id <= MAX_MARK_ID:
        raise ValueError(f"a mark id is 1..{MAX_MARK_ID}, not {mark_id}")
    word = (mark_id << CRC_BITS) | crc16(mark_id)
    return np.array([(word >> (ID_BITS + CRC_BITS - 1 - i)) & 1 for i in range(ID_BITS + CRC_BITS)], dtype=np.uint8)


def _check(bits: np.ndarray) -> int | None:
    word = 0
    for bit in bits:
        word = (word << 1) | int(bit)
    mark_id, crc = word >> CRC_BITS, word & 0xFFFF
    return mark_id if mark_id and crc16(mark_id) == crc else None


@dataclass(frozen=True)
class Decoded:
    mark_id: int
    bit_errors: int  # bits flipped by the Chase search to satisfy the CRC


def decode(soft: np.ndarray) -> Decoded | None:
    """The mark id carried by soft bit values (positive: 1), or None when no valid code word is near."""
    hard = (np.asarray(soft) > 0).astype(np.uint8)
    weakest = np.argsort(np.abs(soft))[:CHASE_CANDIDATES]
    for flips in range(CHASE_MAX_FLIPS + 1):
        for chosen in combinations(weakest, flips):
            trial = hard.copy()
            trial[list(chosen)] ^= 1
            mark_id = _check(trial)
            if mark_id is not None:
                return Decoded(mark_id=mark_id, bit_errors=flips)
    return None
