import { type Clock, LatchkeyError } from "@latchkey/core";

/** A published API version: its date and, once announced, its deprecation and sunset dates. */
export interface ApiVersion {
  date: string;
  deprecatedAt?: string;
  sunsetAt?: string;
}

/** The published versions, oldest first. The base version follows Snyk's conventions of that date. */
export const API_VERSIONS: readonly ApiVersion[] = [{ date: "2024-06-10" }];

/** The stabilities a request may ask for. */
export type Stability = "ga" | "beta" | "experimental";

/** The outcome of resolving `?version=`. */
export interface ResolvedVersion {
  requested: string;
  served: ApiVersion;
  stability: Stability;
  /** The headers every /rest answer to it carries: the versions requested and served, deprecation and sunset. */
  headers: Readonly<Record<string, string>>;
}

const VERSION_REGEX = /^(\d{4})-(\d{2})-(\d{2})(?:~(beta|experimental))?$/;

function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Resolves a requested version to the newest published one on or before its date. Missing or
 * malformed: 400; a date in the future: 400; earlier than the first version: 404.
 */
export function resolveVersion(requested: string | undefined, clock: Clock): ResolvedVersion {
  const today = todayOf(clock.now().getTime());
  if (today !== resolvedDay) {
    resolved.clear();
    resolvedDay = today;
  }
  let version = requested === undefined ? undefined : resolved.get(requested);
  if (version === undefined) {
    version = resolveUncached(requested, today);
    if (resolved.size > 1000) resolved.clear();
    resolved.set(version.requested, version);
  }
  return version;
}

const DAY_MS = 86_400_000;
let dayStart = Number.NaN;
let dayText = "";

/** The UTC date of an instant, YYYY-MM-DD (formatted once a day: every /rest request asks). */
function todayOf(ms: number): string {
  if (!(ms >= dayStart && ms < dayStart + DAY_MS)) {
    dayStart = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
    dayText = new Date(dayStart).toISOString().slice(0, 10);
  }
  return dayText;
}

/** Answers already given today, by requested version: every /rest request resolves one. */
const resolved = new Map<string, ResolvedVersion>();
let resolvedDay = "";

function resolveUncached(requested: string | undefined, today: string): ResolvedVersion {
  if (requested === undefined || requested === "") {
    throw new LatchkeyError("VERSION_REQUIRED", "Add ?version=YYYY-MM-DD (for example ?version=2024-06-10).", {
      parameter: "version",
    });
  }
  const match = VERSION_REGEX.exec(requested);
  if (!match || !isRealDate(Number(match[1]), Number(match[2]), Number(match[3]))) {
    throw new LatchkeyError(
      "VERSION_INVALID",
      "The version must be a date YYYY-MM-DD, optionally followed by ~beta or ~experimental.",
      { parameter: "version" },
    );
  }
  const date = requested.slice(0, 10);
  if (date > today) {
    throw new LatchkeyError("VERSION_IN_FUTURE", `The version ${date} is after today (${today}).`, {
      parameter: "version",
    });
  }
  const served = [...API_VERSIONS].reverse().find((version) => version.date <= date);
  if (served === undefined) {
    throw new LatchkeyError(
      "VERSION_NOT_FOUND",
      `No version exists on or before ${date}; the first is ${API_VERSIONS[0]?.date}.`,
      { parameter: "version" },
    );
  }
  const headers: Record<string, string> = {
    "latchkey-version-requested": requested,
    "latchkey-version-served": served.date,
  };
  if (served.deprecatedAt) headers.deprecation = new Date(served.deprecatedAt).toUTCString();
  if (served.sunsetAt) headers.sunset = new Date(served.sunsetAt).toUTCString();
  return { requested, served, stability: (match[4] as Stability | undefined) ?? "ga", headers };
}
