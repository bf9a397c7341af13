/** The CLI's version (kept equal to packages/cli/package.json by version.test.ts). */
export const VERSION = "0.1.0";
