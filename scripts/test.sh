#!/usr/bin/env bash
# The one test command (`npm test`): set-up, lint, typecheck, build, unit,
# integration and browser tests, compose checks, then one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
bash scripts/setup.sh || { echo "0 passed, 1 failed (setup)"; exit 1; }

checks_passed=0; checks_failed=0; failed_names=()
step() {
  local name=$1; shift
  echo "::: $name"
  if "$@"; then checks_passed=$((checks_passed + 1)); else checks_failed=$((checks_failed + 1)); failed_names+=("$name"); fi
}

step lint npx biome check .
step typecheck-and-build npm run build --silent
step typecheck-frontend npm run typecheck --silent -w @fathom/frontend --if-present
step typecheck-tests npx tsc -p tsconfig.check.json
step build-frontend npm run build --silent -w @fathom/frontend --if-present

report=$(mktemp -t fathom-vitest-XXXXXX.json)
npx vitest run --reporter=default --reporter=json --outputFile.json="$report"
vitest_rc=$?
read -r tests_passed tests_failed < <(node -e '
  const fs = require("node:fs");
  let r = {};
  try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch {}
  const passed = r.numPassedTests ?? 0;
  // A file that fails to load has no tests; count it as a failure too.
  const failed = (r.numFailedTests ?? 0) + (r.testResults ?? []).filter((f) => f.status === "failed" && !(f.assertionResults ?? []).length).length;
  console.log(passed, failed || (r.numTotalTests === undefined ? 1 : 0));
' "$report")
rm -f "$report"
if [[ $vitest_rc -ne 0 && $tests_failed -eq 0 ]]; then tests_failed=1; fi

passed=$((tests_passed + checks_passed)); failed=$((tests_failed + checks_failed))
echo "checks: ${checks_passed} passed, ${checks_failed} failed ${failed_names[*]:+(${failed_names[*]})}; tests: ${tests_passed} passed, ${tests_failed} failed; $(( $(date +%s) - started ))s"
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
