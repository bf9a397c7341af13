import { observeActionError, observeActionProgress } from "./actions.js";
import { command } from "./commands.js";
import {
  observeFailbackCheckError,
  observeFailbackResolved,
  observeReversed,
  observeReverseError,
  observeSourceServers,
} from "./failback.js";
import {
  observeFoundJob,
  observeLaunchError,
  observeLaunched,
  observeLookupError,
  resolveLostIntents,
} from "./launch.js";
import type { Round } from "./round.js";
import { observeDiscoveryError, observeFoundInstances } from "./termination.js";
import { observePollError, observePolledJobs } from "./tracking.js";
import type { Effect, EffectError, EffectValue, Observation } from "./types.js";

/**
 * Effect results and commands, dispatched to the module that owns each effect kind.
 */

export function apply(r: Round, observations: readonly Observation[]) {
  const seen = new Set<string>();
  for (const o of observations) {
    if (o.type !== "effect") continue;
    seen.add(o.effect.id);
    if (o.ok) observeValue(r, o.effect, o.value);
    else observeError(r, o.effect, o.error);
  }
  resolveLostIntents(r, seen);
  const commands = observations
    .filter((o): o is Extract<Observation, { type: "command" }> => o.type === "command")
    .map((o) => o.command)
    .filter((c) => c.seq > r.e.appliedCommandSeq)
    .sort((a, b) => a.seq - b.seq);
  for (const c of commands) {
    command(r, c);
    r.e.appliedCommandSeq = c.seq;
  }
}

export function observeValue(r: Round, effect: Effect, value: EffectValue) {
  switch (effect.kind) {
    case "launch":
    case "failback-launch":
    case "terminate":
      observeLaunched(r, effect, value);
      return;
    case "find-instances":
      observeFoundInstances(r, effect, value);
      return;
    case "find-job":
      observeFoundJob(r, effect, value);
      return;
    case "poll-jobs":
      observePolledJobs(r, effect, value);
      return;
    case "action-start":
    case "action-poll":
      observeActionProgress(r, effect, value);
      return;
    case "failback-resolve":
      observeFailbackResolved(r, effect, value);
      return;
    case "reverse-replication":
      observeReversed(r, effect, value);
      return;
    case "check-source-servers":
      observeSourceServers(r, effect, value);
      return;
  }
}

export function observeError(r: Round, effect: Effect, error: EffectError) {
  switch (effect.kind) {
    case "launch":
    case "failback-launch":
    case "terminate":
      observeLaunchError(r, effect, error);
      return;
    case "find-instances":
      observeDiscoveryError(r, effect, error);
      return;
    case "find-job":
      observeLookupError(r, effect, error);
      return;
    case "poll-jobs":
      observePollError(r, effect, error);
      return;
    case "action-start":
    case "action-poll":
      observeActionError(r, effect, error);
      return;
    case "failback-resolve":
    case "check-source-servers":
      observeFailbackCheckError(r, effect, error);
      return;
    case "reverse-replication":
      observeReverseError(r, effect, error);
      return;
  }
}
