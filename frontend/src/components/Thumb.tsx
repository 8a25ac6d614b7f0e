import { useState } from "react";

import { pointerFraction, scrubIndex } from "../lib/scrub";
import { useVersion } from "../queries";

/** Pictures this page has loaded (the browser has them): shown at once, even while a list flies past. */
const loadedPictures = new Set<string>();

/**
 * A version thumbnail that scrubs through the version's sprite sheet as the pointer moves across it
 * (the sprite is fetched on first hover). Fixed size, so the grid never shifts while images load;
 * the poster loads lazily (`loading="lazy"`), so a long list fetches only the pictures near the screen.
 * With `defer` (a windowed list being scrolled) a picture not loaded yet waits until the list settles:
 * rows that only fly past cost no request (in a 2,000-shot list scrolled top to bottom, that was one
 * request per row, all answered by the API while the page scrolled).
 */
export function HoverScrubThumb({
  versionId,
  poster,
  width = 112,
  height = 63,
  label,
  defer = false,
}: {
  versionId: string | null;
  poster: string | null | undefined;
  width?: number;
  height?: number;
  label: string;
  defer?: boolean;
}) {
  const [hover, setHover] = useState<number | null>(null);
  const version = useVersion(hover !== null ? versionId : null);
  const sprite = version.data?.sprite;
  let style: React.CSSProperties | undefined;
  if (hover !== null && sprite?.url && sprite.frames.length > 0 && sprite.columns > 0) {
    const tile = scrubIndex(hover, sprite.frames.length);
    const scale = width / sprite.tile_width;
    const rows = Math.ceil(sprite.frames.length / sprite.columns);
    style = {
      backgroundImage: `url(${sprite.url})`,
      backgroundSize: `${sprite.columns * sprite.tile_width * scale}px ${rows * sprite.tile_height * scale}px`,
      backgroundPosition: `-${(tile % sprite.columns) * width}px -${Math.floor(tile / sprite.columns) * sprite.tile_height * scale}px`,
    };
  }
  return (
    <div
      className="thumb"
      style={{ width, height }}
      onPointerMove={(e) => {
        const r = e.currentTarget.getBoundingClientRect();
        setHover(pointerFraction(e.clientX, r.left, r.width));
      }}
      onPointerLeave={() => setHover(null)}
      data-testid="thumb"
    >
      {style ? (
        <div className="thumb-sprite" style={style} role="img" aria-label={`${label}, scrubbing`} />
      ) : poster && defer && !loadedPictures.has(poster) ? (
        <span className="thumb-pending" role="img" aria-label={label} data-testid="thumb-pending" />
      ) : poster ? (
        <img
          src={poster}
          alt={label}
          width={width}
          height={height}
          loading="lazy"
          decoding="async"
          onLoad={() => loadedPictures.add(poster)}
        />
      ) : (
        <span className="thumb-empty" aria-label={`${label}: no picture yet`}>
          no media
        </span>
      )}
    </div>
  );
}
