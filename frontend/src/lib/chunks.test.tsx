import { Suspense } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { lazyExport, resolvedNow, trackedChunk } from "./chunks";

const Page = () => <p>the page</p>;
const html = (node: React.ReactNode) => renderToStaticMarkup(<Suspense fallback={<p>loading</p>}>{node}</Suspense>);

describe("lazily loaded pages", () => {
  it("render at once when their chunk has arrived, and suspend while it has not", async () => {
    const chunk = trackedChunk(() => Promise.resolve({ Page }));
    const Early = lazyExport(chunk, "Page");
    await chunk();
    expect(chunk.loaded()).toEqual({ Page });
    expect(html(<Early />)).toBe("<p>the page</p>");

    const later = trackedChunk(() => Promise.resolve({ Page }));
    const Late = lazyExport(later, "Page");
    expect(html(<Late />)).toBe("<p>loading</p>");
  });

  it("a resolved-now thenable calls back synchronously, through chains", () => {
    let seen = 0;
    void resolvedNow(2).then((v) => v * 3).then((v) => (seen = v));
    expect(seen).toBe(6);
  });
});
