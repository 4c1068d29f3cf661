import type { AuditRecord } from "./audit.js";
import { requireOrg, requirePermission } from "./authorize.js";
import type { AuditFilter, Page, PageRequest, Store } from "./ports.js";
import type { Actor } from "./verifier.js";

/** Reading an org's audit log: needs `audit:read` in that org. */
export class AuditService {
  constructor(private readonly store: Pick<Store, "audit">) {}

  /** The org's events, newest first. */
  async list(actor: Actor, orgId: string, filter: AuditFilter, page: PageRequest): Promise<Page<AuditRecord>> {
    requireOrg(actor, orgId);
    requirePermission(actor, "audit:read");
    return this.store.audit.list(actor.orgId, filter, page);
  }

  /** The org's events, oldest first, for export (checked before the first one is read). */
  export(actor: Actor, orgId: string, filter: AuditFilter): AsyncIterable<AuditRecord> {
    requireOrg(actor, orgId);
    requirePermission(actor, "audit:read");
    return this.store.audit.export(actor.orgId, filter);
  }
}
