import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: [
            "packages/*/src/**/*.test.ts",
            "adapters/*/src/**/*.test.ts",
            "hosts/*/src/**/*.test.ts",
            "tests/**/*.test.ts",
          ],
          // The browser end-to-end suite is its own project (long timeouts, one file at a time).
          exclude: ["**/node_modules/**", "packages/web/**", "tests/e2e/**"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: "forks",
        },
      },
      {
        plugins: [react()],
        test: {
          name: "web",
          root: "packages/web",
          include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
          environment: "happy-dom",
          setupFiles: ["src/test-setup.ts"],
          testTimeout: 30_000,
          pool: "forks",
        },
      },
      {
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          pool: "forks",
          fileParallelism: false,
          sequence: { concurrent: false },
        },
      },
    ],
  },
});
