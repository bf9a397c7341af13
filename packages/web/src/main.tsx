import "@cloudscape-design/global-styles/index.css";
import { createApiClient } from "@drso/client";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createAuthedFetch } from "./api/authed-fetch.js";
import { createAuthProvider } from "./auth/index.js";
import { hasResumableSession } from "./auth/session-auth.js";
import { loadRuntimeConfig } from "./config.js";
import { createReauthController } from "./reauth.js";
import { Root } from "./root.js";
import { prefetchRoute } from "./routes.js";

async function boot() {
  const container = document.getElementById("root")!;
  try {
    const config = await loadRuntimeConfig();
    prefetchRoute(location.pathname);
    const auth = createAuthProvider(config);
    const reauth = createReauthController();
    const authedFetch = createAuthedFetch({ auth, reauthenticate: () => reauth.request() });
    // No retries on throttling: the console shows the answer at once and the user decides.
    const api = createApiClient({ apiUrl: config.apiUrl, fetch: authedFetch, retries: 0 });
    const apiBaseUrl = new URL(config.apiUrl, location.href).toString().replace(/\/$/, "");
    const resumable = hasResumableSession({ tabStorage: sessionStorage, sharedStorage: localStorage });
    createRoot(container).render(
      <StrictMode>
        <Root
          services={{ config, auth, api, authedFetch, apiBaseUrl }}
          reauth={reauth}
          resumable={resumable}
        />
      </StrictMode>,
    );
  } catch (error) {
    container.textContent = `The console could not start: ${(error as Error).message}`;
  }
}

void boot();
