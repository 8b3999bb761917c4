#!/usr/bin/env bash
# `npm run test:e2e`: the extension-host suites (mocha inside code-server's extension host) and the
# UI tests (playwright-core + Debian chromium), against the packaged .vsix.
# Installs what is missing first (scripts/e2e/setup.sh); about 1-2 minutes once installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/e2e/setup.sh
npm run --silent compile-tests
npm run --silent package >/dev/null
ls -l rnn-inspector.vsix | awk '{print "[e2e] vsix size: " $5 " bytes"}'
node --test --test-reporter=spec --test-concurrency=1 test/e2e/
