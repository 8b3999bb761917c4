#!/usr/bin/env bash
# `npm start`: build, package the .vsix, install it into code-server (a real VS Code in the browser,
# installed on first use into .e2e/cs), bound to 127.0.0.1 with no auth, opening examples/.
# Prints the URL; Ctrl-C stops the server. PORT=… picks the port (default 8123).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/e2e/setup.sh
exec node scripts/e2e/start.mjs "$@"
