import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The API URL is never baked in: the console reads it from /aws-config.json at boot.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
  },
  server: { proxy: { "/api": "http://127.0.0.1:8080", "/aws-config.json": "http://127.0.0.1:8080" } },
});
