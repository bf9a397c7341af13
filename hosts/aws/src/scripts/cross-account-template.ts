import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CROSS_ACCOUNT_TEMPLATE_PATH,
  crossAccountTemplate,
  formatTemplate,
} from "../cdk/cross-account-template.js";
import { REPO_ROOT } from "../cdk/drso-app.js";

/** `npm run cross-account-template`: writes docs/cross-account-role.template.json. */
const path = join(REPO_ROOT, CROSS_ACCOUNT_TEMPLATE_PATH);
writeFileSync(path, formatTemplate(crossAccountTemplate()));
// The repository's formatter has the last word on layout (the drift test compares content, not layout).
spawnSync("npx", ["biome", "format", "--write", path], { cwd: REPO_ROOT, stdio: "ignore" });
console.log(`wrote ${path}`);
