import { type FormEvent, useId, useState } from "react";
import { messageOf } from "../api";
import { useLoad } from "../hooks";
import { createProject, listProjects } from "../roles-source";
import { useCan } from "../session";
import { Notice, StateView } from "./ui";

/** The org's projects: named scopes for role bindings (`project:<id>`). */
export function ProjectsCard({ orgId }: { orgId: string }) {
  const ids = useId();
  const projects = useLoad(() => listProjects(orgId), [orgId]);
  const canWrite = useCan("org:write");
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await createProject(orgId, name.trim());
      setName("");
      projects.reload();
    } catch (caught) {
      setError(messageOf(caught));
    }
  };
  return (
    <section className="card" aria-labelledby={`${ids}-title`}>
      <h2 className="section-title" id={`${ids}-title`}>
        Projects
      </h2>
      <p className="hint">Projects are scopes for role/scope pairs: a role bound to a project covers only it.</p>
      {error ? <Notice tone="error">{error}</Notice> : null}
      <StateView
        loaded={projects}
        unavailable={<p>Projects are not available on this server yet.</p>}
        isEmpty={(list) => list.length === 0}
        empty={<p>No projects yet.</p>}
      >
        {(list) => (
          <ul className="chips">
            {list.map((project) => (
              <li key={project.id} className="chip">
                {project.name}
              </li>
            ))}
          </ul>
        )}
      </StateView>
      {canWrite && projects.state === "ready" ? (
        <form className="filters" onSubmit={submit} aria-label="Add a project">
          <div className="field">
            <label htmlFor={`${ids}-name`}>Project name</label>
            <input id={`${ids}-name`} required value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="filter-actions">
            <button type="submit">Add project</button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
