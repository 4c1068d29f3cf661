import type { Page, PageRequest } from "@latchkey/core";
import type { SelectQueryBuilder } from "kysely";
import type { Database } from "./schema.js";

/**
 * Applies id-cursor pagination, newest (highest UUIDv7) first, and fetches one extra row to learn
 * whether more lie in the direction of travel. `idColumn` is the table-qualified id column.
 */
export async function paginate<TB extends keyof Database, Row extends { id: string }, Out>(
  query: SelectQueryBuilder<Database, TB, Row>,
  idColumn: `${TB & string}.id`,
  page: PageRequest,
  map: (row: Row) => Out,
): Promise<Page<Out>> {
  // biome-ignore lint/suspicious/noExplicitAny: Kysely cannot type a column reference built from a generic table name.
  const column = idColumn as any;
  let q = query;
  if (page.endingBefore !== undefined) {
    q = q.where(column, ">", page.endingBefore).orderBy(column, "asc");
  } else {
    if (page.startingAfter !== undefined) q = q.where(column, "<", page.startingAfter);
    q = q.orderBy(column, "desc");
  }
  const rows = await q.limit(page.limit + 1).execute();
  const hasMore = rows.length > page.limit;
  const items = rows.slice(0, page.limit);
  if (page.endingBefore !== undefined) items.reverse();
  return { items: items.map(map), hasMore };
}
