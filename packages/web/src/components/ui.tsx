import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { isNotFound, messageOf } from "../api";
import type { Loaded } from "../hooks";

/** A page's title, one-line description and main actions. */
export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: string;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        <h1 id="page-title">{title}</h1>
        {description ? <p className="muted">{description}</p> : null}
      </div>
      {actions ? <div className="actions">{actions}</div> : null}
    </header>
  );
}

/** Loading, error (with retry), not-available (404) and empty states around a loaded value. */
export function StateView<T>({
  loaded,
  empty,
  unavailable,
  isEmpty,
  children,
}: {
  loaded: Loaded<T> & { reload: () => void };
  empty?: ReactNode;
  unavailable?: ReactNode;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (loaded.state === "loading") {
    return (
      <div className="state" role="status">
        <span className="spinner" aria-hidden="true" /> Loading…
      </div>
    );
  }
  if (loaded.state === "error") {
    if (unavailable !== undefined && isNotFound(loaded.error)) {
      return <div className="state empty">{unavailable}</div>;
    }
    return (
      <div className="state error" role="alert">
        <p>{messageOf(loaded.error)}</p>
        <button type="button" onClick={loaded.reload}>
          Try again
        </button>
      </div>
    );
  }
  if (isEmpty?.(loaded.data)) return <div className="state empty">{empty ?? "Nothing here yet."}</div>;
  return <>{children(loaded.data)}</>;
}

/** A short message that screen readers announce; `tone` error uses role=alert. */
export function Notice({ tone = "info", children }: { tone?: "info" | "error" | "success"; children: ReactNode }) {
  return (
    <div className={`notice ${tone}`} role={tone === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/** A modal dialog (the browser's own: focus kept inside, Escape closes). */
export function Dialog({
  title,
  onClose,
  children,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={wide ? "wide" : undefined}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <div className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      {children}
    </dialog>
  );
}

/** Asks before a destructive action; shows the action's error in place. */
export function ConfirmDialog({
  title,
  body,
  confirm,
  onConfirm,
  onClose,
}: {
  title: string;
  body: ReactNode;
  confirm: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title={title} onClose={onClose}>
      <div className="dialog-body">{body}</div>
      {error ? <Notice tone="error">{error}</Notice> : null}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setError(null);
            try {
              await onConfirm();
              onClose();
            } catch (caught) {
              setError(messageOf(caught));
              setBusy(false);
            }
          }}
        >
          {confirm}
        </button>
      </div>
    </Dialog>
  );
}

/** Copies `text` to the clipboard and says so. */
export function CopyButton({ text, label = "Copy", className }: { text: string; label?: string; className?: string }) {
  const [done, setDone] = useState<"copied" | "failed" | null>(null);
  return (
    <button
      type="button"
      className={className}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setDone("copied");
        } catch {
          setDone("failed");
        }
        window.setTimeout(() => setDone(null), 2000);
      }}
    >
      {done === "copied" ? "Copied" : done === "failed" ? "Copy failed" : label}
      <span className="visually-hidden" aria-live="polite">
        {done === "copied" ? "Copied to the clipboard" : ""}
      </span>
    </button>
  );
}

/**
 * A secret shown once: masked with a reveal toggle, a copy button, and a checkbox that must be ticked
 * before Done is enabled.
 */
export function SecretOnce({
  secret,
  label,
  onDone,
  children,
}: {
  secret: string;
  label: string;
  onDone: () => void;
  children?: ReactNode;
}) {
  const [revealed, setRevealed] = useState(false);
  const [stored, setStored] = useState(false);
  const inputId = useId();
  return (
    <div className="secret-once">
      <Notice tone="info">This is the only time the value is shown. Store it now.</Notice>
      <label htmlFor={inputId}>{label}</label>
      <div className="secret-row">
        <input
          id={inputId}
          className="mono"
          type={revealed ? "text" : "password"}
          value={secret}
          readOnly
          autoComplete="off"
          spellCheck={false}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" aria-pressed={revealed} onClick={() => setRevealed((value) => !value)}>
          {revealed ? "Hide" : "Reveal"}
        </button>
        <CopyButton text={secret} />
      </div>
      {children}
      <label className="check">
        <input type="checkbox" checked={stored} onChange={(event) => setStored(event.target.checked)} />I have stored
        the key in a safe place
      </label>
      <div className="dialog-actions">
        <button type="button" className="primary" disabled={!stored} onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status}`}>{status.charAt(0).toUpperCase() + status.slice(1)}</span>;
}

/** Links to the previous and next page of a cursor-paginated list. */
export function Pager({
  prev,
  next,
  onPage,
}: {
  prev: boolean;
  next: boolean;
  onPage: (direction: "prev" | "next") => void;
}) {
  if (!prev && !next) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={!prev} onClick={() => onPage("prev")}>
        ← Previous
      </button>
      <button type="button" disabled={!next} onClick={() => onPage("next")}>
        Next →
      </button>
    </nav>
  );
}

/**
 * A table's scroll container: a labelled region that keyboard users can focus to scroll it sideways
 * on narrow screens.
 */
export function TableWrap({
  label,
  labelledBy,
  children,
}: {
  label?: string;
  labelledBy?: string;
  children: ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section className="table-wrap" aria-label={label} aria-labelledby={labelledBy} tabIndex={0}>
      {children}
    </section>
  );
}
