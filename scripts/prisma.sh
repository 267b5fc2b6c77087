#!/usr/bin/env bash
# Runs the Prisma CLI offline. Prisma 6.19 with `engine: "js"` never executes the native
# schema engine, but the CLI still tries to download it unless this variable names an
# existing file, so point it at a harmless one (it is never run).
# `generate` without --schema generates both providers' clients (prisma/generated/sqlite and
# prisma/generated/postgresql); everything else works on DATABASE_URL's provider.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$(command -v true)}"
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
if [[ "${1:-}" == "generate" && " $* " != *" --schema"* ]]; then
  for provider in sqlite postgresql; do
    node_modules/.bin/prisma "$@" --schema "prisma/$provider/schema.prisma"
  done
  exit 0
fi
exec node_modules/.bin/prisma "$@"
