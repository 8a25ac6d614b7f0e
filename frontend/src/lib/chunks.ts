/**
 * Lazily loaded pages that render at once when their chunk has already arrived.
 *
 * `React.lazy` suspends on a page's first render even when its chunk is loaded (a promise resolves
 * asynchronously), shows the Suspense fallback, and React throttles revealing the content after a
 * fallback by 300 ms: on the first screen of a shot list (layout, then page) that was ~0.6 s of an
 * idle main thread (docs/PERFORMANCE.md, "Browser"). A chunk loaded through `trackedChunk` remembers
 * its module; `lazyExport` then hands React a thenable that resolves synchronously, and React renders
 * the page without suspending.
 */
import { lazy, type ComponentType } from "react";

export interface TrackedChunk<M> {
  (): Promise<M>;
  loaded: () => M | undefined;
}

export function trackedChunk<M>(importer: () => Promise<M>): TrackedChunk<M> {
  let module: M | undefined;
  const load = (() => importer().then((m) => (module = m))) as TrackedChunk<M>;
  load.loaded = () => module;
  return load;
}

/** A thenable that calls back at once (React.lazy reads a module resolved this way without suspending). */
export function resolvedNow<T>(value: T): PromiseLike<T> {
  return {
    then<R1 = T, R2 = never>(onFulfilled?: ((v: T) => R1 | PromiseLike<R1>) | null): PromiseLike<R1 | R2> {
      return resolvedNow(onFulfilled ? (onFulfilled(value) as R1) : (value as unknown as R1));
    },
  };
}

/** The export `name` of `chunk` as a lazy component. */
export function lazyExport<K extends string>(chunk: TrackedChunk<Record<K, ComponentType>>, name: K) {
  return lazy(() => {
    const module = chunk.loaded();
    if (module) return resolvedNow({ default: module[name] }) as Promise<{ default: ComponentType }>;
    return chunk().then((m) => ({ default: m[name] }));
  });
}
