"""Faces: 128-d face descriptors with dlib, offline, from packages (the likeness scan's engine).

- The frontal face detector is dlib's HOG detector (`dlib.get_frontal_face_detector()`, no model
  file). Landmarks (5 points) and the 128-d ResNet descriptor come from the model files shipped in
  the `face-recognition-models` wheel; they are located inside the installed package (its own
  `__init__` needs `pkg_resources`, which recent setuptools no longer ship, so it is not imported).
- A likeness asset's descriptor is computed when the agency uploads it (`reference_descriptor`,
  synchronously in `rights.services.upload_asset`: one image costs ~0.3 s) and stored on the
  asset's row (`LikenessAsset.face_descriptor`); no API serialises it.
- `match_faces` compares the faces of a scanned clip with every registered reference by Euclidean
  distance; a distance of at most `MATCH_THRESHOLD` is the same person (measured table in
  docs/RIGHTS.md, "Likeness scan").

Nothing here touches the database; `rights.services.likeness_scan` and `projects.likeness_scan` do.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DESCRIPTOR_MODEL = "dlib_face_recognition_resnet_model_v1"
DESCRIPTOR_SIZE = 128
# dlib's documented operating point is 0.6 (99.38% on LFW). Same face after scaling and
# re-encoding measured ≤ 0.19 here; 0.5 leaves a margin on both sides (docs/RIGHTS.md).
MATCH_THRESHOLD = 0.5
# Detection runs on the image upsampled once: faces down to ~40 px wide are found.
UPSAMPLE = 1
# Reference images are shrunk to this longest side before detection (a huge photo costs seconds).
REFERENCE_MAX_SIDE = 1024


class FaceModelsMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Face:
    descriptor: np.ndarray
    box: tuple[int, int, int, int]  # left, top, right, bottom in the analysed image
    score: float

    @property
    def area(self) -> int:
        return max(0, self.box[2] - self.box[0]) * max(0, self.box[3] - self.box[1])


@dataclass(frozen=True)
class Reference:
    talent_id: str
    asset_id: str
    descriptor: np.ndarray


@dataclass(frozen=True)
class FaceMatch:
    talent_id: str
    asset_id: str
    distance: float
    at_seconds: float


def models_dir() -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FaceModelsMissing("The face-recognition-models package is not installed (requirements.lock pins it).")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


@functools.lru_cache(maxsize=1)
def _models():
    import dlib

    folder = models_dir()
    shape = folder / "shape_predictor_5_face_landmarks.dat"
    recognizer = folder / f"{DESCRIPTOR_MODEL}.dat"
    for path in (shape, recognizer):
        if not path.is_file():
            raise FaceModelsMissing(f"{path} is missing; reinstall face-recognition-models.")
    return dlib.get_frontal_face_detector(), dlib.shape_predictor(str(shape)), dlib.face_recognition_model_v1(str(recognizer))


def faces_in(image: np.ndarray, *, upsample: int = UPSAMPLE) -> list[Face]:
    """Every frontal face of an RGB uint8 image (H×W×3) with its 128-d descriptor."""
    detector, shape_predictor, recognizer = _models()
    image = np.ascontiguousarray(image, dtype=np.uint8)
    rects, scores, _kinds = detector.run(image, upsample, 0.0)
    faces = []
    for rect, score in zip(rects, scores, strict=True):
        shape = shape_predictor(image, rect)
        descriptor = np.asarray(recognizer.compute_face_descriptor(image, shape), dtype=np.float64)
        faces.append(Face(descriptor=descriptor, box=(rect.left(), rect.top(), rect.right(), rect.bottom()), score=float(score)))
    return faces


def reference_descriptor(image: np.ndarray) -> list[float] | None:
    """The descriptor of the reference image's main face (the detector's most confident; the
    larger on a tie), or None when it shows no frontal face."""
    height, width = image.shape[:2]
    scale = REFERENCE_MAX_SIDE / max(height, width)
    if scale < 1:
        from PIL import Image

        image = np.asarray(Image.fromarray(image).resize((max(1, round(width * scale)), max(1, round(height * scale)))))
    faces = faces_in(image)
    if not faces:
        return None
    best = max(faces, key=lambda f: (f.score, f.area))
    return [float(x) for x in best.descriptor]


def as_references(rows: Iterable[tuple]) -> list[Reference]:
    """(talent id, asset id, descriptor list) rows → references (ill-sized descriptors skipped)."""
    out = []
    for talent_id, asset_id, descriptor in rows:
        if descriptor and len(descriptor) == DESCRIPTOR_SIZE:
            out.append(Reference(str(talent_id), str(asset_id), np.asarray(descriptor, dtype=np.float64)))
    return out


def match_faces(
    faces: Sequence[tuple[float, np.ndarray]], references: Sequence[Reference], *, threshold: float = MATCH_THRESHOLD
) -> dict[str, FaceMatch]:
    """Talent id → its closest match among `faces` ((seconds, descriptor) pairs), for every talent
    whose reference lies within `threshold` of a face."""
    if not faces or not references:
        return {}
    matrix = np.stack([r.descriptor for r in references])
    best: dict[str, FaceMatch] = {}
    for at_seconds, descriptor in faces:
        distances = np.linalg.norm(matrix - descriptor, axis=1)
        for index in np.flatnonzero(distances <= threshold):
            ref, distance = references[int(index)], float(distances[int(index)])
            if ref.talent_id not in best or distance < best[ref.talent_id].distance:
                best[ref.talent_id] = FaceMatch(ref.talent_id, ref.asset_id, round(distance, 4), round(at_seconds, 3))
    return best
