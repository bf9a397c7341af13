import { createDrsoApp } from "./drso-app.js";

/** `cdk synth` / `cdk deploy` entry point (cdk.json: `node --import tsx src/cdk/app.ts`). */
createDrsoApp().app.synth();
