import { client } from "../api";
import { KeyTable } from "../components/KeyTable";
import { PageHeader, StateView } from "../components/ui";
import { useDirectory } from "../directory";
import { useLoad } from "../hooks";
import { personalTokens } from "../keys-source";
import { Link } from "../router";
import { useSession } from "../session";

/** Account › Personal tokens: the signed-in user's own keys (everyone may manage theirs). */
export function TokensPage() {
  const { session } = useSession();
  // Personal tokens made with the session belong to the user's first organization.
  const home = session.orgs[0] ?? null;
  const details = useLoad(async () => (home ? client.getOrg(home.id) : null), [home?.id]);
  const { who } = useDirectory(home?.id ?? null);
  return (
    <section aria-labelledby="page-title">
      <PageHeader
        title="Personal tokens"
        description={`Tokens that act as you${home ? ` in ${home.name}` : ""}, for the CLI, an IDE or one-off API calls. They never hold more than your role does now.`}
        actions={
          home ? (
            <Link to="/account/tokens/new" className="button primary">
              Create token
            </Link>
          ) : null
        }
      />
      {home === null ? (
        <div className="state empty">You are not a member of any organization yet, so you cannot make tokens.</div>
      ) : (
        <StateView loaded={details}>
          {(detail) => (
            <KeyTable
              source={personalTokens}
              canWrite
              environments={detail?.attributes.policy.environments ?? []}
              who={who}
            />
          )}
        </StateView>
      )}
    </section>
  );
}
