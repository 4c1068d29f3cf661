import { createHook } from "node:async_hooks";
import { setFlagsFromString } from "node:v8";

/** The young generation's semi-space for a serving node, in MiB (V8's default is 8 with pointer compression). */
export const SERVING_SEMI_SPACE_MIB = 16;

/** The tick object kept for the life of the process (see `keepTickObjectShape`). */
let keptTickObject: object | null = null;

/**
 * Keeps one of `process.nextTick`'s tick objects alive for good. Node builds each one with an object
 * literal keyed by two symbols; its hidden classes (V8 maps) are reachable from the plain object's
 * only through weak transitions, so a full GC with no tick pending frees them and the next tick makes
 * new ones. Each time, the literal's inline caches see another map; after four they give up
 * (megamorphic) and every tick, several per request, defines its properties through V8's runtime
 * instead of the optimized code. Start-up (loading, compiling hundreds of schemas) runs enough full
 * GCs to get there in every process measured: /auth/check cost 17 µs of server CPU a request instead
 * of 13.5 (bench/http.mjs). A live tick object keeps its maps, so the caches stay monomorphic.
 */
function keepTickObjectShape(): void {
  if (keptTickObject !== null) return;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === "TickObject" && keptTickObject === null) keptTickObject = resource;
    },
  });
  hook.enable();
  process.nextTick(() => {});
  hook.disable();
}

/**
 * Tunes V8 for serving (call it first thing); a flag given in NODE_OPTIONS or on the command line wins.
 * - A larger young generation (up to 2 × 16 MiB): each verification leaves short-lived garbage; with
 *   the default semi-space, scavenges run so often that V8's parallel GC threads take a third of a
 *   core from the 2 a small machine has.
 * - No allocation-site pretenuring: when V8 sees a request's objects outlive a scavenge (a burst at
 *   start-up is enough), it allocates later ones from the same site in the old generation, where
 *   they keep the young objects they point to alive too; a node in that state spends a sixth of
 *   its time in GC for the rest of its life (bench/http.mjs, POST /rest/api_keys/verify).
 * - One tick object kept alive, so that `process.nextTick` keeps its fast path (`keepTickObjectShape`).
 */
export function tuneHeapForServing(): void {
  keepTickObjectShape();
  const given = `${process.env.NODE_OPTIONS ?? ""} ${process.execArgv.join(" ")}`;
  if (!/--max-semi-space-size\b/.test(given)) setFlagsFromString(`--max-semi-space-size=${SERVING_SEMI_SPACE_MIB}`);
  if (!/--(no-)?allocation-site-pretenuring\b/.test(given)) setFlagsFromString("--no-allocation-site-pretenuring");
}
