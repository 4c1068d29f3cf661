import { useMemo } from "react";
import { client } from "./api";
import { useLoad } from "./hooks";
import { useSession } from "./session";

/** The end of an id: UUIDv7s made close together share their start (the time), not their end. */
export function shortId(id: string): string {
  return id.slice(-8);
}

/**
 * Names for the principals of an org (members by email, service accounts by name), loaded once per
 * page; ids show shortened while loading or when the caller may not list them.
 */
export function useDirectory(orgId: string | null) {
  const { session } = useSession();
  const loaded = useLoad(async () => {
    if (orgId === null) return { members: [], accounts: [] };
    const [members, accounts] = await Promise.all([
      client.listMembers(orgId, { limit: 100 }).catch(() => ({ data: [] })),
      client.listServiceAccounts(orgId, { limit: 100 }).catch(() => ({ data: [] })),
    ]);
    return { members: members.data, accounts: accounts.data };
  }, [orgId]);
  return useMemo(() => {
    const names = new Map<string, string>();
    for (const member of loaded.data?.members ?? []) names.set(member.attributes.user_id, member.attributes.email);
    for (const account of loaded.data?.accounts ?? [])
      names.set(account.id, `${account.attributes.name} (service account)`);
    const who = (ref: { type: string; id: string }) => {
      if (ref.type === "user" && ref.id === session.user.id) return "You";
      if (ref.type === "org") return "The organization";
      if (ref.type === "anonymous") return "Anonymous";
      if (ref.type === "system") return "Latchkey";
      return names.get(ref.id) ?? `${ref.type.replace("_", " ")} …${shortId(ref.id)}`;
    };
    return { who, accounts: loaded.data?.accounts ?? [], members: loaded.data?.members ?? [] };
  }, [loaded.data, session.user.id]);
}
