/** Small stroke icons (inline SVG: no icon font, identical on every machine). */
const PATHS: Record<string, string> = {
  first: "M6 5v14M18 5l-9 7 9 7z",
  last: "M18 5v14M6 5l9 7-9 7z",
  "step-back": "M17 5l-9 7 9 7zM6 5v14",
  "step-forward": "M7 5l9 7-9 7zM18 5v14",
  play: "M7 4l13 8-13 8z",
  pause: "M7 5h3v14H7zM14 5h3v14h-3z",
  volume: "M4 9h4l5-4v14l-5-4H4zM16 9a4 4 0 010 6M18.5 6.5a8 8 0 010 11",
  muted: "M4 9h4l5-4v14l-5-4H4zM16 9l5 6M21 9l-5 6",
  fullscreen: "M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5",
  keyboard: "M3 7h18v10H3zM6 10h1M9 10h1M12 10h1M15 10h1M18 10h1M7 14h10",
  pen: "M4 20l4-1 11-11-3-3L5 16zM14 6l3 3",
  arrow: "M5 19L19 5M10 5h9v9",
  line: "M5 19L19 5",
  rect: "M4 6h16v12H4z",
  ellipse: "M12 6c4.4 0 8 2.7 8 6s-3.6 6-8 6-8-2.7-8-6 3.6-6 8-6z",
  text: "M5 6h14M12 6v13M9 19h6",
  undo: "M9 7L4 12l5 5M4 12h11a5 5 0 010 10h-3",
  redo: "M15 7l5 5-5 5M20 12H9a5 5 0 000 10h3",
  loop: "M4 12a6 6 0 016-6h8l-3-3M20 12a6 6 0 01-6 6H6l3 3",
  bell: "M6 16v-5a6 6 0 0112 0v5l2 2H4zM10 20a2 2 0 004 0",
};

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 16 }: { name: IconName; size?: number }) {
  const filled = name === "play" || name === "pause" || name === "first" || name === "last" || name === "step-back" || name === "step-forward";
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      aria-hidden="true"
      focusable="false"
      fill={filled ? "currentColor" : "none"}
      stroke="currentColor"
      strokeWidth={filled ? 0 : 1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d={PATHS[name]} stroke={filled && (name === "first" || name === "last" || name === "step-back" || name === "step-forward") ? "currentColor" : undefined} strokeWidth={filled ? 2 : undefined} />
    </svg>
  );
}
