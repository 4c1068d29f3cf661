import { isBuiltInRole } from "@latchkey/core/permissions";
import type { SessionInfo } from "@latchkey/sdk/types";
import { type ReactElement, useCallback, useEffect, useMemo, useState } from "react";
import { client, isUnauthorized, messageOf } from "./api";
import { Layout } from "./components/Layout";
import { AcceptInvitationPage } from "./pages/AcceptInvitationPage";
import { AuditPage } from "./pages/AuditPage";
import { KeysPage } from "./pages/KeysPage";
import { KeyWizardPage } from "./pages/KeyWizardPage";
import { MembersPage } from "./pages/MembersPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { PolicyPage } from "./pages/PolicyPage";
import { PublishableKeysPage } from "./pages/PublishableKeysPage";
import { ServiceAccountsPage } from "./pages/ServiceAccountsPage";
import { SignInPage } from "./pages/SignInPage";
import { TokensPage } from "./pages/TokensPage";
import { UsagePage } from "./pages/UsagePage";
import { VaultPage } from "./pages/VaultPage";
import { WebhooksPage } from "./pages/WebhooksPage";
import { listRoles, type OrgRole } from "./roles-source";
import { navigate, useLocation } from "./router";
import { grantsFor, SessionContext, type SessionState } from "./session";

const LAST_ORG = "latchkey.org";

/** The org pages: path segment after /orgs/{id}/ → page. */
const ORG_PAGES: Record<string, () => ReactElement> = {
  keys: KeysPage,
  "keys/new": () => <KeyWizardPage mode="org" />,
  "publishable-keys": PublishableKeysPage,
  "service-accounts": ServiceAccountsPage,
  usage: UsagePage,
  audit: AuditPage,
  members: MembersPage,
  policy: PolicyPage,
  webhooks: WebhooksPage,
  vault: VaultPage,
};

const ACCOUNT_PAGES: Record<string, () => ReactElement> = {
  tokens: TokensPage,
  "tokens/new": () => <KeyWizardPage mode="token" />,
};

export function App() {
  const { path } = useLocation();
  const [session, setSession] = useState<SessionInfo | null | "loading">("loading");
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      setSession(await client.session());
      setError(null);
    } catch (caught) {
      if (isUnauthorized(caught)) setSession(null);
      else setError(messageOf(caught));
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const orgMatch = /^\/orgs\/([^/]+)(?:\/(.*))?$/.exec(path);
  const orgId = orgMatch?.[1];
  const signedIn = session !== "loading" && session !== null ? session : null;
  const org = useMemo(() => {
    if (signedIn === null) return null;
    const wanted = orgId ?? window.localStorage.getItem(LAST_ORG);
    return signedIn.orgs.find((candidate) => candidate.id === wanted) ?? signedIn.orgs[0] ?? null;
  }, [signedIn, orgId]);

  useEffect(() => {
    if (org !== null && orgId === org.id) window.localStorage.setItem(LAST_ORG, org.id);
  }, [org, orgId]);

  // A custom role's permissions come from the org's roles; built-in roles need no call.
  const [customRoles, setCustomRoles] = useState<OrgRole[]>([]);
  useEffect(() => {
    if (org === null || isBuiltInRole(org.role)) return;
    let current = true;
    listRoles(org.id).then(
      (roles) => current && setCustomRoles(roles),
      () => current && setCustomRoles([]),
    );
    return () => {
      current = false;
    };
  }, [org]);

  const state = useMemo<SessionState | null>(
    () =>
      signedIn === null
        ? null
        : {
            session: signedIn,
            org,
            refresh,
            grants: org === null ? [] : grantsFor(org.role, customRoles),
            signOut: async () => {
              await client.logout().catch(() => undefined);
              setSession(null);
              navigate("/sign-in");
            },
          },
    [signedIn, org, refresh, customRoles],
  );

  // Where each state of the session belongs.
  useEffect(() => {
    if (session === "loading" || path === "/accept-invitation") return;
    if (session === null && path !== "/sign-in") navigate("/sign-in", true);
    if (session !== null && (path === "/sign-in" || path === "/" || path === "/orgs" || path === "/account")) {
      navigate(org ? `/orgs/${org.id}/keys` : "/account/tokens", true);
    }
  }, [session, path, org]);

  if (error !== null) {
    return (
      <main className="centered" role="alert">
        <p>{error}</p>
        <button type="button" onClick={() => void refresh()}>
          Try again
        </button>
      </main>
    );
  }
  if (session === "loading") {
    return (
      <main className="centered" role="status">
        Loading…
      </main>
    );
  }
  if (path === "/accept-invitation") {
    return (
      <AcceptInvitationPage
        onSignedIn={(signedIn) => {
          setSession(signedIn);
          navigate("/", true);
        }}
      />
    );
  }
  if (state === null) return <SignInPage onSignedIn={setSession} />;

  let page: ReactElement;
  const accountMatch = /^\/account\/(.+)$/.exec(path);
  if (orgMatch) {
    const Page = ORG_PAGES[(orgMatch[2] ?? "keys").replace(/\/+$/, "")];
    if (org === null || org.id !== orgId) page = <NotFoundPage what="organization" />;
    else page = Page ? <Page key={org.id} /> : <NotFoundPage what="page" />;
  } else if (accountMatch) {
    const Page = ACCOUNT_PAGES[(accountMatch[1] ?? "").replace(/\/+$/, "")];
    page = Page ? <Page /> : <NotFoundPage what="page" />;
  } else {
    page = <div className="state">Loading…</div>;
  }
  return (
    <SessionContext.Provider value={state}>
      <Layout path={path}>{page}</Layout>
    </SessionContext.Provider>
  );
}
