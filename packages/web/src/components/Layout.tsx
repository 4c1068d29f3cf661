import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { Link, navigate } from "../router";
import { useCan, useSession } from "../session";
import { Logo } from "./Logo";
import { NewOrgDialog } from "./NewOrgDialog";

const ORG_NAV = [
  { path: "keys", label: "API keys" },
  { path: "publishable-keys", label: "Publishable keys" },
  { path: "service-accounts", label: "Service accounts" },
  { path: "usage", label: "Usage" },
  { path: "audit", label: "Audit log" },
  { path: "members", label: "Members & roles" },
  { path: "policy", label: "Org policy" },
  { path: "webhooks", label: "Webhooks" },
  { path: "vault", label: "Vault" },
];

/** The signed-in frame: header with org switcher and account menu, side navigation, the page. */
export function Layout({ path, children }: { path: string; children: ReactNode }) {
  const { session, org } = useSession();
  const switcherId = useId();
  const section = /^\/orgs\/[^/]+\/([^/]+)/.exec(path)?.[1];
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={org ? `/orgs/${org.id}/keys` : "/account/tokens"} className="brand">
          <Logo />
          Latchkey
        </Link>
        {session.orgs.length > 0 ? (
          <div className="org-switcher">
            <label htmlFor={switcherId}>Organization</label>
            <select
              id={switcherId}
              value={org?.id ?? ""}
              onChange={(event) => navigate(`/orgs/${event.target.value}/${section ?? "keys"}`)}
            >
              {session.orgs.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.name} ({candidate.role.replace("_", " ")})
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <AccountMenu />
      </header>
      <nav className="sidebar" aria-label="Main">
        {org ? (
          <>
            <p className="nav-heading">Settings</p>
            <ul>
              {ORG_NAV.map((item) => (
                <li key={item.path}>
                  <Link to={`/orgs/${org.id}/${item.path}`} aria-current={section === item.path ? "page" : undefined}>
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <p className="nav-heading">Account</p>
        <ul>
          <li>
            <Link to="/account/tokens" aria-current={path.startsWith("/account/tokens") ? "page" : undefined}>
              Personal tokens
            </Link>
          </li>
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** The account button and its menu: who is signed in, personal tokens, sign out. */
function AccountMenu() {
  const { session, signOut } = useSession();
  const canCreateOrg = useCan("org:write");
  const [open, setOpen] = useState(false);
  const [creating, setCreating] = useState(false);
  const menuId = useId();
  const wrapper = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !wrapper.current?.contains(event.target as Node)) {
        setOpen(false);
      }
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);
  const initial = (session.user.name || session.user.email).charAt(0).toUpperCase();
  return (
    <div className="account-menu" ref={wrapper}>
      <button
        type="button"
        className="avatar-button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen((value) => !value)}
      >
        <span className="avatar" aria-hidden="true">
          {initial}
        </span>
        <span className="visually-hidden">Account menu for </span>
        <span className="account-email">{session.user.email}</span>
      </button>
      <div id={menuId} className="menu" hidden={!open}>
        <p className="menu-who">
          <strong>{session.user.name || "Signed in"}</strong>
          <br />
          <span className="muted">{session.user.email}</span>
        </p>
        <Link to="/account/tokens" onClick={() => setOpen(false)}>
          Personal tokens
        </Link>
        {canCreateOrg ? (
          <button
            type="button"
            onClick={() => {
              setOpen(false);
              setCreating(true);
            }}
          >
            New organization
          </button>
        ) : null}
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
      {creating ? <NewOrgDialog onClose={() => setCreating(false)} /> : null}
    </div>
  );
}
