#!/usr/bin/env bash
# Runs the Prisma CLI offline. Prisma 6.19 with `engine: "js"` never executes the native
# schema engine, but the CLI still tries to download it unless this variable names an
# existing file (toolchain.md), so point it at a harmless one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$(command -v true)}"
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
exec node_modules/.bin/prisma "$@"
