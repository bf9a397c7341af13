import type { Clock } from "@drso/clock";
import type {
  ActionRunner,
  DrsGatewayFactory,
  IdentityProvider,
  Notifier,
  Store,
  UserDirectory,
} from "@drso/core";

/** Everything the use cases need, passed in by a composition root (no DI container). */
export interface AppDeps {
  store: Store;
  drs: DrsGatewayFactory;
  clock: Clock;
  newId(): string;
  users: UserDirectory;
  /** Present in local mode (the product issues its own tokens); absent on AWS (Cognito). */
  identity?: IdentityProvider;
  notifier?: Notifier;
  actions?: ActionRunner;
  /** Seconds a discovered inventory stays fresh. */
  inventoryTtlSeconds?: number;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
