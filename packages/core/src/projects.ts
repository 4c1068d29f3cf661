/** A project: a named sub-resource of an org, the narrowest scope of a role/scope pair (`project:<id>`). */
export interface Project {
  id: string;
  orgId: string;
  name: string;
  description: string | null;
  createdAt: Date;
  createdBy: { type: string; id: string };
}
