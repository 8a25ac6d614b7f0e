import { useRef, useState, type PointerEvent as ReactPointerEvent } from "react";

import {
  DEFAULT_TEXT_SIZE,
  arrowHead,
  isDegenerate,
  lengthToPixels,
  point,
  shapeFromDrag,
  simplifyStroke,
  toNormalized,
  type DragTool,
  type NPoint,
  type Rect,
  type Shape,
} from "../lib/annotations";

export type Tool = DragTool | "text";

/** Draws shapes (picture-normalised) over the picture, and lets people draw new ones. */
export function AnnotationLayer({
  width,
  height,
  shapes,
  draft,
  tool,
  color,
  strokeWidth,
  onAdd,
  label,
}: {
  width: number;
  height: number;
  /** Saved annotations on the frame being shown. */
  shapes: Shape[];
  /** Unsaved drawing on the frame being shown. */
  draft: Shape[];
  tool: Tool | null;
  color: string;
  /** Fraction of the picture height. */
  strokeWidth: number;
  onAdd: (shape: Shape) => void;
  label: string;
}) {
  const content: Rect = { x: 0, y: 0, width, height };
  const svgRef = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<NPoint[] | null>(null);
  const [textAt, setTextAt] = useState<NPoint | null>(null);
  const [text, setText] = useState("");

  function pos(e: ReactPointerEvent): NPoint {
    const r = svgRef.current!.getBoundingClientRect();
    return toNormalized({ x: e.clientX - r.left, y: e.clientY - r.top }, content);
  }

  function down(e: ReactPointerEvent<SVGSVGElement>) {
    if (!tool || e.button !== 0) return;
    e.preventDefault();
    if (tool === "text") {
      setTextAt(pos(e));
      setText("");
      return;
    }
    svgRef.current?.setPointerCapture(e.pointerId);
    setDrag([pos(e)]);
  }

  function move(e: ReactPointerEvent<SVGSVGElement>) {
    if (!drag || !tool || tool === "text") return;
    const p = pos(e);
    setDrag(tool === "pen" ? [...drag, p] : [drag[0]!, p]);
  }

  function up(e: ReactPointerEvent<SVGSVGElement>) {
    if (!drag || !tool || tool === "text") return;
    svgRef.current?.releasePointerCapture(e.pointerId);
    const points = tool === "pen" ? simplifyStroke([...drag, pos(e)], width / Math.max(1, height), 0.0008) : [drag[0]!, pos(e)];
    setDrag(null);
    const shape = shapeFromDrag(tool, points, { color, width: strokeWidth });
    if (shape && !isDegenerate(shape, content)) onAdd(shape);
  }

  function commitText() {
    if (textAt && text.trim()) {
      onAdd({ type: "text", x: textAt.x, y: textAt.y, text: text.trim(), color, size: DEFAULT_TEXT_SIZE });
    }
    setTextAt(null);
    setText("");
  }

  const preview = drag && tool && tool !== "text" ? shapeFromDrag(tool, drag, { color, width: strokeWidth }) : null;
  if (width <= 0 || height <= 0) return null;
  return (
    <>
      <svg
        ref={svgRef}
        className="annotation-layer"
        data-testid="annotation-layer"
        data-drawing={tool ?? undefined}
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={label}
        style={{ cursor: tool ? (tool === "text" ? "text" : "crosshair") : "default", pointerEvents: tool ? "auto" : "none" }}
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={() => setDrag(null)}
      >
        {shapes.map((s, i) => (
          <ShapeView key={`s${i}`} shape={s} content={content} />
        ))}
        {draft.map((s, i) => (
          <ShapeView key={`d${i}`} shape={s} content={content} draft />
        ))}
        {preview && <ShapeView shape={preview} content={content} draft />}
      </svg>
      {textAt && (
        <input
          className="annotation-text-input"
          aria-label="Annotation text"
          autoFocus
          value={text}
          maxLength={500}
          style={{ left: textAt.x * width, top: textAt.y * height, color, fontSize: Math.max(12, lengthToPixels(DEFAULT_TEXT_SIZE, content)) }}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            e.stopPropagation();
            if (e.key === "Enter") commitText();
            if (e.key === "Escape") {
              setTextAt(null);
              setText("");
            }
          }}
          onBlur={commitText}
        />
      )}
    </>
  );
}

export function ShapeView({ shape, content, draft = false }: { shape: Shape; content: Rect; draft?: boolean }) {
  const W = content.width;
  const H = content.height;
  const color = shape.color ?? "#ff3b30";
  const sw = Math.max(1.5, lengthToPixels(shape.type === "text" ? 0 : (shape.width ?? 0.004), content));
  const common = {
    stroke: color,
    strokeWidth: sw,
    fill: "none",
    strokeLinecap: "round" as const,
    strokeLinejoin: "round" as const,
    "data-shape": shape.type,
    "data-draft": draft ? "true" : undefined,
  };
  switch (shape.type) {
    case "pen":
      return <polyline {...common} points={shape.points.map(([x, y]) => `${x * W},${y * H}`).join(" ")} />;
    case "line":
      return <line {...common} x1={shape.from[0] * W} y1={shape.from[1] * H} x2={shape.to[0] * W} y2={shape.to[1] * H} />;
    case "arrow": {
      const [a, b] = arrowHead(point(shape.from), point(shape.to), content, shape.width ?? 0.004);
      const tip = { x: shape.to[0] * W, y: shape.to[1] * H };
      return (
        <g {...common}>
          <line x1={shape.from[0] * W} y1={shape.from[1] * H} x2={tip.x} y2={tip.y} />
          <polyline points={`${a.x},${a.y} ${tip.x},${tip.y} ${b.x},${b.y}`} />
        </g>
      );
    }
    case "rect":
      return <rect {...common} fill={shape.fill ?? "none"} x={shape.x * W} y={shape.y * H} width={shape.w * W} height={shape.h * H} />;
    case "ellipse":
      return <ellipse {...common} fill={shape.fill ?? "none"} cx={shape.cx * W} cy={shape.cy * H} rx={shape.rx * W} ry={shape.ry * H} />;
    case "text":
      return (
        <text
          data-shape="text"
          data-draft={draft ? "true" : undefined}
          x={shape.x * W}
          y={shape.y * H}
          fill={color}
          fontSize={lengthToPixels(shape.size ?? DEFAULT_TEXT_SIZE, content)}
          dominantBaseline="hanging"
          stroke="#000"
          strokeWidth={Math.max(1, lengthToPixels(shape.size ?? DEFAULT_TEXT_SIZE, content) / 12)}
          paintOrder="stroke"
          fontWeight={600}
        >
          {shape.text}
        </text>
      );
  }
}
