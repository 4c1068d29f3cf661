import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CONFIG_VARIABLES, loadConfig } from "../src/index.js";
import {
  composeSchemaErrors,
  type DockerStage,
  dclintFindings,
  dockerStages,
  execForm,
  healthcheckCommand,
  interpolate,
  kubernetesErrors,
  lintDockerfile,
  nginxBinary,
  nginxTest,
  parseYaml,
  parseYamlDocuments,
  ROOT,
  readRepoFile,
} from "./deploy-validators.js";
import { createTestApp, type TestApp } from "./helpers.js";

// Issue 7, "Deployment": the Dockerfile, deploy/compose.yaml, deploy/nginx/nginx.conf and the manifests
// in deploy/kubernetes/. No container engine runs here, so a linter or schema validator from the npm
// registry checks each file, each is shown to refuse a broken file, and the start command, health
// checks, ports and settings are compared with what the server and the cluster test really use.

/** What the image runs, and what the cluster test starts three times: the built CLI's `serve`. */
const SERVE = ["node", "packages/cli/dist/main.js", "serve"];
const DEFAULT_PORT = loadConfig({}).port;
const ACCEPTED = new Set<string>(Object.values(CONFIG_VARIABLES));
/** Variables a Latchkey container may carry that are not Latchkey settings. */
const NOT_SETTINGS = new Set(["NODE_ENV"]);

type Json = Record<string, unknown>;

function asRecord(value: unknown, what: string): Json {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error(`${what} is not a mapping`);
  return value as Json;
}

function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  return value;
}

/** Variable names a Latchkey container may not carry: neither a setting the server reads nor allowed. */
function unknownSettings(names: Iterable<string>): string[] {
  return [...names].filter((name) => !ACCEPTED.has(name) && !NOT_SETTINGS.has(name));
}

// ---------------------------------------------------------------------------------------------------

describe("Dockerfile", () => {
  const text = readRepoFile("Dockerfile");
  const stages = dockerStages(text);
  const runtime = stages.at(-1) as DockerStage;
  const all = (stage: DockerStage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
  const runs = (stage: DockerStage) =>
    all(stage, "RUN")
      .map((i) => i.args)
      .join(" && ");

  test("passes dockerfile-utils with every check raised to an error", () => {
    expect(lintDockerfile(text)).toEqual([]);
  });

  test.each([
    ["an unknown instruction", "FROM node:20-bookworm-slim\nRUNN npm ci\n", /Unknown instruction: RUNN/],
    ["a port that is not a number", "FROM node:20-bookworm-slim\nEXPOSE http\n", /Invalid containerPort: http/],
    [
      "a bad HEALTHCHECK duration",
      'FROM node:20-bookworm-slim\nHEALTHCHECK --interval=soon CMD ["true"]\n',
      /invalid duration/,
    ],
    [
      "an unknown HEALTHCHECK flag",
      'FROM node:20-bookworm-slim\nHEALTHCHECK --every=5s CMD ["true"]\n',
      /Unknown flag: every/,
    ],
    ["a JSON command in single quotes", "FROM node:20-bookworm-slim\nCMD ['node', 'main.js']\n", /single quotes/],
    ["two CMDs in one stage", 'FROM node:20-bookworm-slim\nCMD ["a"]\nCMD ["b"]\n', /only be one CMD/],
    ["a misspelt COPY flag", "FROM node:20-bookworm-slim\nCOPY --chwon=node:node . /app\n", /Unknown flag: chwon/],
    ["a FROM without an image", "FROM\n", /no arguments/],
    ["a relative WORKDIR", "FROM node:20-bookworm-slim\nWORKDIR app\n", /absolute/],
    ["a lowercase instruction", "from node:20-bookworm-slim\n", /uppercase/],
    [
      "two stages of one name",
      "FROM node:20-bookworm-slim AS build\nFROM node:20-bookworm-slim AS build\n",
      /duplicate name/,
    ],
  ])("the linter refuses %s", (_, broken, problem) => {
    expect(lintDockerfile(broken)).toContainEqual(expect.stringMatching(problem));
  });

  test("is multi-stage on node:20-bookworm-slim, with a compiler only where better-sqlite3 is built", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const names = new Set(stages.map((stage) => stage.name).filter((name) => name !== null));
    for (const stage of stages) {
      expect([...names, "node:20-bookworm-slim"], `FROM ${stage.from}`).toContain(stage.from);
    }
    // The runtime stage starts from the slim image itself, so no toolchain layer is inherited.
    expect(runtime.from).toBe("node:20-bookworm-slim");
    const toolchain = stages.filter((stage) => /apt-get install/.test(runs(stage)));
    expect(toolchain.length).toBe(1);
    for (const stage of toolchain) {
      const install = runs(stage);
      for (const tool of ["python3", "make", "g++"])
        expect(install).toMatch(new RegExp(`install[^&]*\\s${tool.replace("+", "\\+")}(\\s|$)`));
      expect(install).toMatch(/apt-get install -y --no-install-recommends/);
      expect(install).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
    }
    expect(runs(runtime)).not.toMatch(/apt-get|npm (ci|install)|g\+\+/);
  });

  test("installs without install scripts, builds, and rebuilds exactly the packages allowed scripts", () => {
    const build = runs(stages.find((stage) => /npm run build/.test(runs(stage))) as DockerStage);
    expect(build).toMatch(/npm ci /);
    expect(build.indexOf("npm ci")).toBeLessThan(build.indexOf("npm run build"));
    const production = stages.map(runs).find((run) => /npm (ci|prune) [^&]*--omit=dev/.test(run));
    expect(production, "a stage with production dependencies only").toBeDefined();
    const installs = stages.flatMap((stage) =>
      [...runs(stage).matchAll(/npm (?:ci|install)\b[^&;]*/g)].map((m) => m[0]),
    );
    expect(installs.length).toBeGreaterThanOrEqual(2);
    for (const install of installs) expect(install).toMatch(/--ignore-scripts/);

    // The root `prepare` script builds, so every `npm ci` must skip scripts; then the packages that do
    // need theirs (package.json "allowScripts") are rebuilt by name, and no other dependency needs one.
    const rootPackage = JSON.parse(readRepoFile("package.json")) as { allowScripts?: Record<string, boolean> };
    const allowed = Object.entries(rootPackage.allowScripts ?? {})
      .filter(([, allow]) => allow)
      .map(([name]) => name);
    expect(allowed).toContain("better-sqlite3");
    for (const name of allowed) expect(production).toMatch(new RegExp(`npm rebuild [^&]*\\b${name}\\b`));
    const lock = JSON.parse(readRepoFile("package-lock.json")) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const needScripts = Object.entries(lock.packages)
      .filter(([path, entry]) => entry.hasInstallScript === true && path !== "")
      .map(([path]) => path.replace(/^.*node_modules\//, ""));
    for (const name of needScripts) expect(allowed, `${name} has an install script`).toContain(name);
  });

  test("copies the package.json of every workspace before installing", () => {
    const { workspaces } = JSON.parse(readRepoFile("package.json")) as { workspaces: string[] };
    const copies = stages.flatMap((stage) => all(stage, "COPY")).map((copy) => copy.args);
    for (const workspace of workspaces) {
      expect(copies, workspace).toContainEqual(expect.stringMatching(new RegExp(`^${workspace}/package\\.json\\s`)));
    }
    expect(copies).toContainEqual(expect.stringMatching(/^package\.json package-lock\.json\s/));
  });

  test("runs as the non-root node user in /app, with /data as a volume", () => {
    const users = all(runtime, "USER").map((user) => user.args);
    expect(users.at(-1)).toBe("node");
    expect(all(runtime, "WORKDIR").at(-1)?.args).toBe("/app");
    const volumes = all(runtime, "VOLUME").flatMap((volume) =>
      volume.args.trim().startsWith("[") ? execForm(volume.args) : volume.args.split(/\s+/),
    );
    expect(volumes).toContain("/data");
    // The volume's mount point belongs to the user, or SQLite could not create its database there.
    expect(runs(runtime)).toMatch(/chown [^&]*node[^&]*\/data/);
  });

  test("sets only settings the server reads, and they load: 0.0.0.0 and SQLite in /data", () => {
    expect(runtime.env.LATCHKEY_HOST).toBe("0.0.0.0");
    expect(runtime.env.LATCHKEY_DATABASE_URL).toBe("sqlite:/data/latchkey.db");
    expect(unknownSettings(Object.keys(runtime.env))).toEqual([]);
    const config = loadConfig(runtime.env);
    expect(config.host).toBe("0.0.0.0");
    expect(config.port).toBe(DEFAULT_PORT);
  });

  test("exposes the default port", () => {
    expect(all(runtime, "EXPOSE").flatMap((expose) => expose.args.split(/\s+/))).toEqual([String(DEFAULT_PORT)]);
    expect(DEFAULT_PORT).toBe(8080);
  });

  test("starts the way `npm start` does: the built CLI's serve", () => {
    const cmds = all(runtime, "CMD");
    expect(cmds.length).toBe(1);
    expect(execForm(cmds[0]?.args ?? "")).toEqual(SERVE);
    expect(all(runtime, "ENTRYPOINT")).toEqual([]);

    const rootPackage = JSON.parse(readRepoFile("package.json")) as { scripts: Record<string, string> };
    expect(rootPackage.scripts.start?.split(/\s+/)).toEqual(SERVE);
    const cli = JSON.parse(readRepoFile("packages/cli/package.json")) as { bin: Record<string, string> };
    expect(join("packages/cli", cli.bin.latchkey ?? "")).toBe(SERVE[1]);
    // dist/main.js is what `npm run build` makes of src/main.ts.
    expect(existsSync(join(ROOT, "packages/cli/src/main.ts"))).toBe(true);
  });

  test("the cluster test (test/cluster) starts and waits for its nodes the same way", () => {
    const dir = "test/cluster";
    const sources = readdirSync(join(ROOT, dir))
      .filter((file) => file.endsWith(".ts"))
      .map((file) => ({ path: `${dir}/${file}`, source: readRepoFile(`${dir}/${file}`) }));
    // The script it spawns, resolved from the file that names it, is the image's.
    const naming = sources.flatMap(({ path, source }) =>
      [...source.matchAll(/new URL\(\s*["']([^"']*main\.js)["']\s*,\s*import\.meta\.url\s*\)/g)].map((match) =>
        join(dirname(path), match[1] ?? ""),
      ),
    );
    expect(naming, `a file of ${dir} naming the latchkey script`).not.toEqual([]);
    for (const script of naming) expect(script).toBe(SERVE[1]);
    const everything = sources.map(({ source }) => source).join("\n");
    expect(everything).toMatch(/spawn\(\s*process\.execPath\s*,\s*\[\s*\w+\s*,\s*["']serve["']\s*\]/);
    // It waits for each node on the path the image's HEALTHCHECK asks.
    expect(everything).toMatch(/["']\/healthz["']/);
  });

  test("checks health with node on /healthz (the slim image has no curl)", () => {
    const checks = all(runtime, "HEALTHCHECK");
    expect(checks.length).toBe(1);
    const check = checks[0];
    const command = healthcheckCommand(check?.args ?? "");
    expect(command?.slice(0, 2)).toEqual(["node", "-e"]);
    expect(command?.[2]).toMatch(/\/healthz'/);
    for (const flag of ["interval", "timeout", "start-period", "retries"]) expect(check?.flags).toHaveProperty(flag);
  });
});

// ---------------------------------------------------------------------------------------------------

describe("the probe paths and the image's health check, against the server", () => {
  let t: TestApp;
  let port = 0;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    port = typeof address === "object" && address !== null ? address.port : 0;
  });
  afterAll(async () => {
    await t?.close();
  });

  test("/healthz and /readyz answer 200 while the database answers", async () => {
    expect((await t.app.inject({ url: "/healthz" })).statusCode).toBe(200);
    expect((await t.app.inject({ url: "/readyz" })).statusCode).toBe(200);
  });

  test("the HEALTHCHECK command exits 0 against a live server and 1 when nothing answers", async () => {
    const runtime = dockerStages(readRepoFile("Dockerfile")).at(-1) as DockerStage;
    const check = runtime.instructions.find((i) => i.keyword === "HEALTHCHECK");
    const [node, ...args] = healthcheckCommand(check?.args ?? "") ?? [];
    expect(node).toBe("node");
    // Asynchronously: the server answering runs in this process.
    const run = (env: Record<string, string>) =>
      new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, args, {
          env: { ...process.env, ...env },
          stdio: "ignore",
          timeout: 15_000,
        });
        child.on("error", reject);
        child.on("exit", (code) => resolve(code));
      });
    expect(await run({ LATCHKEY_PORT: String(port) })).toBe(0);
    // Nothing listens on port 1 (privileged, unassigned): the connection is refused.
    expect(await run({ LATCHKEY_PORT: "1" })).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------------

describe("deploy/compose.yaml", () => {
  const text = readRepoFile("deploy/compose.yaml");
  const compose = asRecord(parseYaml(text), "compose.yaml");
  const services = asRecord(compose.services, "services");
  const service = (name: string) => asRecord(services[name], `services.${name}`);
  const latchkeys = Object.keys(services).filter((name) => /^latchkey/.test(name));

  test("is valid against the Compose Specification schema", () => {
    expect(composeSchemaErrors(compose)).toEqual([]);
  });

  test.each([
    [
      "a misspelt depends_on condition",
      "services:\n  a:\n    image: x\n    depends_on:\n      b: {condition: healthy}\n  b:\n    image: y\n",
      /depends_on\/b\/condition must be equal to one of the allowed values/,
    ],
    [
      "an unknown service key",
      "services:\n  a:\n    image: x\n    helthcheck: {test: [CMD, 'true']}\n",
      /\(helthcheck\)/,
    ],
    [
      "a healthcheck with an unknown key",
      "services:\n  a:\n    image: x\n    healthcheck: {test: [CMD, 'true'], every: 5s}\n",
      /healthcheck must NOT have additional properties \(every\)/,
    ],
    ["ports as a mapping", "services:\n  a:\n    image: x\n    ports: {web: 8080}\n", /ports must be array/],
    ["an unknown top-level key", "servics:\n  a:\n    image: x\n", /\(servics\)/],
  ])("the schema refuses %s", (_, broken, problem) => {
    expect(composeSchemaErrors(parseYaml(broken))).toContainEqual(expect.stringMatching(problem));
  });

  test("passes dclint's rules", () => {
    expect(dclintFindings(text)).toEqual([]);
  });

  test.each([
    [
      "an image without a version tag",
      "name: t\nservices:\n  a:\n    image: nginx\n",
      "service-image-require-explicit-tag",
    ],
    [
      "two services publishing one port",
      'name: t\nservices:\n  a:\n    image: x:1\n    ports: ["127.0.0.1:80:80"]\n  b:\n    image: y:1\n    ports: ["127.0.0.1:80:80"]\n',
      "no-duplicate-exported-ports",
    ],
    ["a file the schema refuses", "name: t\nservices:\n  a:\n    image: x:1\n    helth: {}\n", "invalid-schema"],
  ])("dclint refuses %s", (_, broken, rule) => {
    expect(dclintFindings(broken)).toEqual([expect.stringMatching(new RegExp(`^error ${rule} `))]);
  });

  test("runs two Latchkey nodes of one image on PostgreSQL and Redis, trusting one proxy hop", () => {
    expect(latchkeys.length).toBe(2);
    const images = new Set(latchkeys.map((name) => service(name).image));
    expect(images.size).toBe(1);
    for (const name of latchkeys) {
      const node = service(name);
      const env = asRecord(node.environment, `${name}.environment`);
      expect(interpolate(String(env.LATCHKEY_DATABASE_URL))).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
      expect(env.LATCHKEY_REDIS_URL).toBe("redis://redis:6379");
      expect(env.LATCHKEY_TRUST_PROXY).toBe("1");
      const dependsOn = asRecord(node.depends_on, `${name}.depends_on`);
      expect(dependsOn).toEqual({
        postgres: { condition: "service_healthy" },
        redis: { condition: "service_healthy" },
      });
      expect(node.command ?? null).toBeNull();
      expect(node.entrypoint ?? null).toBeNull();
    }
  });

  test("the nodes' health check is the image's: node on /healthz", () => {
    const runtime = dockerStages(readRepoFile("Dockerfile")).at(-1) as DockerStage;
    const imageCheck = healthcheckCommand(runtime.instructions.find((i) => i.keyword === "HEALTHCHECK")?.args ?? "");
    for (const name of latchkeys) {
      const test = asArray(asRecord(service(name).healthcheck, `${name}.healthcheck`).test, `${name}.healthcheck.test`);
      expect(test[0]).toBe("CMD");
      expect(test.slice(1)).toEqual(imageCheck);
    }
  });

  test("sets only settings the server reads, and they load", () => {
    for (const name of latchkeys) {
      const env = asRecord(service(name).environment, `${name}.environment`);
      expect(unknownSettings(Object.keys(env))).toEqual([]);
      const values = Object.fromEntries(Object.entries(env).map(([key, value]) => [key, interpolate(String(value))]));
      const config = loadConfig(values);
      expect(config.redisUrl).toBe("redis://redis:6379");
      // One hop, nginx: `true` would believe whatever a client puts in X-Forwarded-For.
      expect(config.trustProxy).toBe(1);
      expect(config.port).toBe(DEFAULT_PORT);
    }
  });

  test("PostgreSQL 15 and Redis 7 with health checks; PostgreSQL keeps its data in a volume", () => {
    const postgres = service("postgres");
    expect(String(postgres.image)).toMatch(/^postgres:15([.-]|$)/);
    expect(JSON.stringify(asRecord(postgres.healthcheck, "postgres.healthcheck").test)).toMatch(/pg_isready/);
    const volumes = asArray(postgres.volumes, "postgres.volumes").map(String);
    expect(volumes).toContainEqual(expect.stringMatching(/^[\w-]+:\/var\/lib\/postgresql\/data$/));
    const named = String(volumes[0]).split(":")[0] ?? "";
    expect(Object.keys(asRecord(compose.volumes, "volumes"))).toContain(named);

    const redis = service("redis");
    expect(String(redis.image)).toMatch(/^redis:7([.-]|$)/);
    expect(JSON.stringify(asRecord(redis.healthcheck, "redis.healthcheck").test)).toMatch(/redis-cli.*ping/);
  });

  test("only the nginx load balancer publishes a port, 8080, after both nodes are healthy", () => {
    const published = Object.keys(services).filter((name) => service(name).ports !== undefined);
    expect(published).toEqual(["nginx"]);
    const nginx = service("nginx");
    expect(String(nginx.image)).toMatch(/^nginx:\d/);
    expect(asArray(nginx.ports, "nginx.ports").map(String)).toEqual([expect.stringMatching(/(^|:)8080:8080$/)]);
    expect(asRecord(nginx.depends_on, "nginx.depends_on")).toEqual(
      Object.fromEntries(latchkeys.map((name) => [name, { condition: "service_healthy" }])),
    );
    const mounts = asArray(nginx.volumes, "nginx.volumes").map(String);
    expect(mounts).toContain("./nginx/nginx.conf:/etc/nginx/nginx.conf:ro");
    expect(existsSync(join(ROOT, "deploy/nginx/nginx.conf"))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------

describe("deploy/nginx/nginx.conf", () => {
  const conf = readRepoFile("deploy/nginx/nginx.conf");
  const compose = asRecord(parseYaml(readRepoFile("deploy/compose.yaml")), "compose.yaml");
  const latchkeys = Object.keys(asRecord(compose.services, "services")).filter((name) => /^latchkey/.test(name));
  const nginx = nginxBinary();
  const loopback = Object.fromEntries(latchkeys.map((name, index) => [name, `127.0.0.${index + 1}`]));

  test("balances over every Latchkey node of compose.yaml on port 8080, listening on 8080", () => {
    const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(conf);
    expect(upstream).not.toBeNull();
    const servers = [...(upstream?.[2] ?? "").matchAll(/^\s*server\s+([^\s;]+)/gm)].map((match) => match[1]);
    expect(servers.sort()).toEqual(latchkeys.map((name) => `${name}:${DEFAULT_PORT}`).sort());
    expect(conf).toMatch(new RegExp(`proxy_pass\\s+http://${upstream?.[1]};`));
    expect(conf).toMatch(/^\s*listen\s+8080;/m);
    // Latchkey reads the client address from X-Forwarded-For (LATCHKEY_TRUST_PROXY): the edge must
    // overwrite what a client sent there.
    expect(conf).toMatch(/proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;/);
  });

  test.skipIf(nginx === null)("passes `nginx -t`", () => {
    const result = nginxTest(nginx ?? "", conf, loopback);
    expect(result.output).toMatch(/syntax is ok/);
    expect(result.ok).toBe(true);
  });

  test.skipIf(nginx === null)("`nginx -t` refuses a broken configuration", () => {
    expect(nginxTest(nginx ?? "", conf.replace("proxy_pass", "proxy_pas"), loopback).ok).toBe(false);
    expect(nginxTest(nginx ?? "", conf.replace(/\}\s*$/, ""), loopback).ok).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------

describe("deploy/kubernetes", () => {
  const dir = "deploy/kubernetes";
  const files = readdirSync(join(ROOT, dir))
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
  const manifests = files.flatMap((file) =>
    parseYamlDocuments(readRepoFile(`${dir}/${file}`))
      .filter((document) => document !== null)
      .map((document) => ({ file, manifest: asRecord(document, file) })),
  );
  const ofKind = (kind: string) => {
    const found = manifests.filter(({ manifest }) => manifest.kind === kind);
    expect(found.length, kind).toBe(1);
    return (found[0] as { manifest: Json }).manifest;
  };
  const deployment = () => ofKind("Deployment");
  const podSpec = () =>
    asRecord(asRecord(asRecord(deployment().spec, "spec").template, "template").spec, "template.spec");
  const container = () => {
    const containers = asArray(podSpec().containers, "containers");
    expect(containers.length).toBe(1);
    return asRecord(containers[0], "container");
  };

  test.each(files)("%s is valid against the Kubernetes schema of its kind, with no unknown field", (file) => {
    const inFile = manifests.filter((entry) => entry.file === file);
    expect(inFile.length).toBeGreaterThan(0);
    for (const { manifest } of inFile) expect(kubernetesErrors(manifest)).toEqual([]);
  });

  test("the schema check refuses broken manifests", () => {
    const broken = (change: (copy: Json) => void) => {
      const copy = structuredClone(deployment());
      change(copy);
      return kubernetesErrors(copy);
    };
    const spec = (copy: Json) => asRecord(copy.spec, "spec");
    const first = (copy: Json) =>
      asRecord(
        asArray(asRecord(asRecord(spec(copy).template, "template").spec, "pod").containers, "containers")[0],
        "container",
      );
    expect(broken((copy) => Object.assign(spec(copy), { replicas: "three" }))).not.toEqual([]);
    expect(broken((copy) => delete spec(copy).selector)).not.toEqual([]);
    expect(broken((copy) => delete first(copy).name)).not.toEqual([]);
    expect(broken((copy) => Object.assign(first(copy), { ports: [{ containerPort: "http" }] }))).not.toEqual([]);
    // Unknown fields, which the API server would drop without a word.
    expect(broken((copy) => Object.assign(spec(copy), { replica: 3 }))).toEqual(["/spec/replica: unknown field"]);
    expect(
      broken((copy) => {
        const c = first(copy);
        c.readinesProbe = c.readinessProbe;
        delete c.readinessProbe;
      }),
    ).toEqual(["/spec/template/spec/containers/0/readinesProbe: unknown field"]);
    expect(kubernetesErrors({ apiVersion: "apps/v1beta1", kind: "Deployment" })).not.toEqual([]);
  });

  test("holds a Namespace, Secret, ConfigMap, Deployment, Service, PodDisruptionBudget and HPA", () => {
    const kinds = manifests.map(({ manifest }) => String(manifest.kind)).sort();
    expect(kinds).toEqual(
      [
        "ConfigMap",
        "Deployment",
        "HorizontalPodAutoscaler",
        "Namespace",
        "PodDisruptionBudget",
        "Secret",
        "Service",
      ].sort(),
    );
    const namespace = asRecord(ofKind("Namespace").metadata, "metadata").name;
    for (const { manifest } of manifests) {
      if (manifest.kind === "Namespace") continue;
      expect(asRecord(manifest.metadata, "metadata").namespace, String(manifest.kind)).toBe(namespace);
    }
    // `kubectl apply -f deploy/kubernetes/` takes files in name order: the Namespace must come first.
    expect(manifests[0]?.manifest.kind).toBe("Namespace");
  });

  test("the Deployment runs 3 non-root replicas with resources, and the image's own command", () => {
    expect(asRecord(deployment().spec, "spec").replicas).toBe(3);
    const pod = asRecord(podSpec().securityContext, "pod securityContext");
    expect(pod.runAsNonRoot).toBe(true);
    // The image's USER is a name; the kubelet can only prove runAsNonRoot with a numeric uid.
    expect(typeof pod.runAsUser === "number" && pod.runAsUser > 0).toBe(true);
    const c = container();
    const security = asRecord(c.securityContext, "container securityContext");
    expect(security.allowPrivilegeEscalation).toBe(false);
    expect(asRecord(security.capabilities, "capabilities").drop).toEqual(["ALL"]);
    const resources = asRecord(c.resources, "resources");
    for (const part of ["requests", "limits"]) {
      expect(Object.keys(asRecord(resources[part], part)).sort()).toEqual(["cpu", "memory"]);
    }
    expect(c.command ?? null).toBeNull();
    expect(c.args ?? null).toBeNull();
  });

  test("probes /healthz for readiness and liveness on the default port (cached keys verify while the database is down)", () => {
    const c = container();
    const ports = asArray(c.ports, "ports").map((port) => asRecord(port, "port"));
    expect(ports.map((port) => port.containerPort)).toEqual([DEFAULT_PORT]);
    const portOf = (value: unknown) =>
      typeof value === "number" ? value : ports.find((p) => p.name === value)?.containerPort;
    const probe = (name: string) => asRecord(asRecord(c[name], name).httpGet, `${name}.httpGet`);
    expect(probe("readinessProbe").path).toBe("/healthz");
    expect(probe("livenessProbe").path).toBe("/healthz");
    for (const name of ["readinessProbe", "livenessProbe", "startupProbe"]) {
      if (c[name] === undefined) continue;
      expect(["/readyz", "/healthz"]).toContain(probe(name).path);
      expect(portOf(probe(name).port), name).toBe(DEFAULT_PORT);
    }
    const service = asRecord(ofKind("Service").spec, "service spec");
    for (const port of asArray(service.ports, "service ports").map((p) => asRecord(p, "service port"))) {
      expect(portOf(port.targetPort)).toBe(DEFAULT_PORT);
    }
  });

  test("the Service, PodDisruptionBudget and HPA select and scale the Deployment's pods", () => {
    const template = asRecord(asRecord(deployment().spec, "spec").template, "template");
    const labels = asRecord(asRecord(template.metadata, "template metadata").labels, "labels");
    const selects = (selector: Json) => Object.entries(selector).every(([key, value]) => labels[key] === value);
    expect(selects(asRecord(asRecord(ofKind("Service").spec, "service spec").selector, "service selector"))).toBe(true);
    const pdb = asRecord(ofKind("PodDisruptionBudget").spec, "pdb spec");
    expect(selects(asRecord(asRecord(pdb.selector, "pdb selector").matchLabels, "matchLabels"))).toBe(true);
    const deploymentSelector = asRecord(
      asRecord(asRecord(deployment().spec, "spec").selector, "selector").matchLabels,
      "m",
    );
    expect(selects(deploymentSelector)).toBe(true);

    const hpa = asRecord(ofKind("HorizontalPodAutoscaler").spec, "hpa spec");
    expect(asRecord(hpa.scaleTargetRef, "scaleTargetRef")).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: asRecord(deployment().metadata, "metadata").name,
    });
    expect(hpa.minReplicas).toBe(3);
    expect(Number(hpa.maxReplicas)).toBeGreaterThan(3);
  });

  test("takes its settings from the ConfigMap and Secret, which hold only settings the server reads", () => {
    const configMap = ofKind("ConfigMap");
    const secret = ofKind("Secret");
    const sources = asArray(container().envFrom, "envFrom").map((source) => asRecord(source, "envFrom entry"));
    expect(sources).toContainEqual({ configMapRef: { name: asRecord(configMap.metadata, "m").name } });
    expect(sources).toContainEqual({ secretRef: { name: asRecord(secret.metadata, "m").name } });
    const direct = asArray(container().env ?? [], "env").map((entry) => String(asRecord(entry, "env entry").name));

    const settings = {
      ...asRecord(configMap.data, "ConfigMap data"),
      ...asRecord(secret.stringData, "Secret stringData"),
    } as Record<string, string>;
    expect(unknownSettings([...Object.keys(settings), ...direct])).toEqual([]);
    const config = loadConfig(settings);
    expect(config.host).toBe("0.0.0.0");
    expect(config.port).toBe(DEFAULT_PORT);
    expect(config.trustProxy).toBe(1);
    expect(config.databaseUrl).toMatch(/^postgres:\/\//);
    expect(config.redisUrl).toMatch(/^redis:\/\//);
  });

  test("the Secret holds placeholders only, clearly marked", () => {
    const secret = ofKind("Secret");
    expect(secret.data).toBeUndefined();
    const values = Object.values(asRecord(secret.stringData, "stringData")).map(String);
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(value).toMatch(/REPLACE_ME/);
  });
});
