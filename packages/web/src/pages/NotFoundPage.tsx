import { Link } from "../router";

export function NotFoundPage({ what }: { what: string }) {
  return (
    <section className="state empty">
      <h1>Not found</h1>
      <p>This {what} does not exist, or you are not a member of it.</p>
      <Link to="/">Back to the dashboard</Link>
    </section>
  );
}
