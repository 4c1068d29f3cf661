/** The expiry presets of the API (`expires_in`), with their lengths and labels. */
export const EXPIRY_PRESETS = [
  { value: "1h", label: "1 hour", seconds: 3600 },
  { value: "12h", label: "12 hours", seconds: 12 * 3600 },
  { value: "1d", label: "1 day", seconds: 86_400 },
  { value: "5d", label: "5 days", seconds: 5 * 86_400 },
  { value: "30d", label: "30 days", seconds: 30 * 86_400 },
  { value: "90d", label: "90 days", seconds: 90 * 86_400 },
  { value: "1y", label: "1 year", seconds: 365 * 86_400 },
] as const;

export type ExpiryPreset = (typeof EXPIRY_PRESETS)[number]["value"];

/** What the expiry picker may offer: a preset, a custom date, or never. */
export type ExpiryChoice = ExpiryPreset | "custom" | "never";

/** The parts of an org's policy that bound a key's lifetime. */
export interface ExpiryPolicy {
  allow_never_expiring: boolean;
  max_lifetime_seconds: number;
}

export interface ExpiryOption {
  value: ExpiryChoice;
  label: string;
}

/** The choices the policy allows, shortest first: presets within the maximum lifetime, custom, then never. */
export function expiryOptions(policy: ExpiryPolicy): ExpiryOption[] {
  const options: ExpiryOption[] = EXPIRY_PRESETS.filter(
    (preset) => policy.allow_never_expiring || preset.seconds <= policy.max_lifetime_seconds,
  ).map(({ value, label }) => ({ value, label }));
  options.push({ value: "custom", label: "Custom date" });
  if (policy.allow_never_expiring) options.push({ value: "never", label: "Never" });
  return options;
}

/** The default choice: 30 days where allowed, else the longest preset allowed. */
export function defaultExpiry(policy: ExpiryPolicy): ExpiryChoice {
  const presets = expiryOptions(policy).filter((option) => option.value !== "custom" && option.value !== "never");
  if (presets.some((option) => option.value === "30d")) return "30d";
  return presets[presets.length - 1]?.value ?? "custom";
}

/** The create body's expiry attributes, or a message when a custom date is missing or out of bounds. */
export function expiryAttributes(
  choice: ExpiryChoice,
  customDate: string,
  policy: ExpiryPolicy,
  now: Date,
): { expires_in: ExpiryPreset | "never" } | { expires_at: string } | { error: string } {
  if (choice !== "custom") return { expires_in: choice };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(customDate);
  if (match === null) return { error: "Choose an expiry date." };
  // The key expires at the end of the chosen day (UTC).
  const at = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59));
  if (Number.isNaN(at.getTime()) || at.getUTCDate() !== Number(match[3])) return { error: "That is not a date." };
  if (at.getTime() <= now.getTime()) return { error: "The expiry date must be in the future." };
  if (!policy.allow_never_expiring && at.getTime() - now.getTime() > policy.max_lifetime_seconds * 1000) {
    return { error: "The org's policy does not allow a key to live that long." };
  }
  return { expires_at: at.toISOString() };
}

/** The latest custom date the policy allows (YYYY-MM-DD), for the date input's `max`; null when unbounded. */
export function latestCustomDate(policy: ExpiryPolicy, now: Date): string | null {
  if (policy.allow_never_expiring) return null;
  const last = new Date(now.getTime() + policy.max_lifetime_seconds * 1000 - 86_400_000);
  return last.toISOString().slice(0, 10);
}
