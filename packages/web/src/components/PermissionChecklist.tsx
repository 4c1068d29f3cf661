import type { Permission } from "@latchkey/sdk/types";
import { groupPermissions } from "../lib/permission-groups";

/** The org's permission catalogue as a read/write checklist grouped by resource. */
export function PermissionChecklist({
  catalogue,
  selected,
  onChange,
}: {
  catalogue: Permission[];
  selected: Set<string>;
  onChange: (next: Set<string>) => void;
}) {
  return (
    <div className="permission-groups">
      {groupPermissions(catalogue).map((group) => (
        <fieldset key={`${group.source}:${group.resource}`} className="permission-group">
          <legend>
            {group.resource}
            {group.source === "org" ? <span className="badge">product</span> : null}
          </legend>
          {group.permissions.map((permission) => (
            <label key={permission.id} className="check" title={permission.description}>
              <input
                type="checkbox"
                checked={selected.has(permission.id)}
                onChange={(event) => {
                  const next = new Set(selected);
                  if (event.target.checked) next.add(permission.id);
                  else next.delete(permission.id);
                  onChange(next);
                }}
              />
              <span className="visually-hidden">{group.resource} </span>
              {permission.action || permission.id}
            </label>
          ))}
        </fieldset>
      ))}
    </div>
  );
}
