import { DEFAULT_SETTINGS, type Settings, type SettingsUpdate, ValidationError } from "@drso/core";
import type { AppDeps } from "./deps.js";

export type SettingsView = Omit<Settings, "webhooks"> & {
  webhooks: Array<Omit<Settings["webhooks"][number], "secret"> & { secretSet: boolean }>;
  version: number;
};

/** Secrets are write-only: reads report whether one is set. */
export function toSettingsView(settings: Settings, version: number): SettingsView {
  return {
    ...settings,
    webhooks: settings.webhooks.map(({ secret, ...rest }) => ({ ...rest, secretSet: secret !== undefined })),
    version,
  };
}

/** The failback replication allowance a FAILBACK started now gets (frozen into the execution when it starts). */
export async function failbackAllowanceNow(store: AppDeps["store"]): Promise<number> {
  return (
    ((await store.settings.get())?.settings.failbackReplicationTimeoutHours ??
      DEFAULT_SETTINGS.failbackReplicationTimeoutHours) * 3600
  );
}

export function createSettingsService(deps: Pick<AppDeps, "store">) {
  const { store } = deps;

  async function current(): Promise<{ settings: Settings; version: number }> {
    const stored = await store.settings.get();
    // Settings saved before a field existed read as its default.
    return stored
      ? { settings: { ...DEFAULT_SETTINGS, ...stored.settings }, version: stored.version }
      : { settings: DEFAULT_SETTINGS, version: 0 };
  }

  return {
    current,
    async get(): Promise<SettingsView> {
      const { settings, version } = await current();
      return toSettingsView(settings, version);
    },
    async update(update: SettingsUpdate, expectedVersion: number | undefined): Promise<SettingsView> {
      const { settings, version } = await current();
      const next: Settings = {
        ...settings,
        ...(update.pollIntervalSeconds !== undefined
          ? { pollIntervalSeconds: update.pollIntervalSeconds }
          : {}),
        ...(update.fastPollSeconds !== undefined ? { fastPollSeconds: update.fastPollSeconds } : {}),
        ...(update.drillTtlHours !== undefined ? { drillTtlHours: update.drillTtlHours } : {}),
        ...(update.defaultWaveTimeoutSeconds !== undefined
          ? { defaultWaveTimeoutSeconds: update.defaultWaveTimeoutSeconds }
          : {}),
        ...(update.failbackReplicationTimeoutHours !== undefined
          ? { failbackReplicationTimeoutHours: update.failbackReplicationTimeoutHours }
          : {}),
        quotas: {
          serversPerJob: update.quotas?.serversPerJob ?? settings.quotas.serversPerJob,
          concurrentJobs: update.quotas?.concurrentJobs ?? settings.quotas.concurrentJobs,
          serversInAllJobs: update.quotas?.serversInAllJobs ?? settings.quotas.serversInAllJobs,
        },
        webhooks:
          update.webhooks?.map((w) => {
            // Keep a stored secret when the client resubmits a webhook without one (secrets are never read back).
            const previous = settings.webhooks.find((p) => p.url === w.url);
            return w.secret === undefined && previous?.secret !== undefined
              ? { ...w, secret: previous.secret }
              : w;
          }) ?? settings.webhooks,
        ...(update.httpActionAllowedHosts !== undefined
          ? { httpActionAllowedHosts: update.httpActionAllowedHosts }
          : {}),
        ...(update.forbidSelfApproval !== undefined ? { forbidSelfApproval: update.forbidSelfApproval } : {}),
        ...(update.readinessIntervalMinutes !== undefined
          ? { readinessIntervalMinutes: update.readinessIntervalMinutes }
          : {}),
        ...(update.readinessMaxDrillAgeDays !== undefined
          ? { readinessMaxDrillAgeDays: update.readinessMaxDrillAgeDays }
          : {}),
      };
      if (next.fastPollSeconds > next.pollIntervalSeconds) {
        throw new ValidationError("fastPollSeconds must not exceed pollIntervalSeconds.", [
          { path: "fastPollSeconds", message: `must be <= ${next.pollIntervalSeconds}` },
        ]);
      }
      const saved = await store.settings.put(next, expectedVersion ?? version);
      return toSettingsView(saved.settings, saved.version);
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
