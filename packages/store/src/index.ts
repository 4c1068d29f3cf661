export { type ConnectOptions, type DatabaseKind, type DatabaseTarget, parseDatabaseUrl } from "./connect.js";
export { KyselyStore, openStore } from "./kysely-store.js";
export { migrateToLatest } from "./migrations.js";
export { PostgresInvalidationBus } from "./postgres-invalidation-bus.js";
export type { Database } from "./schema.js";
