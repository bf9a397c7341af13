import AppLayout from "@cloudscape-design/components/app-layout";
import Box from "@cloudscape-design/components/box";
import SideNavigation, { type SideNavigationProps } from "@cloudscape-design/components/side-navigation";
import Spinner from "@cloudscape-design/components/spinner";
import TopNavigation from "@cloudscape-design/components/top-navigation";
import { type ReactNode, Suspense, useState } from "react";
import { Outlet, useLocation, useNavigate } from "react-router-dom";
import { useSession } from "../app-context.js";
import { useVisualMode } from "../hooks/use-dark-mode.js";
import { Notifications } from "./notifications.js";

function navigationItems(can: (p: string) => boolean): SideNavigationProps.Item[] {
  const admin: SideNavigationProps.Item[] = [
    { type: "link", text: "Accounts", href: "/accounts" },
    { type: "link", text: "Settings", href: "/settings" },
    ...(can("admin:ManageUsers") ? [{ type: "link" as const, text: "Users", href: "/users" }] : []),
    ...(can("audit:ReadAuditLog") ? [{ type: "link" as const, text: "Audit log", href: "/audit" }] : []),
  ];
  return [
    { type: "link", text: "Dashboard", href: "/" },
    {
      type: "section",
      text: "Protection",
      items: [
        { type: "link", text: "Source servers", href: "/source-servers" },
        { type: "link", text: "Protection groups", href: "/protection-groups" },
        { type: "link", text: "Recovery plans", href: "/recovery-plans" },
      ],
    },
    {
      type: "section",
      text: "Operations",
      items: [{ type: "link", text: "Execution history", href: "/executions" }],
    },
    { type: "section", text: "Administration", items: admin },
  ];
}

export function Loading({ label = "Loading" }: { label?: string }) {
  return (
    <Box textAlign="center" padding="xxl">
      <Spinner size="large" /> <Box variant="span">{label}…</Box>
    </Box>
  );
}

/** Top navigation (user menu, dark mode) + the Cloudscape app layout with the side navigation. */
export function Shell({ breadcrumbs }: { breadcrumbs?: ReactNode }) {
  const { profile, can, signOut } = useSession();
  const { mode, toggle } = useVisualMode();
  const navigate = useNavigate();
  const location = useLocation();
  const active = `/${location.pathname.split("/")[1] ?? ""}`;
  const [navigationOpen, setNavigationOpen] = useState(() => window.innerWidth >= 688);
  return (
    <>
      <div id="top-nav" style={{ position: "sticky", top: 0, zIndex: 1002 }}>
        <TopNavigation
          identity={{
            href: "/",
            title: "DRS Orchestrator",
            onFollow: (e) => {
              e.preventDefault();
              navigate("/");
            },
          }}
          utilities={[
            {
              type: "button",
              text: mode === "dark" ? "Light mode" : "Dark mode",
              ariaLabel: mode === "dark" ? "Switch to light mode" : "Switch to dark mode",
              onClick: toggle,
            },
            {
              type: "menu-dropdown",
              text: profile.email,
              description: profile.role,
              iconName: "user-profile",
              ariaLabel: `Signed in as ${profile.email} (${profile.role})`,
              items: [{ id: "signout", text: "Sign out" }],
              onItemClick: (e) => {
                if (e.detail.id === "signout") void signOut();
              },
            },
          ]}
          i18nStrings={{ overflowMenuTriggerText: "More", overflowMenuTitleText: "All" }}
        />
      </div>
      <AppLayout
        headerSelector="#top-nav"
        toolsHide
        navigationOpen={navigationOpen}
        onNavigationChange={(e) => setNavigationOpen(e.detail.open)}
        navigation={
          <SideNavigation
            activeHref={active === "/" ? "/" : active}
            header={{ href: "/", text: "DR orchestration" }}
            items={navigationItems(can)}
            onFollow={(e) => {
              if (!e.detail.external) {
                e.preventDefault();
                navigate(e.detail.href);
              }
            }}
          />
        }
        notifications={<Notifications />}
        breadcrumbs={breadcrumbs}
        ariaLabels={{
          navigation: "Side navigation",
          navigationToggle: "Open navigation",
          navigationClose: "Close navigation",
          notifications: "Notifications",
        }}
        content={
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        }
      />
    </>
  );
}
