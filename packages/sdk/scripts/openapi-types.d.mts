/**
 * The TypeScript source for an OpenAPI document: one export per component schema and a `paths`
 * interface keyed by path and method. Deterministic; unformatted until `formatWithBiome`.
 */
export function generateOpenApiTypes(document: Record<string, unknown>): string;

/** Formats TypeScript source as Biome does for `filePath`, with the configuration of the workspace at `cwd`. */
export function formatWithBiome(source: string, filePath: string, cwd: string): string;
