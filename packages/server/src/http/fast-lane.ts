import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import {
  type Actor,
  type Authentication,
  holds,
  type KeyService,
  type Verifier,
  type VerifyOutcome,
} from "@latchkey/core";
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions, RequestPayload } from "fastify";
import { clientAddressOf, type TrustProxy } from "./client-address.js";
import { credentialOf } from "./credentials.js";
import { type Answer, answerForError, type ErrorLog, JSON_API, JSON_API_UTF8 } from "./errors.js";
import type { FailureThrottle } from "./failure-throttle.js";
import { FORWARD_AUTH_PATH, type ForwardAuth } from "./forward-auth.js";
import { requestIdOf } from "./request-id.js";
import { verificationJson } from "./resources.js";
import { type ResolvedVersion, resolveVersion } from "./versions.js";

/*
 * The fast lane: the two routes a product calls on every request of its own (`/auth/check` and
 * `POST /rest/api_keys/verify`) answered straight from Node's HTTP server, without Fastify's
 * per-request machinery. It asks the same services and builds the same answers as the Fastify
 * routes; anything it is not sure of (a missing or failing credential, an unusual URL, header or
 * body) goes to Fastify, so every error is still answered by the one error path.
 */

const VERIFY_PATH = "/rest/api_keys/verify";
const REPLAY = Symbol("latchkey.replayBody");

type Replayable = IncomingMessage & { [REPLAY]?: Buffer };

/** A route-level `preParsing` hook: gives Fastify the body the fast lane already read, if it did. */
export function replayBody(
  request: FastifyRequest,
  _reply: FastifyReply,
  payload: RequestPayload,
  done: (error: Error | null, payload?: RequestPayload) => void,
): void {
  const body = (request.raw as Replayable)[REPLAY];
  if (body === undefined) {
    done(null, payload);
    return;
  }
  const stream = Readable.from([body], { objectMode: false }) as Readable & { receivedEncodedLength?: number };
  stream.receivedEncodedLength = body.length;
  done(null, stream as unknown as RequestPayload);
}

/** What the fast lane works with. */
export interface FastLaneDeps {
  forwardAuth: ForwardAuth;
  verifier: Verifier;
  keys: Pick<KeyService, "verify">;
  failureThrottle: FailureThrottle | null;
  trustProxy: TrustProxy;
  bodyLimit: number;
  /** The compiled validator of the verify route's body (the same compiler Fastify uses). */
  validateVerifyBody: (body: unknown) => boolean;
  clock: { now(): Date };
  log: ErrorLog;
}

interface VerifyAttributes {
  key: string;
  permissions?: string[];
  resource?: string;
  ip?: string;
  cost?: number;
}

/** Writes an answer with the request id first, as the Fastify routes do. */
function send(res: ServerResponse, requestId: string, answer: Answer, extra?: Record<string, string>): void {
  const headers: Record<string, string | number> = { "x-request-id": requestId, ...extra, ...answer.headers };
  if (answer.body !== "") headers["content-length"] = Buffer.byteLength(answer.body);
  else headers["content-length"] = 0;
  res.writeHead(answer.status, headers);
  res.end(answer.body === "" ? undefined : answer.body);
}

const VERIFICATION_HEADERS = { "content-type": JSON_API_UTF8 };

/** The fast lane of one node. `take` answers a request and returns true, or returns false for Fastify. */
export class FastLane {
  private readonly addressOf: (request: IncomingMessage) => string;

  constructor(private readonly deps: FastLaneDeps) {
    this.addressOf = clientAddressOf(deps.trustProxy);
  }

  /** Takes a request it can answer; a request it leaves is untouched. */
  take(req: IncomingMessage, res: ServerResponse, fastify: RequestListener): boolean {
    const url = req.url ?? "";
    if (url.startsWith(FORWARD_AUTH_PATH)) {
      const next = url.charCodeAt(FORWARD_AUTH_PATH.length);
      // "/auth/check", "/auth/check?…" or "/auth/check/<path>"; "/auth/check/" and the rest go to Fastify.
      if (Number.isNaN(next) || next === 63 || (next === 47 && url.length > FORWARD_AUTH_PATH.length + 1)) {
        this.forwardAuth(req, res);
        return true;
      }
      return false;
    }
    if (req.method === "POST" && url.startsWith(VERIFY_PATH)) return this.verify(req, res, url, fastify);
    return false;
  }

  private forwardAuth(req: IncomingMessage, res: ServerResponse): void {
    const requestId = requestIdOf(req);
    const request = {
      method: req.method ?? "GET",
      url: req.url ?? "",
      headers: req.headers,
      ip: this.addressOf(req),
      requestId,
    };
    try {
      const answer = this.deps.forwardAuth.check(request);
      if (answer instanceof Promise) {
        answer
          .then((settled) => send(res, requestId, settled))
          .catch((error: unknown) => this.fail(res, requestId, error));
      } else send(res, requestId, answer);
    } catch (error) {
      this.fail(res, requestId, error);
    }
  }

  /** The version of a plain verify URL (`/rest/api_keys/verify?version=…`), or null for Fastify. */
  private plainVersion(url: string): ResolvedVersion | null {
    const query = url.slice(VERIFY_PATH.length);
    if (!query.startsWith("?version=")) return null;
    const requested = query.slice("?version=".length);
    if (!/^[0-9a-z~-]{1,32}$/.test(requested)) return null;
    try {
      return resolveVersion(requested, this.deps.clock);
    } catch {
      return null;
    }
  }

  /**
   * Answers a plain verification: a JSON:API body of known length within the limit, a credential
   * that authenticates and may verify, and a body that validates. Anything else goes to Fastify
   * untouched, or with the body it read (then replayed). A cached caller and key are answered
   * without a promise: on this path each hop costs about as much as the verification itself.
   */
  private verify(req: IncomingMessage, res: ServerResponse, url: string, fastify: RequestListener): boolean {
    const version = this.plainVersion(url);
    if (version === null) return false;
    const { headers } = req;
    const length = Number(headers["content-length"]);
    if (headers["content-type"] !== JSON_API || headers["transfer-encoding"] !== undefined) return false;
    if (!Number.isInteger(length) || length <= 0 || length > this.deps.bodyLimit) return false;
    const secret = credentialOf(headers);
    if (secret === null) return false;
    const ip = this.addressOf(req);
    if (this.deps.failureThrottle !== null && this.deps.failureThrottle.refusedFor(ip) > 0) return false;
    const exchange: Exchange = { req, res, fastify, requestId: requestIdOf(req), version };
    let authentication: Authentication | Promise<Authentication>;
    try {
      authentication = this.deps.verifier.authenticate(secret, exchange.requestId, ip);
    } catch (error) {
      this.failVerify(exchange, error);
      return true;
    }
    if (authentication instanceof Promise) {
      // Storage is asked while the body arrives; a failure is answered as soon as both are in.
      Promise.all([authentication, new Promise<Buffer>((resolve) => readBody(req, resolve))]).then(
        ([{ actor }, raw]) => this.verifyAs(exchange, actor, raw),
        (error: unknown) => this.failVerify(exchange, error),
      );
    } else readBody(req, (raw) => this.verifyAs(exchange, authentication.actor, raw));
    return true;
  }

  /**
   * Verifies the body's key for an authenticated caller, or hands the request to Fastify. It runs
   * outside any promise (from a timer, when the body is in): whatever throws is answered here.
   */
  private verifyAs(exchange: Exchange, actor: Actor | null, raw: Buffer): void {
    try {
      const attributes = actor !== null && holds(actor.grants, "api_keys:verify") ? this.attributesOf(raw) : null;
      if (actor === null || attributes === null) {
        (exchange.req as Replayable)[REPLAY] = raw;
        exchange.fastify(exchange.req, exchange.res);
        return;
      }
      const { key, permissions, resource, ip, cost } = attributes;
      const outcome = this.deps.keys.verify(actor, key, { permissions, resource, ip, cost });
      if (outcome instanceof Promise) {
        outcome
          .then((settled) => this.answerVerify(exchange, settled))
          .catch((error: unknown) => this.failVerify(exchange, error));
      } else this.answerVerify(exchange, outcome);
    } catch (error) {
      this.failVerify(exchange, error);
    }
  }

  /** Writes a verification's 200 answer. */
  private answerVerify({ res, requestId, version }: Exchange, outcome: VerifyOutcome): void {
    const answer = { status: 200, headers: VERIFICATION_HEADERS, body: verificationJson(outcome) };
    send(res, requestId, answer, version.headers);
  }

  /** Answers a verify request's error as the REST conventions do: with its version headers. */
  private failVerify({ res, requestId, version }: Exchange, error: unknown): void {
    this.fail(res, requestId, error, version.headers);
  }

  /** Answers an error in the one error shape, or drops the connection if an answer had started. */
  private fail(res: ServerResponse, requestId: string, error: unknown, headers?: Record<string, string>): void {
    if (res.headersSent) res.destroy();
    else send(res, requestId, answerForError(error as FastifyError, requestId, this.deps.log), headers);
  }

  /**
   * The body's attributes when it validates. Plain `JSON.parse` is safe here where Fastify needs
   * secure-json-parse: the body schema allows no other property at any level, so a `__proto__` or
   * `constructor` key (an own property after `JSON.parse`) fails validation and goes to Fastify.
   */
  private attributesOf(raw: Buffer): VerifyAttributes | null {
    const key = plainKeyOf(raw);
    if (key !== null) return { key };
    let document: unknown;
    try {
      document = JSON.parse(raw.toString("utf8"));
    } catch {
      return null;
    }
    if (!this.deps.validateVerifyBody(document)) return null;
    return (document as { data: { attributes: VerifyAttributes } }).data.attributes;
  }
}

/** How a body with nothing but a key begins and ends, as JSON.stringify writes it (SDKs send this). */
const PLAIN_START = '{"data":{"type":"key_verification","attributes":{"key":"';
const PLAIN_END = '"}}}';
const MAX_KEY_ATTRIBUTE = 512;

/** 1 for the character codes of `[0-9A-Za-z_]`: key characters, which a JSON string holds unescaped. */
const KEY_CHARACTER = new Uint8Array(256).map((_, code) => (/[0-9A-Za-z_]/.test(String.fromCharCode(code)) ? 1 : 0));

/**
 * The key of a body that is exactly `{"data":{"type":"key_verification","attributes":{"key":"…"}}}`
 * with 1–512 key characters, read without a JSON parser: such a body parses and validates to that
 * key alone. Null for any other body, which is parsed and validated.
 */
function plainKeyOf(raw: Buffer): string | null {
  const end = raw.length - PLAIN_END.length;
  if (end <= PLAIN_START.length || end - PLAIN_START.length > MAX_KEY_ATTRIBUTE) return null;
  // Latin-1 maps each byte to one character; any byte above 127 is then no key character.
  const text = raw.toString("latin1");
  if (!text.startsWith(PLAIN_START) || !text.endsWith(PLAIN_END)) return null;
  for (let i = PLAIN_START.length; i < end; i++) if (KEY_CHARACTER[text.charCodeAt(i)] !== 1) return null;
  return text.slice(PLAIN_START.length, end);
}

/** One verify request on its way through the fast lane. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  fastify: RequestListener;
  requestId: string;
  version: ResolvedVersion;
}

/**
 * Reads a request's body (Node's parser stops at the announced length). A small body usually came
 * in the same packet as the headers: by the next turn of the event loop it is complete and
 * buffered, and one `read()` takes it without switching the stream to flowing mode. (A tick or a
 * microtask is too early: they run before the parser gets to the body.)
 */
function readBody(req: IncomingMessage, done: (body: Buffer) => void): void {
  setImmediate(() => {
    // `read()` hands over everything buffered; once the message is complete, that is the whole body.
    const body = req.complete && !req.readableFlowing ? (req.read() as Buffer | null) : null;
    if (body !== null) {
      req.read(); // lets the stream end, as a reader that drained it would
      done(body);
    } else readBodyByEvents(req, done);
  });
}

/** Reads a request's body chunk by chunk, as it arrives. */
function readBodyByEvents(req: IncomingMessage, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  let ended = false;
  const end = () => {
    if (ended) return; // an error after the end, or the end after an error, answers nothing more
    ended = true;
    done(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
  };
  req.on("end", end);
  // A broken connection: what arrived goes to Fastify, which answers the short body (if it still can).
  req.on("error", end);
}

/**
 * Fastify's `serverFactory`: a Node HTTP server that offers each request to the fast lane first,
 * set up with Fastify's own timeouts. `lane()` is read per request, so the lane can be made after
 * Fastify (it needs the app's services).
 */
export function fastLaneServer(lane: () => FastLane | null) {
  return (handler: RequestListener, options: FastifyServerOptions): Server => {
    const server = createServer((req, res) => {
      const current = lane();
      if (current === null || !current.take(req, res, handler)) handler(req, res);
    });
    server.keepAliveTimeout = options.keepAliveTimeout ?? 72_000;
    server.requestTimeout = options.requestTimeout ?? 0;
    server.setTimeout(options.connectionTimeout ?? 0);
    return server;
  };
}
