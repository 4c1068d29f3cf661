import type { SessionInfo } from "@latchkey/sdk/types";
import { type FormEvent, useState } from "react";
import { client, messageOf } from "../api";
import { Logo } from "../components/Logo";
import { Notice } from "../components/ui";

/** Email and password sign-in; the server sets the session cookie. */
export function SignInPage({ onSignedIn }: { onSignedIn: (session: SessionInfo) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await client.login(email, password));
    } catch (caught) {
      setError(
        messageOf(caught) === "Your session has ended. Sign in again."
          ? "The email or password is not right."
          : messageOf(caught),
      );
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <form className="card" onSubmit={submit} aria-labelledby="sign-in-title">
        <p className="brand">
          <Logo />
          Latchkey
        </p>
        <h1 id="sign-in-title">Sign in</h1>
        {error ? <Notice tone="error">{error}</Notice> : null}
        <label htmlFor="email">Email</label>
        <input
          id="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
