import type { SessionInfo } from "@latchkey/sdk/types";
import { type FormEvent, useState } from "react";
import { client, messageOf } from "../api";
import { Logo } from "../components/Logo";
import { Notice } from "../components/ui";

/**
 * The invitation link's page (`/accept-invitation?token=…`): a new user sets a name and password, an
 * existing one gives their password; either way they are signed in.
 */
export function AcceptInvitationPage({ onSignedIn }: { onSignedIn: (session: SessionInfo) => void }) {
  const token = new URLSearchParams(window.location.search).get("token") ?? "";
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await client.acceptInvitation(token, password, name.trim() === "" ? undefined : name.trim());
      window.history.replaceState(null, "", "/");
      onSignedIn(session);
    } catch (caught) {
      setError(
        messageOf(caught) === "Your session has ended. Sign in again."
          ? "This invitation link is not valid any more, or the password is not right."
          : messageOf(caught),
      );
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <form className="card" onSubmit={submit} aria-labelledby="accept-title">
        <p className="brand">
          <Logo />
          Latchkey
        </p>
        <h1 id="accept-title">Accept your invitation</h1>
        <p className="muted">New here? Choose your name and a password. Already have an account? Give its password.</p>
        {token === "" ? <Notice tone="error">The link has no invitation token.</Notice> : null}
        {error ? <Notice tone="error">{error}</Notice> : null}
        <label htmlFor="invite-name">Your name (new accounts)</label>
        <input id="invite-name" autoComplete="name" value={name} onChange={(event) => setName(event.target.value)} />
        <label htmlFor="invite-password">Password</label>
        <input
          id="invite-password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <button type="submit" className="primary" disabled={busy || token === ""}>
          {busy ? "Joining…" : "Join"}
        </button>
      </form>
    </main>
  );
}
