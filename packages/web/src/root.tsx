import { I18nProvider } from "@cloudscape-design/components/i18n";
import enMessages from "@cloudscape-design/components/i18n/messages/all.en";
import { type Schemas, unwrap } from "@drso/client";
import { type ReactNode, Suspense, useCallback, useEffect, useMemo, useState } from "react";
import { BrowserRouter } from "react-router-dom";
import { type AppServices, ServicesProvider, SessionProvider, sessionOf } from "./app-context.js";
import { claimsOf } from "./auth/types.js";
import { ErrorAlert } from "./components/error-alert.js";
import { NotificationsProvider } from "./components/notifications.js";
import { Loading } from "./components/shell.js";
import type { ReauthController } from "./reauth.js";
import { AppRoutes } from "./routes.js";
import { SessionExpiredModal } from "./screens/sign-in/session-expired-modal.js";
import { SignInPage } from "./screens/sign-in/sign-in-page.js";

/**
 * Boot: resume a session (this tab's tokens, or another tab's refresh token), load the profile whose
 * permissions drive every control, then the routes. A session that ends later shows a sign-in modal over the
 * mounted page instead of navigating away.
 */
export function Root({
  services,
  reauth,
  resumable,
}: {
  services: AppServices;
  reauth: ReauthController;
  resumable: boolean;
}) {
  const { auth, api } = services;
  const [profile, setProfile] = useState<Schemas["Profile"]>();
  const [booting, setBooting] = useState(true);
  const [bootError, setBootError] = useState<unknown>();
  const [expired, setExpired] = useState(false);

  useEffect(() => reauth.subscribe(setExpired), [reauth]);

  const loadProfile = useCallback(async () => {
    const p = await unwrap(api.GET("/users/profile"));
    setProfile(p);
  }, [api]);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        if (!auth.currentTokens() && resumable) await auth.refresh().catch(() => undefined);
        if (auth.currentTokens()) await loadProfile();
      } catch (e) {
        if (!cancelled) setBootError(e);
      } finally {
        if (!cancelled) setBooting(false);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [auth, loadProfile, resumable]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      await auth.signIn(email, password);
      await loadProfile();
    },
    [auth, loadProfile],
  );
  const signOut = useCallback(async () => {
    await auth.signOut();
    setProfile(undefined);
    window.history.replaceState(null, "", "/");
  }, [auth]);

  const session = useMemo(() => (profile ? sessionOf(profile, signOut) : undefined), [profile, signOut]);

  // Cloudscape's own English labels (pagination arrows, dismiss buttons, loading text): no unnamed control.
  const withI18n = (node: ReactNode) => (
    <I18nProvider locale="en" messages={[enMessages]}>
      {node}
    </I18nProvider>
  );
  if (booting) return withI18n(<Loading label="Starting the console" />);
  if (!session)
    return withI18n(
      <>
        <ErrorAlert error={bootError} header="Could not load your profile" />
        <SignInPage mode={auth.mode} onSignIn={signIn} />
      </>,
    );
  const email = String(claimsOf(auth.currentTokens()?.idToken ?? "").email ?? session.profile.email);
  return withI18n(
    <ServicesProvider value={services}>
      <SessionProvider value={session}>
        <NotificationsProvider>
          <BrowserRouter>
            <Suspense fallback={<Loading />}>
              <AppRoutes />
            </Suspense>
          </BrowserRouter>
          {expired ? (
            <SessionExpiredModal
              email={email}
              onSignIn={async (e, p) => {
                await auth.signIn(e, p);
                reauth.resolve();
              }}
            />
          ) : null}
        </NotificationsProvider>
      </SessionProvider>
    </ServicesProvider>,
  );
}
