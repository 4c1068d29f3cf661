import { setFlagsFromString } from "node:v8";

/** The young generation's semi-space for a serving node, in MiB (V8's default is 8 with pointer compression). */
export const SERVING_SEMI_SPACE_MIB = 16;

/**
 * Tunes V8's garbage collector for serving; a flag given in NODE_OPTIONS or on the command line wins.
 * - A larger young generation (up to 2 × 16 MiB): each verification leaves short-lived garbage; with
 *   the default semi-space, scavenges run so often that V8's parallel GC threads take a third of a
 *   core from the 2 a small machine has.
 * - No allocation-site pretenuring: when V8 sees a request's objects outlive a scavenge (a burst at
 *   start-up is enough), it allocates later ones from the same site in the old generation, where
 *   they keep the young objects they point to alive too; a node in that state spends a sixth of
 *   its time in GC for the rest of its life (bench/http.mjs, POST /rest/api_keys/verify).
 */
export function tuneHeapForServing(): void {
  const given = `${process.env.NODE_OPTIONS ?? ""} ${process.execArgv.join(" ")}`;
  if (!/--max-semi-space-size\b/.test(given)) setFlagsFromString(`--max-semi-space-size=${SERVING_SEMI_SPACE_MIB}`);
  if (!/--(no-)?allocation-site-pretenuring\b/.test(given)) setFlagsFromString("--no-allocation-site-pretenuring");
}
