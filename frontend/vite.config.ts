import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Django serves the bundle from one origin: `collectstatic` copies dist/ into STATIC_ROOT and
// WhiteNoise serves it under /static/, while frontend/views.py answers every other non-API path
// with dist/index.html. So assets must be addressed as /static/assets/…
const django = process.env.GREENLIGHT_DEV_BACKEND ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/static/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 800,
    // Pages are lazy chunks (App.tsx); the libraries every page needs are two long-lived vendor
    // chunks, cached across deploys of the app's own code (docs/PERFORMANCE.md, "Bundle").
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: "vendor-react", test: /node_modules[\\/](react|react-dom|scheduler|react-router|cookie|set-cookie-parser)[\\/]/, priority: 2 },
            { name: "vendor-data", test: /node_modules[\\/](@tanstack|openapi-fetch)[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
  // `npm run dev` (optional, for working on the UI): proxies the API and WebSockets to a running
  // `make run`, so the session cookie and CSRF work exactly as in production.
  server: {
    host: "127.0.0.1",
    proxy: {
      "/api": { target: django, changeOrigin: false },
      "/ws": { target: django, ws: true },
      "/media": { target: django },
    },
  },
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
  },
});
