#!/usr/bin/env bash
# One-time install of what the e2e tests and `npm start` need, installing only what is missing:
#   - Debian chromium (the browser playwright-core drives; never a downloaded browser),
#   - libkrb5-dev + build tools (code-server's native modules build from source with node-gyp),
#   - ripgrep (seeds @vscode/ripgrep's cache, whose postinstall would otherwise download from GitHub),
#   - code-server 4.100.3 (VS Code 1.100.3, the newest whose engines accept Node 20) into .e2e/cs.
# Idempotent: a second run takes well under a second.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CS_VERSION=4.100.3
E2E="$ROOT/.e2e"
CS_DIR="$E2E/cs"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
if [ ! -x "$CS_BIN" ]; then
  [ -e /usr/include/krb5.h ] || [ -e /usr/include/krb5/krb5.h ] || need_apt+=(libkrb5-dev)
  command -v make >/dev/null 2>&1 || need_apt+=(make)
  command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
  command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "[setup] apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ -x "$CS_BIN" ] && "$CS_BIN" --version 2>/dev/null | grep -q "^$CS_VERSION"; then
  echo "[setup] code-server $CS_VERSION already in $CS_DIR"
  exit 0
fi

echo "[setup] installing code-server@$CS_VERSION into $CS_DIR (one time, ~1.5 min)"
T="$E2E/tmp"
mkdir -p "$T/vscode-ripgrep-cache-1.15.11" "$E2E/rg" "$CS_DIR"
cp "$(command -v rg)" "$E2E/rg/rg"
tar czf "$T/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$E2E/rg" rg
# unsafe_perm: code-server's postinstall refuses root without it;
# yes=true: node-pty's postinstall calls `npx node-gyp`, and npx never prompts here.
TMPDIR="$T" npm_config_unsafe_perm=true npm_config_yes=true \
  npm i --no-audit --no-fund --loglevel=error --prefix "$CS_DIR" "code-server@$CS_VERSION"
"$CS_BIN" --version
