import { useMemo } from "react";
import { client } from "../api";
import { KeyTable } from "../components/KeyTable";
import { PageHeader, StateView } from "../components/ui";
import { useDirectory } from "../directory";
import { useLoad } from "../hooks";
import { orgKeys } from "../keys-source";
import { Link } from "../router";
import { useCan, useOrg, useSession } from "../session";

/** Settings › API keys: the org's keys. */
export function KeysPage() {
  const org = useOrg();
  const { session } = useSession();
  const canWrite = useCan("api_keys:write");
  const source = useMemo(() => orgKeys(org.id), [org.id]);
  const details = useLoad(() => client.getOrg(org.id), [org.id]);
  const { who, accounts } = useDirectory(org.id);
  const owners = [
    { id: session.user.id, label: "Me" },
    { id: org.id, label: "The organization (standalone keys)" },
    ...accounts.map((account) => ({ id: account.id, label: account.attributes.name })),
  ];
  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title="API keys"
        description={`Keys of ${org.name}: who made them, what they may do, when they expire and when they were last used.`}
        actions={
          canWrite ? (
            <Link to={`/orgs/${org.id}/keys/new`} className="button primary">
              Add API key
            </Link>
          ) : null
        }
      />
      {details.state === "error" ? (
        <StateView loaded={details}>{() => null}</StateView>
      ) : (
        // The list loads at once; the environments filter fills in when the org's policy arrives.
        <KeyTable
          source={source}
          canWrite={canWrite}
          environments={details.data?.attributes.policy.environments ?? []}
          owners={owners}
          who={who}
        />
      )}
    </section>
  );
}
