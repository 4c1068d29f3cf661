# syntax=docker/dockerfile:1
#
# Latchkey container image: `docker build -t latchkey .` from the repository root.
#
#   toolchain  node:20-bookworm-slim plus python3, make and g++ (better-sqlite3 is a native module)
#   build      every dependency, then `npm run build` (tsc -b, and Vite for the dashboard) into packages/*/dist
#   deps       production dependencies only, with better-sqlite3 compiled for this image
#   runtime    no compiler, no dev dependency, no source: runs as the unprivileged `node` user (uid 1000)
#
# `npm ci` runs with --ignore-scripts: the root `prepare` script would build before the sources are
# copied, and only better-sqlite3 may run an install script (package.json "allowScripts"), so it is
# rebuilt explicitly where it is needed.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages/core/package.json packages/core/
COPY packages/store/package.json packages/store/
COPY packages/redis/package.json packages/redis/
COPY packages/sdk/package.json packages/sdk/
COPY packages/server/package.json packages/server/
COPY packages/testkit/package.json packages/testkit/
COPY packages/cli/package.json packages/cli/
COPY packages/web/package.json packages/web/

FROM toolchain AS build
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json tsconfig.tests.json vitest.config.ts ./
COPY packages/ packages/
RUN npm run build \
    && mkdir /out \
    && cp --parents -r package.json packages/*/package.json packages/*/dist /out/

FROM toolchain AS deps
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm rebuild better-sqlite3 \
    && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="Latchkey" \
      org.opencontainers.image.description="Self-hosted API key platform"
ENV NODE_ENV=production \
    LATCHKEY_HOST=0.0.0.0 \
    LATCHKEY_PORT=8080 \
    LATCHKEY_DATABASE_URL=sqlite:/data/latchkey.db
WORKDIR /app
COPY --from=deps /src/node_modules ./node_modules
COPY --from=build /out/ ./
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.LATCHKEY_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
CMD ["node", "packages/cli/dist/main.js", "serve"]
