# The two Node services, backend and feed-handler, from one Dockerfile: they share the
# build stage, which mirrors the native path exactly (`npm ci`, then `npm run build` =
# `tsc -b packages/index-contract packages/service-kit feed-handler backend`), so both
# images come from one compile. Each target then installs only its own production
# dependencies and runs `node <service>/dist/main.js`.
#   docker build --target backend -t fathom-backend .
#   docker build --target feed-handler -t fathom-feed-handler .
# (docker-compose.yml does this; the dashboard and the RTSP server have their own Dockerfiles.)

# The workspace manifests: what `npm ci` reads, and nothing else, so source edits keep its layer.
FROM node:20-bookworm-slim AS manifests
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/index-contract/package.json packages/index-contract/
COPY packages/service-kit/package.json packages/service-kit/
COPY feed-handler/package.json feed-handler/
COPY backend/package.json backend/
COPY frontend/package.json frontend/

FROM manifests AS build
# --omit=optional: ffmpeg-static would download its binary at install time; the images have their own ffmpeg.
RUN npm ci --omit=optional --no-audit --no-fund --include-workspace-root \
      -w @fathom/index-contract -w @fathom/service-kit -w @fathom/feed-handler -w @fathom/backend
COPY packages/index-contract packages/index-contract
COPY packages/service-kit packages/service-kit
COPY feed-handler feed-handler
COPY backend backend
RUN npx tsc -b packages/index-contract packages/service-kit feed-handler backend

# The feed-handler's ffmpeg (feed-handler/provide-ffmpeg.sh): Debian's 5.1.9 source built with only what its
# command lines use, its libraries linked in. One camera's ffmpeg takes 21–23 MiB of RSS with it, 66 MiB with
# Debian's full package, which maps ~215 shared libraries (bench:memory). About 1.5 min on 2 cores, once.
# ffmpeg-static downloads its binary at install time, which may not be reachable when the image is built.
FROM debian:bookworm-slim AS feed-handler-ffmpeg
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential nasm curl ca-certificates xz-utils patch pkgconf libssl-dev \
 && rm -rf /var/lib/apt/lists/*
COPY feed-handler/provide-ffmpeg.sh /build/provide-ffmpeg.sh
RUN FATHOM_CACHE_DIR=/build/cache bash /build/provide-ffmpeg.sh >/build/ffmpeg-path \
 && install -m 0755 "$(cat /build/ffmpeg-path)" /usr/local/bin/ffmpeg

# The backend encodes timelapse exports with Debian's full ffmpeg (libx264); the font draws capture times
# into them.
FROM node:20-bookworm-slim AS backend
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=manifests /app ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund \
      -w @fathom/index-contract -w @fathom/service-kit -w @fathom/backend \
 && npm cache clean --force
COPY --from=build /app/packages/index-contract/dist packages/index-contract/dist
COPY --from=build /app/packages/service-kit/dist packages/service-kit/dist
COPY --from=build /app/backend/dist backend/dist
# The export volume's mount point belongs to node, so a new named volume starts writable by it.
RUN mkdir -p /data/exports && chown node:node /data/exports
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.BACKEND_PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "backend/dist/main.js"]

FROM node:20-bookworm-slim AS feed-handler
# Its ffmpeg links OpenSSL (rtsps:// cameras, rtmps:// restream targets) from the system.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=feed-handler-ffmpeg /usr/local/bin/ffmpeg /usr/local/bin/ffmpeg
ENV FFMPEG_PATH=/usr/local/bin/ffmpeg
WORKDIR /app
ENV NODE_ENV=production
COPY --from=manifests /app ./
# The detector needs only the CenterNet files of Human's 40 MB of models and browser bundles
# (its entry file stays: the worker finds the models from it).
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund \
      -w @fathom/index-contract -w @fathom/service-kit -w @fathom/feed-handler \
 && npm cache clean --force \
 && find node_modules/@vladmandic/human/models -type f ! -name 'centernet.*' -delete \
 && find node_modules/@vladmandic/human/dist -type f ! -name 'human.node.js' -delete \
 && rm -rf node_modules/@vladmandic/human/assets node_modules/@vladmandic/human/src
COPY --from=build /app/packages/index-contract/dist packages/index-contract/dist
COPY --from=build /app/packages/service-kit/dist packages/service-kit/dist
COPY --from=build /app/feed-handler/dist feed-handler/dist
# The footage mount point belongs to node: Docker copies that ownership into a new named volume,
# so the default (a fresh `thumbnails` volume) is writable by the user below.
RUN mkdir -p /data/thumbnails && chown node:node /data/thumbnails
USER node
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.FEED_HANDLER_PORT||3001)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# How node runs here, and why: scripts/lib/feed-handler-node.ts FEED_HANDLER_NODE_FLAGS and _ENV say the
# same (test/compose/dockerfiles.spec.ts checks it). A young generation of 1 MiB, no V8 worker threads, V8 and
# glibc keeping memory tight; the ffmpeg children inherit the malloc settings. bench:memory, 32 cameras: node's
# RSS 80-86 MiB against 92-107 with the young generation flag alone.
ENV MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072
CMD ["node", "--max-semi-space-size=1", "--single-threaded", "--optimize-for-size", "feed-handler/dist/main.js"]
