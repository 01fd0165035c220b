#!/usr/bin/env bash
# `npm run stack`: set up (idempotent), build, then run the native stack.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build --silent -w @fathom/frontend --if-present
exec npx tsx scripts/stack.ts
