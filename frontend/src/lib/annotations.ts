/**
 * Annotation geometry: shapes drawn over a frame are stored in coordinates normalised to the
 * *picture* (0..1 across its width and height), never to the screen, so a note drawn on a laptop
 * lands on the same pixel of the image on a 4K monitor, in the compare view or in an export.
 *
 * The picture is shown with `object-fit: contain`, so inside its box it may be letter- or
 * pillar-boxed; pointer positions are mapped through the picture's content rectangle. Lengths
 * (stroke width, text size) are normalised to the picture's height. Anything that depends on angles
 * (arrow heads, stroke simplification) is computed in an aspect-correct space, so a 45° arrow on a
 * 16:9 frame stays 45° and its head is not sheared.
 */
import { MAX_POINTS, MAX_SHAPES, MAX_WIDTH, type components } from "../api/generated/shapes";

export interface Size {
  width: number;
  height: number;
}

export interface Rect extends Size {
  x: number;
  y: number;
}

/** A point in picture-normalised coordinates: x and y in 0..1. */
export interface NPoint {
  x: number;
  y: number;
}

export interface PixelPoint {
  x: number;
  y: number;
}

/**
 * A shape as stored by the API: points are `[x, y]` pairs in 0..1 of the picture; `width` and
 * `size` are fractions of the picture height; colours are #rrggbb(aa). The types are generated
 * from the JSON Schema in projects/annotations.py (see scripts/gen-api.mjs).
 */
type ShapeSchemas = components["schemas"];
export type Pair = [number, number];
export type Shape =
  | ShapeSchemas["PenShape"]
  | ShapeSchemas["LineShape"]
  | ShapeSchemas["ArrowShape"]
  | ShapeSchemas["RectShape"]
  | ShapeSchemas["EllipseShape"]
  | ShapeSchemas["TextShape"];

export type ShapeType = Shape["type"];

export const DEFAULT_COLOR = "#ff3b30";
/** Default stroke: 0.4 % of the picture height (about 4 px on a 1080p frame). */
export const DEFAULT_WIDTH = 0.004;
/** Default text height: 3.5 % of the picture height. */
export const DEFAULT_TEXT_SIZE = 0.035;
export { MAX_POINTS, MAX_SHAPES, MAX_WIDTH };

export function pair(p: NPoint): Pair {
  return [p.x, p.y];
}

export function point(p: Pair): NPoint {
  return { x: p[0], y: p[1] };
}

/** Decimal places kept when storing a coordinate (1e-5 of an 8K frame is under a tenth of a pixel). */
const PRECISION = 5;

export function round(value: number): number {
  const f = 10 ** PRECISION;
  return Math.round(value * f) / f;
}

export function clamp01(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(1, Math.max(0, value));
}

/** Where a picture of `media` size sits inside a `box` with object-fit: contain (centred). */
export function containRect(box: Size, media: Size): Rect {
  if (box.width <= 0 || box.height <= 0 || media.width <= 0 || media.height <= 0) {
    return { x: 0, y: 0, width: Math.max(0, box.width), height: Math.max(0, box.height) };
  }
  // Set the limiting side exactly (no float drift at the edges), derive the other from the aspect.
  const fitsWidth = box.width * media.height <= box.height * media.width;
  const width = fitsWidth ? box.width : (box.height * media.width) / media.height;
  const height = fitsWidth ? (box.width * media.height) / media.width : box.height;
  return { x: (box.width - width) / 2, y: (box.height - height) / 2, width, height };
}

/** A pointer position relative to the box → picture-normalised point (clamped to the picture). */
export function toNormalized(point: PixelPoint, content: Rect): NPoint {
  if (content.width <= 0 || content.height <= 0) return { x: 0, y: 0 };
  return {
    x: round(clamp01((point.x - content.x) / content.width)),
    y: round(clamp01((point.y - content.y) / content.height)),
  };
}

/** A picture-normalised point → position in the box (pixels). */
export function toPixels(point: NPoint, content: Rect): PixelPoint {
  return { x: content.x + point.x * content.width, y: content.y + point.y * content.height };
}

/** A length in screen pixels → fraction of the picture height. */
export function lengthToNormalized(pixels: number, content: Rect): number {
  return content.height > 0 ? round(pixels / content.height) : 0;
}

/** A fraction of the picture height → pixels on screen. */
export function lengthToPixels(normalized: number, content: Rect): number {
  return normalized * content.height;
}

/** The normalised box spanned by two corners, whatever the drag direction. */
export function boxOf(from: NPoint, to: NPoint): { x: number; y: number; width: number; height: number } {
  return {
    x: Math.min(from.x, to.x),
    y: Math.min(from.y, to.y),
    width: round(Math.abs(to.x - from.x)),
    height: round(Math.abs(to.y - from.y)),
  };
}

/**
 * The arrow head's two barbs in box pixels. Computed after mapping to pixels, so the angle is the
 * one people see on screen, whatever the picture's aspect ratio.
 */
export function arrowHead(from: NPoint, to: NPoint, content: Rect, strokeWidth: number): [PixelPoint, PixelPoint] {
  const a = toPixels(from, content);
  const b = toPixels(to, content);
  const angle = Math.atan2(b.y - a.y, b.x - a.x);
  const length = Math.max(10, lengthToPixels(strokeWidth, content) * 4);
  const spread = Math.PI / 7;
  return [
    { x: b.x - length * Math.cos(angle - spread), y: b.y - length * Math.sin(angle - spread) },
    { x: b.x - length * Math.cos(angle + spread), y: b.y - length * Math.sin(angle + spread) },
  ];
}

/**
 * Ramer–Douglas–Peucker simplification of a pen stroke. Distances are measured with x scaled by the
 * picture's aspect ratio, so the tolerance means the same on-screen distance horizontally and
 * vertically. `tolerance` is a fraction of the picture height.
 */
export function simplifyStroke(points: NPoint[], aspect: number, tolerance: number): NPoint[] {
  if (points.length <= 2) return points.slice();
  const keep = new Array<boolean>(points.length).fill(false);
  keep[0] = true;
  keep[points.length - 1] = true;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length > 0) {
    const [start, end] = stack.pop()!;
    const a = points[start]!;
    const b = points[end]!;
    let maxDistance = -1;
    let index = -1;
    for (let i = start + 1; i < end; i++) {
      const d = distanceToSegment(points[i]!, a, b, aspect);
      if (d > maxDistance) {
        maxDistance = d;
        index = i;
      }
    }
    if (index !== -1 && maxDistance > tolerance) {
      keep[index] = true;
      stack.push([start, index], [index, end]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

function distanceToSegment(p: NPoint, a: NPoint, b: NPoint, aspect: number): number {
  const px = p.x * aspect;
  const ax = a.x * aspect;
  const bx = b.x * aspect;
  const dx = bx - ax;
  const dy = b.y - a.y;
  const lengthSq = dx * dx + dy * dy;
  let t = lengthSq === 0 ? 0 : ((px - ax) * dx + (p.y - a.y) * dy) / lengthSq;
  t = Math.max(0, Math.min(1, t));
  const cx = ax + t * dx;
  const cy = a.y + t * dy;
  return Math.hypot(px - cx, p.y - cy);
}

const COLOR = /^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/;

function isUnit(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= 1;
}

function isPair(value: unknown): value is Pair {
  return Array.isArray(value) && value.length === 2 && isUnit(value[0]) && isUnit(value[1]);
}

function widthProblem(value: unknown, name: string): string | null {
  if (value === undefined) return null;
  return typeof value === "number" && value > 0 && value <= MAX_WIDTH ? null : `${name} must be a fraction of the picture height in (0, ${MAX_WIDTH}]`;
}

/**
 * Checks a shape (from the API, or about to be sent). Returns the reason it would be refused, or
 * null when it is valid. Mirrors the JSON Schema in projects/annotations.py.
 */
export function shapeProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "a shape must be an object";
  const shape = value as Record<string, unknown>;
  if (shape.color !== undefined && (typeof shape.color !== "string" || !COLOR.test(shape.color))) return "color must be #rrggbb";
  switch (shape.type) {
    case "pen":
      if (!Array.isArray(shape.points) || shape.points.length < 1) return "a pen stroke needs points";
      if (shape.points.length > MAX_POINTS) return `a pen stroke has at most ${MAX_POINTS} points`;
      if (!shape.points.every(isPair)) return "pen points must be [x, y] pairs within 0..1";
      return widthProblem(shape.width, "width");
    case "line":
    case "arrow":
      if (!isPair(shape.from) || !isPair(shape.to)) return `${shape.type} ends must be [x, y] pairs within 0..1`;
      return widthProblem(shape.width, "width");
    case "rect":
      if (![shape.x, shape.y, shape.w, shape.h].every(isUnit)) return "rect x, y, w, h must lie within 0..1";
      return widthProblem(shape.width, "width");
    case "ellipse":
      if (![shape.cx, shape.cy, shape.rx, shape.ry].every(isUnit)) return "ellipse cx, cy, rx, ry must lie within 0..1";
      return widthProblem(shape.width, "width");
    case "text":
      if (!isUnit(shape.x) || !isUnit(shape.y)) return "text position must lie within 0..1";
      if (typeof shape.text !== "string" || shape.text.trim() === "") return "text must not be empty";
      if (shape.text.length > 500) return "text has at most 500 characters";
      return widthProblem(shape.size, "size");
    default:
      return `unknown shape type ${JSON.stringify(shape.type)}`;
  }
}

/** Keeps the shapes that are valid; what the player draws from the API never breaks the page. */
export function validShapes(value: unknown): Shape[] {
  if (!Array.isArray(value)) return [];
  return value.filter((s): s is Shape => shapeProblem(s) === null);
}

export type DragTool = "pen" | "line" | "arrow" | "rect" | "ellipse";

/** Builds a shape from a drag (pen: every point visited; others: the two ends of the drag). */
export function shapeFromDrag(
  tool: DragTool,
  points: NPoint[],
  { color = DEFAULT_COLOR, width = DEFAULT_WIDTH }: { color?: string; width?: number } = {},
): Shape | null {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return null;
  const style = { color, width: round(Math.min(MAX_WIDTH, Math.max(0.0005, width))) };
  switch (tool) {
    case "pen":
      return { type: "pen", points: points.slice(0, MAX_POINTS).map(pair), ...style };
    case "line":
    case "arrow":
      return { type: tool, from: pair(first), to: pair(last), ...style };
    case "rect": {
      const b = boxOf(first, last);
      return { type: "rect", x: b.x, y: b.y, w: b.width, h: b.height, ...style };
    }
    case "ellipse": {
      const b = boxOf(first, last);
      return { type: "ellipse", cx: round(b.x + b.width / 2), cy: round(b.y + b.height / 2), rx: round(b.width / 2), ry: round(b.height / 2), ...style };
    }
  }
}

/** A shape too small to keep (a click without a drag), measured on screen in pixels. */
export function isDegenerate(shape: Shape, content: Rect, minPixels = 3): boolean {
  const w = (n: number) => n * content.width;
  const h = (n: number) => n * content.height;
  switch (shape.type) {
    case "pen":
      return shape.points.length < 2;
    case "line":
    case "arrow":
      return Math.hypot(w(shape.to[0] - shape.from[0]), h(shape.to[1] - shape.from[1])) < minPixels;
    case "rect":
      return Math.hypot(w(shape.w), h(shape.h)) < minPixels;
    case "ellipse":
      return Math.hypot(w(shape.rx), h(shape.ry)) * 2 < minPixels;
    case "text":
      return shape.text.trim() === "";
  }
}
