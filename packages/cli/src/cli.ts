import { processIo } from "./io.js";
import { runCli } from "./program.js";

// The drsctl binary (bin/drsctl.mjs loads this through tsx).
const code = await runCli(process.argv.slice(2), processIo());
// Let stdout drain before exiting: a pipe may still hold the final JSON document.
process.stdout.write("", () => process.exit(code));
