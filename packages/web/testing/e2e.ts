import { CHROMIUM_MISSING, chromiumAvailable } from "./browser.js";

/** One import for a browser test: the browser, the console helpers and the running product. */
export * from "./browser.js";
export * from "./console.js";
export * from "./product.js";

/** Whether Chromium is here; when it is not, says so (the browser tests then skip, with that reason printed). */
export function browserTestsAvailable(): boolean {
  const available = chromiumAvailable();
  if (!available) console.warn(CHROMIUM_MISSING);
  return available;
}
