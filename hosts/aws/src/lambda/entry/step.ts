import type { StepInput } from "../../state-machine/definition.js";
import { composeStepLambda } from "../composition.js";
import { instrument } from "../telemetry.js";

/** Step Functions `Step` state → one engine step of the execution. */
const { tools, step } = composeStepLambda();
export const handler = instrument(tools, "step", (event: StepInput) => step(event));
