import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";
import type { Config } from "../config.js";

/** Fastify's `trustProxy` option for LATCHKEY_TRUST_PROXY. */
export type TrustProxy = boolean | string[] | ((address: string, hop: number) => boolean);

/**
 * LATCHKEY_TRUST_PROXY as Fastify's `trustProxy`: a hop count trusts that many proxies nearest to
 * Latchkey, never an address a client put first.
 */
export function trustProxyOption(config: Pick<Config, "trustProxy">): TrustProxy {
  const { trustProxy } = config;
  return typeof trustProxy === "number" ? (_address: string, hop: number) => hop < trustProxy : trustProxy;
}

/**
 * How the fast lane finds a request's client address: exactly as Fastify's `request.ip` does for
 * the same `trustProxy` (the last address proxy-addr trusts, or the socket's peer without a proxy).
 */
export function clientAddressOf(trust: TrustProxy): (request: IncomingMessage) => string {
  if (trust === false) return (request) => request.socket.remoteAddress ?? "";
  const fn = typeof trust === "function" ? trust : trust === true ? () => true : proxyAddr.compile(trust);
  return (request) => {
    const addresses = proxyAddr.all(request, fn);
    return addresses[addresses.length - 1] ?? "";
  };
}
