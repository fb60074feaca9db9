// Builds the dashboard into dist/ui, served by `millrace serve` under /ui/. `npx vite ui` runs it in development
// against a running server: MILLRACE_URL=http://127.0.0.1:8080 npx vite ui
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "/ui/",
  plugins: [react()],
  build: {
    outDir: "../dist/ui",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 900,
    reportCompressedSize: false,
  },
  server: { proxy: { "/api": process.env.MILLRACE_URL ?? "http://127.0.0.1:8080" } },
});
