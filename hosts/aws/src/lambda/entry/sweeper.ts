import { composeSweeperLambda } from "../composition.js";
import { instrument } from "../telemetry.js";

/** EventBridge schedule → drive any execution whose workflow went missing. */
const { tools, sweep } = composeSweeperLambda();
export const handler = instrument(tools, "sweeper", () => sweep());
