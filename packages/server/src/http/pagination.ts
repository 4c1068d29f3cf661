import type { Page, PageRequest } from "@latchkey/core";
import type { FastifyRequest } from "fastify";

/** The pagination parameters of a list route's query string. */
export interface PageQuery {
  limit?: number;
  starting_after?: string;
  ending_before?: string;
}

/** The page a list request asks for: `limit` 1–100, default 10. */
export function pageRequestOf(query: PageQuery): PageRequest {
  return {
    limit: query.limit ?? 10,
    startingAfter: query.starting_after?.toLowerCase(),
    endingBefore: query.ending_before?.toLowerCase(),
  };
}

function withCursor(request: FastifyRequest, name: "starting_after" | "ending_before", id: string): string {
  const url = new URL(request.url, "http://latchkey.invalid");
  url.searchParams.delete("starting_after");
  url.searchParams.delete("ending_before");
  url.searchParams.set(name, id);
  return `${url.pathname}${url.search}`;
}

/** `links.self`, and `links.next` / `links.prev` where more items lie that way. */
export function pageLinks<T extends { id: string }>(request: FastifyRequest, query: PageQuery, page: Page<T>) {
  const first = page.items[0];
  const last = page.items[page.items.length - 1];
  const backward = query.ending_before !== undefined;
  const hasNext = backward ? true : page.hasMore;
  const hasPrev = backward ? page.hasMore : query.starting_after !== undefined;
  return {
    self: request.url,
    ...(hasNext && last ? { next: withCursor(request, "starting_after", last.id) } : {}),
    ...(hasPrev && first ? { prev: withCursor(request, "ending_before", first.id) } : {}),
  };
}
