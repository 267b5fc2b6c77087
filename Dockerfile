# syntax=docker/dockerfile:1
# fleetdeck's image: the controller and the dashboard (the same image, two commands; see
# config/deploy/single/deployment.yaml). Multi-stage: build tools and sources stay out of the runtime.
#   docker build -t fleetdeck:0.1.0 .
# (Not built in this repository's CI: the development machine has no container runtime.)

# 1. Dependencies: better-sqlite3 compiles from source, so the toolchain lives here only.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
RUN npm install -g npm@11
COPY package.json package-lock.json ./
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NEXT_TELEMETRY_DISABLED=1
# The Prisma client is generated in the build stage (it needs the sources); only the native
# module is built here.
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3

# 2. Build: the Prisma client, the production build of the dashboard and the controller bundle.
FROM deps AS build
COPY . .
RUN npm run build \
 && npm run build:controller \
 && rm -rf .next/cache

# 3. Runtime: node, the app and its node_modules (tsx runs the TypeScript entry points, so the
# dev dependencies stay), no compiler, a non-root user.
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 DATABASE_URL=file:/data/fleetdeck.db
COPY --from=build /app/package.json /app/package-lock.json /app/tsconfig.json /app/next.config.ts ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/.next .next
COPY --from=build /app/dist dist
COPY --from=build /app/prisma prisma
COPY --from=build /app/app app
COPY --from=build /app/components components
COPY --from=build /app/controller controller
COPY --from=build /app/fleet-driver fleet-driver
COPY --from=build /app/lib lib
COPY --from=build /app/server server
COPY --from=build /app/scripts scripts
COPY --from=build /app/proxy.ts /app/prisma.config.ts ./
RUN groupadd --gid 10001 fleetdeck \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin fleetdeck \
 && mkdir -p /data && chown fleetdeck:fleetdeck /data
USER 10001:10001
VOLUME /data
EXPOSE 3000 8081 9443
# The controller (its esbuild bundle on plain node) by default; the dashboard's container runs
# `node_modules/.bin/tsx scripts/web.ts`, the fleet driver's `node_modules/.bin/tsx fleet-driver/main.ts`.
CMD ["node", "--max-semi-space-size=2", "dist/controller.mjs"]
