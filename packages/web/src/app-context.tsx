import type { ApiClient, Schemas } from "@drso/client";
import { createContext, type ReactNode, useContext } from "react";
import type { AuthProvider } from "./auth/types.js";
import type { RuntimeConfig } from "./config.js";

export type Permission = string;

export interface AppServices {
  config: RuntimeConfig;
  auth: AuthProvider;
  api: ApiClient;
  /** fetch with the session's bearer token (for streams the typed client does not cover). */
  authedFetch: (request: Request) => Promise<Response>;
  /** Absolute URL of the API (from aws-config.json). */
  apiBaseUrl: string;
}

export interface Session {
  profile: Schemas["Profile"];
  can(permission: Permission): boolean;
  signOut(): Promise<void>;
}

const ServicesContext = createContext<AppServices | undefined>(undefined);
const SessionContext = createContext<Session | undefined>(undefined);

export function ServicesProvider({ value, children }: { value: AppServices; children: ReactNode }) {
  return <ServicesContext.Provider value={value}>{children}</ServicesContext.Provider>;
}

export function SessionProvider({ value, children }: { value: Session; children: ReactNode }) {
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useServices(): AppServices {
  const value = useContext(ServicesContext);
  if (!value) throw new Error("useServices outside ServicesProvider");
  return value;
}

export function useApi(): ApiClient {
  return useServices().api;
}

export function useSession(): Session {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

/** A session built from a profile (also used by component tests). */
export function sessionOf(
  profile: Schemas["Profile"],
  signOut: () => Promise<void> = async () => {},
): Session {
  const granted = new Set(profile.permissions);
  return { profile, can: (p) => granted.has(p), signOut };
}
