#!/usr/bin/env bash
# The one test command (`npm test`): set-up, lint, typecheck, build, unit,
# integration and browser tests, `docker compose up` on a real engine, then one summary line.
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

# One project at a time: the browser tests start their own stack, and running it
# beside the integration tests would skew the capture-time checks on 2 cores.
tests_passed=0; tests_failed=0
failures=$(mktemp -t fathom-failures-XXXXXX.txt)
for project in unit integration e2e compose; do
  echo "::: tests ($project)"
  report=$(mktemp -t fathom-vitest-XXXXXX.json)
  npx vitest run --project "$project" --reporter=default --reporter=json --outputFile.json="$report"
  vitest_rc=$?
  read -r p f < <(node -e '
    const fs = require("node:fs");
    let r = {};
    try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch {}
    // A file that fails to load has no tests; count it as a failure too.
    const files = r.testResults ?? [];
    const broken = files.filter((t) => t.status === "failed" && !(t.assertionResults ?? []).length);
    // What failed, one line each, so the summary at the very end of a long log names it.
    const lines = broken.map((t) => `${process.argv[3]}: ${t.name.replace(process.cwd() + "/", "")} (did not load: ${(t.message ?? "").split("\n")[0]})`);
    for (const t of files) for (const a of t.assertionResults ?? []) {
      if (a.status !== "failed") continue;
      const why = (a.failureMessages ?? [])[0]?.split("\n")[0] ?? "";
      lines.push(`${process.argv[3]}: ${t.name.replace(process.cwd() + "/", "")} > ${a.fullName}: ${why.slice(0, 300)}`);
    }
    if (lines.length) fs.appendFileSync(process.argv[2], lines.join("\n") + "\n");
    console.log(r.numPassedTests ?? 0, (r.numFailedTests ?? 0) + broken.length);
  ' "$report" "$failures" "$project")
  rm -f "$report"
  if [[ $vitest_rc -ne 0 && $f -eq 0 ]]; then f=1; echo "$project: vitest exited $vitest_rc with no failed test in its report" >> "$failures"; fi
  tests_passed=$((tests_passed + p)); tests_failed=$((tests_failed + f))
done

passed=$((tests_passed + checks_passed)); failed=$((tests_failed + checks_failed))
if [[ -s $failures ]]; then echo "failed tests:"; sed 's/^/  /' "$failures"; fi
rm -f "$failures"
echo "checks: ${checks_passed} passed, ${checks_failed} failed ${failed_names[*]:+(${failed_names[*]})}; tests: ${tests_passed} passed, ${tests_failed} failed; $(( $(date +%s) - started ))s"
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
