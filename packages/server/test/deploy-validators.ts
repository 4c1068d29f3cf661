import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject } from "ajv";
import { DCLinter } from "dclint";
import { DockerfileParser, Env, From, ModifiableInstruction } from "dockerfile-ast";
import { ValidationSeverity, type ValidatorSettings, validate as validateDockerfile } from "dockerfile-utils";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, Secret, Service } from "kubernetes-models/v1";
import { parseAllDocuments } from "yaml";

// Checkers for the deployment files (Dockerfile, deploy/compose.yaml, deploy/kubernetes/*.yaml,
// deploy/nginx/nginx.conf). No container engine runs where the tests run, so each file is checked by a
// linter or schema validator from the npm registry instead; deploy-files.test.ts also proves that each
// of them refuses a broken file.

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A file of the repository, as text. */
export function readRepoFile(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------------
// Dockerfile: dockerfile-utils (the validator behind VS Code's Dockerfile language server) parses every
// instruction and reports what `docker build` would refuse (unknown instructions and flags, bad ports,
// durations and signals, JSON written with single quotes, duplicate stage names, ...). Its style checks
// (casing, several CMDs in a stage, relative WORKDIR, ...) are raised from warnings to errors here.

const ALL_CHECKS_ARE_ERRORS: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

/** What dockerfile-utils finds wrong in a Dockerfile, one line each ("line 3: Unknown instruction: RUNN"). */
export function lintDockerfile(text: string): string[] {
  return validateDockerfile(text, ALL_CHECKS_ARE_ERRORS).map(
    (problem) => `line ${problem.range.start.line + 1}: ${problem.message}`,
  );
}

/** One instruction of a Dockerfile: its keyword, its flags (`--interval=15s`) and its other arguments. */
export interface DockerInstruction {
  keyword: string;
  flags: Record<string, string>;
  /** The arguments after the flags, line continuations folded. */
  args: string;
  line: number;
}

/** One build stage: the image it starts from (ARGs resolved), its name, instructions and ENV. */
export interface DockerStage {
  from: string;
  name: string | null;
  instructions: DockerInstruction[];
  env: Record<string, string>;
}

/** The stages of a Dockerfile, in order, as dockerfile-ast parses them. */
export function dockerStages(text: string): DockerStage[] {
  const dockerfile = DockerfileParser.parse(text);
  const globalArgs = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    for (const property of arg.getProperties()) globalArgs.set(property.getName(), property.getValue() ?? "");
  }
  const stages: DockerStage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction instanceof From) {
      const image = (instruction.getImage() ?? "").replace(
        /\$\{?(\w+)\}?/g,
        (_, name: string) => globalArgs.get(name) ?? "",
      );
      stages.push({ from: image, name: instruction.getBuildStage(), instructions: [], env: {} });
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) continue;
    const flags: Record<string, string> = {};
    if (instruction instanceof ModifiableInstruction) {
      for (const flag of instruction.getFlags()) flags[flag.getName()] = flag.getValue() ?? "";
    }
    stage.instructions.push({
      keyword: instruction.getKeyword(),
      flags,
      args: instruction.getArgumentsContent() ?? "",
      line: instruction.getRange().start.line + 1,
    });
    if (instruction instanceof Env) {
      for (const property of instruction.getProperties()) stage.env[property.getName()] = property.getValue() ?? "";
    }
  }
  return stages;
}

/**
 * The command an exec-form instruction runs (`CMD ["node", "x.js"]` → ["node", "x.js"]); for the shell
 * form, what Docker runs for it (["/bin/sh", "-c", "…"]).
 */
export function execForm(args: string): string[] {
  const text = args.trim();
  if (text.startsWith("[")) {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === "string")) {
      throw new Error(`not a JSON array of strings: ${text}`);
    }
    return parsed;
  }
  return ["/bin/sh", "-c", text];
}

/** The command of a HEALTHCHECK's arguments ("CMD [...]"), or null for HEALTHCHECK NONE. */
export function healthcheckCommand(args: string): string[] | null {
  const match = /^(CMD|NONE)\b\s*([\s\S]*)$/i.exec(args.trim());
  if (match === null) throw new Error(`HEALTHCHECK is neither CMD nor NONE: ${args}`);
  return match[1]?.toUpperCase() === "NONE" ? null : execForm(match[2] ?? "");
}

// ---------------------------------------------------------------------------------------------------
// YAML

/** Every document of a YAML text, with `<<` merge keys applied as Docker Compose applies them. */
export function parseYamlDocuments(text: string): unknown[] {
  return parseAllDocuments(text, { merge: true }).map((document) => {
    if (document.errors.length > 0) throw new Error(document.errors.map((error) => error.message).join("\n"));
    return document.toJS();
  });
}

/** The one document of a YAML text. */
export function parseYaml(text: string): unknown {
  const [document, ...more] = parseYamlDocuments(text);
  if (more.length > 0) throw new Error("expected a single YAML document");
  return document;
}

function ajvErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const extra =
      error.keyword === "additionalProperties"
        ? ` (${String((error.params as { additionalProperty?: unknown }).additionalProperty)})`
        : "";
    return `${error.instancePath || "/"} ${error.message ?? error.keyword}${extra}`;
  });
}

// ---------------------------------------------------------------------------------------------------
// Compose: the Compose Specification's JSON schema (compose-spec/compose-spec, schema/compose-spec.json)
// as the npm package dclint ships it in schemas/compose.schema.json, compiled with ajv; and dclint's own
// rules, run through its API.

/** Where dclint keeps its copy of the Compose Specification schema. */
export const COMPOSE_SCHEMA_PATH = join(dirname(require.resolve("dclint/package.json")), "schemas/compose.schema.json");

let composeValidator: ReturnType<Ajv["compile"]> | undefined;

/** What the Compose Specification schema refuses in a parsed Compose file (empty when valid). */
export function composeSchemaErrors(document: unknown): string[] {
  if (composeValidator === undefined) {
    const schema = JSON.parse(readFileSync(COMPOSE_SCHEMA_PATH, "utf8")) as Record<string, unknown>;
    // The schema names its meta-schema "https://json-schema.org/draft-07/schema"; ajv registers draft-07
    // under its canonical id, so say that (the schema is then itself checked against draft-07).
    schema.$schema = "http://json-schema.org/draft-07/schema#";
    // strictTypes off: the schema uses union types ("type": ["string", "number"]) and patternProperties
    // without "type": "object", both valid JSON Schema that ajv's strict mode only warns about.
    const ajv = new Ajv({ allErrors: true, strictTypes: false, allowUnionTypes: true });
    composeValidator = ajv.compile(schema);
  }
  return composeValidator(document) ? [] : ajvErrors(composeValidator.errors);
}

/** A finding of dclint's, as its LintResult.messages hold them. */
interface DclintMessage {
  type: "error" | "warning";
  rule: string;
  line: number;
  message: string;
}

/**
 * dclint's findings (errors and warnings) for a Compose file's text: every rule at its default, except
 * that quoted ports take double quotes, like every other quoted string of deploy/compose.yaml.
 */
export function dclintFindings(text: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-dclint-"));
  try {
    const path = join(dir, "compose.yaml");
    writeFileSync(path, text);
    const linter = new DCLinter({
      rules: { "require-quotes-in-ports": [1, { quoteType: "double" }] },
      quiet: true,
      debug: false,
      exclude: [],
    });
    // dclint's declarations re-export without file extensions, which "nodenext" resolution cannot
    // follow, so its result type is spelled out here.
    const results = linter.lintFiles([path], false) as { messages: DclintMessage[] }[];
    return results
      .flatMap((result) => result.messages)
      .map((message) => `${message.type} ${message.rule} (line ${message.line}): ${message.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A Compose value with `${NAME}`, `${NAME:-default}` and `${NAME-default}` interpolated from `env`, as
 * Compose does it (`$$` is a literal `$`).
 */
export function interpolate(value: string, env: Record<string, string> = {}): string {
  return value.replace(
    /\$\$|\$\{(\w+)(?:(:?)-([^}]*))?\}|\$(\w+)/g,
    (whole, braced?: string, colon?: string, fallback?: string, bare?: string) => {
      if (whole === "$$") return "$";
      const name = braced ?? bare ?? "";
      const set = env[name];
      if (fallback === undefined) return set ?? "";
      if (set === undefined || (colon === ":" && set === "")) return fallback;
      return set;
    },
  );
}

// ---------------------------------------------------------------------------------------------------
// Kubernetes: kubernetes-models (npm) ships a validator compiled from the Kubernetes OpenAPI schema for
// every built-in kind; `.validate()` checks types, required fields and formats. Like the API server
// (and unlike `kubectl --validate=strict` or kubeconform -strict), that schema lets unknown fields
// through, so a misspelt `readinesProbe` would pass: `unknownFields` closes that gap by watching which
// fields the schema's validator reads. It reads every field the schema declares (and every entry of a
// map), so a field of an object it looked into that it never read is one the schema does not know.

const KINDS = [
  Namespace,
  Secret,
  ConfigMap,
  Service,
  Deployment,
  PodDisruptionBudget,
  HorizontalPodAutoscaler,
] as const;

type Kind = (typeof KINDS)[number];

interface Visited {
  path: string;
  value: object;
  read: Set<string>;
  looked: () => boolean;
}

function watched<T>(value: T, path: string, visits: Visited[]): T {
  if (value === null || typeof value !== "object") return value;
  const read = new Set<string>();
  let looked = false;
  visits.push({ path, value, read, looked: () => looked });
  const children = new Map<string, unknown>();
  return new Proxy(value, {
    get(target, key, receiver) {
      const child: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== "string") return child;
      read.add(key);
      looked = true;
      if (child === null || typeof child !== "object") return child;
      if (!children.has(key)) children.set(key, watched(child, `${path}/${key}`, visits));
      return children.get(key);
    },
    ownKeys(target) {
      looked = true;
      return Reflect.ownKeys(target);
    },
  });
}

function kindOf(manifest: Record<string, unknown>): Kind | undefined {
  return KINDS.find((kind) => kind.apiVersion === manifest.apiVersion && kind.kind === manifest.kind);
}

/** Fields of a manifest that its kind's schema does not declare ("/spec/replicaz"). */
export function unknownFields(kind: Kind, manifest: object): string[] {
  const visits: Visited[] = [];
  const copy = watched(structuredClone(manifest), "", visits);
  try {
    kind.prototype.validate.call(copy);
  } catch {
    // Schema errors are reported by kubernetesErrors; only the fields read matter here.
  }
  const unknown: string[] = [];
  for (const visit of visits) {
    if (Array.isArray(visit.value) || !visit.looked()) continue;
    for (const key of Object.keys(visit.value)) if (!visit.read.has(key)) unknown.push(`${visit.path}/${key}`);
  }
  return unknown;
}

/** What the Kubernetes schema of a manifest's kind refuses in it (empty when valid). */
export function kubernetesErrors(manifest: unknown): string[] {
  if (manifest === null || typeof manifest !== "object" || Array.isArray(manifest)) return ["not a mapping"];
  const object = manifest as Record<string, unknown>;
  const kind = kindOf(object);
  if (kind === undefined) {
    return [`no schema here for apiVersion ${String(object.apiVersion)}, kind ${String(object.kind)}`];
  }
  const errors: string[] = [];
  try {
    new kind(object as never).validate();
  } catch (error) {
    errors.push((error as Error).message);
  }
  for (const field of unknownFields(kind, object)) errors.push(`${field}: unknown field`);
  return errors;
}

// ---------------------------------------------------------------------------------------------------
// nginx: `nginx -t` when an nginx binary is installed (Debian's, which scripts/ensure-nginx.sh installs
// for CI); the upstream host names of Compose are swapped for loopback addresses, since `nginx -t`
// resolves them.

/** The nginx binary, or null when none is installed. */
export function nginxBinary(): string | null {
  for (const candidate of ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]) {
    if (existsSync(candidate)) return candidate;
  }
  const which = spawnSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" });
  const found = which.stdout.trim();
  return which.status === 0 && found !== "" ? found : null;
}

/** Runs `nginx -t` on a configuration text; `hosts` maps host names in it to addresses to use instead. */
export function nginxTest(
  nginx: string,
  conf: string,
  hosts: Record<string, string> = {},
): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "latchkey-nginx-"));
  try {
    let text = conf;
    for (const [host, address] of Object.entries(hosts)) {
      text = text.replaceAll(new RegExp(`\\b${host.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=:\\d)`, "g"), address);
    }
    const path = join(dir, "nginx.conf");
    writeFileSync(path, text);
    // Output to a file, not a pipe: the configuration logs to /dev/stdout and /dev/stderr, which nginx
    // cannot open when they are the socket pairs Node uses for pipes (ENXIO).
    const outputPath = join(dir, "output.txt");
    const output = openSync(outputPath, "w");
    let status: number | null;
    try {
      status = spawnSync(nginx, ["-t", "-p", `${dir}/`, "-c", path, "-e", "stderr", "-g", `pid ${dir}/nginx.pid;`], {
        stdio: ["ignore", output, output],
        timeout: 30_000,
      }).status;
    } finally {
      closeSync(output);
    }
    return { ok: status === 0, output: readFileSync(outputPath, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
