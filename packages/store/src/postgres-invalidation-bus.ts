import { type Invalidation, type InvalidationBus, parseInvalidation } from "@latchkey/core";
import { type Kysely, sql } from "kysely";
import pg from "pg";

/** The channel every node notifies and listens on. */
const CHANNEL = "latchkey_invalidate";

/**
 * Invalidations over PostgreSQL LISTEN/NOTIFY, for clusters without Redis. Publishing goes through
 * the store's pool; listening holds one dedicated connection and reconnects after losing it.
 */
export class PostgresInvalidationBus implements InvalidationBus {
  private client: pg.Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Kysely<unknown>,
    private readonly url: string,
  ) {}

  async publish(message: Invalidation): Promise<void> {
    await sql`select pg_notify(${CHANNEL}, ${JSON.stringify(message)})`.execute(this.db);
  }

  async subscribe(handler: (message: Invalidation) => void): Promise<void> {
    await this.listen(handler).catch(() => this.scheduleReconnect(handler));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    await this.client?.end().catch(() => {});
    this.client = null;
  }

  private async listen(handler: (message: Invalidation) => void): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on("error", () => {
      if (this.client === client) this.client = null;
      void client.end().catch(() => {});
      this.scheduleReconnect(handler);
    });
    client.on("notification", (notification) => {
      if (notification.channel !== CHANNEL || notification.payload === undefined) return;
      const message = parseInvalidation(notification.payload);
      if (message !== null) handler(message);
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
    // A node that was deaf for a while may have missed changes: it forgets everything it cached.
    handler({ kind: "all" });
  }

  private scheduleReconnect(handler: (message: Invalidation) => void): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.listen(handler).catch(() => this.scheduleReconnect(handler));
    }, 500);
    this.retry.unref();
  }
}
