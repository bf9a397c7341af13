export { type Clock, ManualClock, SystemClock } from "./clock.js";
export { createRng, type Rng } from "./rng.js";
