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
  /** DRS mode sim only: the simulator's control plane (absent against real DRS). */
  simulator?: SimulatorControl;
}

/**
 * What the DRS simulator can do that DRS itself cannot: the steps a person takes at the data centre, done by the
 * demo. Given by the local host from the simulator's control plane (the app never imports the simulator).
 */
export interface SimulatorControl {
  /** Boots the DRS Failback Client of an on-premises-origin recovery instance (it then replicates back). */
  connectFailbackClient(recoveryInstanceId: string): Promise<void>;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
