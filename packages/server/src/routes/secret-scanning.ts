import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { LeakService, ScannerMatch } from "@latchkey/core";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { JSON_UTF8, sendAnswer, sendError } from "../http/errors.js";
import { type FailureThrottle, throttled } from "../http/failure-throttle.js";
import { checkGithubSignature, type ScannerKeys } from "../http/github-signature.js";
import { StringEnum } from "../http/schemas.js";
import { validatorCompiler } from "../http/validation.js";

/** Options of the secret-scanning receiver. */
export interface SecretScanningOptions {
  leaks: LeakService;
  /** GitHub's public keys; null when `LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS` is not set (the route answers 404). */
  keys: ScannerKeys | null;
  failureThrottle: FailureThrottle | null;
}

/** The path GitHub is given at enrolment. */
export const GITHUB_SCANNING_PATH = "/secret-scanning/github";

/** The largest report: GitHub sends up to 1,000 matches and more in one request. */
export const SCANNING_BODY_LIMIT = 5 * 1024 * 1024;

const header = (value: string | string[] | undefined) => (typeof value === "string" ? value.trim() : undefined);

/**
 * Reads a verified report: a JSON array of `{token, type, url, source}`. Returns the matches, or a
 * pointer to the first bad field with a detail that never quotes a value (a value may be a key).
 */
function parseReport(body: Buffer): ScannerMatch[] | { pointer: string; detail: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return { pointer: "/", detail: "The body is not valid JSON." };
  }
  if (!Array.isArray(parsed)) return { pointer: "/", detail: "The body must be a JSON array of matches." };
  const matches: ScannerMatch[] = [];
  for (let i = 0; i < parsed.length; i++) {
    const item = parsed[i] as Record<string, unknown> | null;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      return { pointer: `/${i}`, detail: `/${i} must be an object.` };
    }
    const field = (name: string, required: boolean): string | { pointer: string; detail: string } => {
      const value = item[name];
      if (value === undefined || value === null) {
        return required ? { pointer: `/${i}/${name}`, detail: `/${i}/${name} is required.` } : "";
      }
      return typeof value === "string"
        ? value
        : { pointer: `/${i}/${name}`, detail: `/${i}/${name} must be a string.` };
    };
    const token = field("token", true);
    const type = field("type", false);
    const url = field("url", false);
    const source = field("source", false);
    for (const value of [token, type, url, source]) if (typeof value !== "string") return value;
    matches.push({ token: token as string, type: type as string, url: url as string, location: source as string });
  }
  return matches;
}

/** GitHub's report, for the document only: the body is checked by hand after its signature (`parseReport`). */
const Report = Type.Array(
  Type.Object({
    token: Type.String({ description: "The text that matched the published key regular expression." }),
    type: Type.String({ description: "The secret type agreed at enrolment, e.g. latchkey_api_key." }),
    url: Type.String({ description: "The public URL where it was found (may be empty)." }),
    source: Type.String({ description: "Where on GitHub: content, commit, issue_comment, gist_content, npm, …" }),
  }),
);

const Verdicts = Type.Array(
  Type.Object({
    token_hash: Type.String({
      description: "SHA-256 of the reported token, lower-case hex (the token is never echoed).",
    }),
    token_type: Type.String({ description: "The reported type." }),
    label: StringEnum(["true_positive", "false_positive"], {
      description: "true_positive: a key Latchkey issued (now revoked, or revoked before); false_positive: not one.",
    }),
  }),
  { description: "One verdict per reported match, in the order reported." },
);

/**
 * `POST /secret-scanning/github`: GitHub's secret-scanning partner endpoint. The signature is checked
 * over the body's bytes exactly as received (this plugin's own content-type parser keeps them raw);
 * only then is the body read. Every reported Latchkey key is revoked and labelled.
 */
export const secretScanningRoutes: FastifyPluginAsyncTypebox<SecretScanningOptions> = async (
  app,
  { leaks, keys, failureThrottle },
) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: SCANNING_BODY_LIMIT }, (_request, body, done) =>
    done(null, body),
  );

  async function refuse(request: FastifyRequest, reply: FastifyReply, reason: string) {
    request.log.info({ reqId: request.id, reason }, "secret scanning: report refused");
    await failureThrottle?.fail(request.ip);
    return sendError(request, reply, "UNAUTHORIZED");
  }

  app.post(
    GITHUB_SCANNING_PATH,
    {
      bodyLimit: SCANNING_BODY_LIMIT,
      // The body stays the raw bytes the signature covers; its schema documents it, it does not parse it.
      validatorCompiler: (route) => (route.httpPart === "body" ? () => true : validatorCompiler(route)),
      schema: {
        tags: ["Leaked keys"],
        summary: "GitHub secret scanning: revoke and label reported keys",
        description:
          "GitHub's secret-scanning partner format: a JSON array of `{token, type, url, source}`, signed with ECDSA P-256 (SHA-256) over the raw body; the signature is in `Github-Public-Key-Signature` (base64 DER) and the key's id in `Github-Public-Key-Identifier`, one of `LATCHKEY_SECRET_SCANNING_PUBLIC_KEYS`. A missing, unknown or bad signature is refused with the 401 body and nothing is revoked. Answers 404 when secret scanning is not configured.",
        security: [],
        body: Report,
        headers: Type.Object({
          "github-public-key-identifier": Type.Optional(Type.String()),
          "github-public-key-signature": Type.Optional(Type.String()),
        }),
        response: {
          200: Verdicts,
          400: Type.Ref("ErrorDocument"),
          401: Type.Ref("Unauthorized"),
          404: Type.Ref("ErrorDocument"),
          413: Type.Ref("ErrorDocument"),
          429: Type.Ref("ErrorDocument"),
        },
      },
    },
    async (request, reply) => {
      if (keys === null) {
        return sendError(request, reply, "NOT_FOUND", "Secret scanning is not set up on this server.");
      }
      if (throttled(failureThrottle, request.ip, reply)) return sendError(request, reply, "RATE_LIMITED");
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const check = checkGithubSignature(
        keys,
        header(request.headers["github-public-key-identifier"]),
        header(request.headers["github-public-key-signature"]),
        body,
      );
      if (check !== "valid") return refuse(request, reply, check);
      const report = parseReport(body);
      if (!Array.isArray(report)) {
        return sendError(request, reply, "VALIDATION_FAILED", report.detail, { pointer: report.pointer });
      }
      const verdicts = await leaks.reportLeaks("github", report, { requestId: request.id, ip: request.ip });
      const revoked = verdicts.filter((verdict) => verdict.label === "true_positive").length;
      request.log.info(
        { reqId: request.id, reported: verdicts.length, keys: revoked },
        "secret scanning: report handled",
      );
      return sendAnswer(reply, {
        status: 200,
        headers: { "content-type": JSON_UTF8 },
        body: JSON.stringify(
          verdicts.map((verdict) => ({
            token_hash: verdict.tokenHash,
            token_type: verdict.tokenType,
            label: verdict.label,
          })),
        ),
      });
    },
  );
};
