import { writeFileSync } from "node:fs";
import { buildOpenApiDocument } from "./openapi-document.js";

/** `npm run openapi`: writes packages/api/openapi.json, the source of the typed clients (web, drsctl). */
const target = new URL("../openapi.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
