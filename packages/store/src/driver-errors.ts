import { LatchkeyError } from "@latchkey/core";

/** Unique violations of SQLite and PostgreSQL, as the drivers report them. */
function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("code" in error)) return false;
  const code = (error as { code: unknown }).code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/** Runs a write, turning a driver's unique violation into CONFLICT before it leaves the adapter. */
export async function translateDriverErrors<T>(detail: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new LatchkeyError("CONFLICT", detail);
    throw error;
  }
}
