# syntax=docker/dockerfile:1
# otp-app: compiled once in a build stage, run as plain Node without dev dependencies, as a non-root user.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS runtime-deps
WORKDIR /app
# better-sqlite3 ships prebuilt binaries; the toolchain is only a fallback for platforms without one.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Run with `docker run --init` (or compose `init: true`) so that signals reach Node and zombies are reaped;
# SIGTERM lets in-flight mail finish (OUTBOX_SHUTDOWN_GRACE_SECONDS).
# The node flags of `npm run start:prod` (see docs/performance.md).
CMD ["node", "--max-semi-space-size=4", "dist/cli/cli.js", "serve"]
