/** What a node tells the others to drop from their caches. */
export type Invalidation = { kind: "key"; keyId: string } | { kind: "hash"; hash: string } | { kind: "all" };

/**
 * Tells every node of a cluster about changes to keys, so that each drops them from its cache at once.
 * Delivery: best effort and at most once per subscriber; a node that misses a message still sees the
 * change when the entry's TTL ends. A node also receives its own messages.
 */
export interface InvalidationBus {
  publish(message: Invalidation): Promise<void>;
  subscribe(handler: (message: Invalidation) => void): Promise<void>;
  close(): Promise<void>;
}

/** Reads a bus message; null for anything malformed. */
export function parseInvalidation(text: string): Invalidation | null {
  try {
    const value = JSON.parse(text) as Partial<Record<string, unknown>>;
    if (value.kind === "key" && typeof value.keyId === "string") return { kind: "key", keyId: value.keyId };
    if (value.kind === "hash" && typeof value.hash === "string") return { kind: "hash", hash: value.hash };
    if (value.kind === "all") return { kind: "all" };
  } catch {
    // Not JSON: ignored like any other malformed message.
  }
  return null;
}
