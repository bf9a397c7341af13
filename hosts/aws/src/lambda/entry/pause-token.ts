import type { PauseTokenInput } from "../../state-machine/definition.js";
import { composePauseTokenLambda } from "../composition.js";
import { instrument } from "../telemetry.js";

/** Step Functions `WaitForSignal` state (.waitForTaskToken) → the token stored in the execution. */
const { tools, storeToken } = composePauseTokenLambda();
export const handler = instrument(tools, "pause-token", (event: PauseTokenInput) => storeToken(event));
