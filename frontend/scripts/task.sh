#!/usr/bin/env bash
# The browser app's part of `make`: frontend/scripts/task.sh build|lint|unit
#   build  install npm packages when package-lock.json changed, generate the API types from the
#          OpenAPI schema, type-check and bundle into frontend/dist (served by Django under /static/)
#   lint   generate the API types, type-check (tsc, strict) and lint (ESLint, no warnings allowed)
#   unit   the Vitest unit tests
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;32m[frontend]\033[0m %s\n' "$*"; }

ensure_node() {
  if ! command -v node >/dev/null 2>&1; then
    say "Node.js is missing; installing it with apt"
    EXTRA_APT="nodejs" ../deploy/bootstrap.sh
  fi
  if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    echo "Node.js >= 20.19 is required to build the browser app (found $(node --version))." >&2
    exit 1
  fi
}

ensure_packages() {
  # Like the Python stamp in deploy/bootstrap.sh: `npm ci` only when node_modules is missing or
  # the lock file changed since the last install.
  local stamp=node_modules/.greenlight-installed
  if [ ! -d node_modules ] || [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    say "installing npm packages (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json "$stamp"
  fi
}

ensure_node
ensure_packages
case "${1:-build}" in
  build)
    npm run --silent gen:api
    npm run --silent typecheck
    npx vite build --logLevel warn
    say "built frontend/dist"
    ;;
  lint)
    npm run --silent gen:api
    npm run --silent typecheck
    npm run --silent lint
    say "type-check and lint clean"
    ;;
  unit)
    npm run --silent gen:api
    npx vitest run
    ;;
  *)
    echo "usage: $0 build|lint|unit" >&2
    exit 2
    ;;
esac
