import { useCallback, useEffect, useRef, useState } from "react";

export type Loaded<T> =
  | { state: "loading"; data?: undefined; error?: undefined }
  | { state: "error"; data?: undefined; error: unknown }
  | { state: "ready"; data: T; error?: undefined };

/** Runs `load` when `deps` change (and on `reload`); stale answers are dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> & { reload: () => void } {
  const [result, setResult] = useState<Loaded<T>>({ state: "loading" });
  const [tick, setTick] = useState(0);
  const current = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to load again
  useEffect(() => {
    const run = ++current.current;
    setResult((previous) => (previous.state === "ready" && tick > 0 ? previous : { state: "loading" }));
    load().then(
      (data) => run === current.current && setResult({ state: "ready", data }),
      (error: unknown) => run === current.current && setResult({ state: "error", error }),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((value) => value + 1), []);
  return { ...result, reload };
}
