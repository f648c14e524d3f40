#!/usr/bin/env bash
# Installs what coopreg needs on a fresh Debian machine, saying what it does. Safe to run again.
#   --engine   also Docker Engine (Debian's docker.io), debootstrap and docker-compose: the tests' container
#              stack and the compose test (`make test`; the tests start dockerd when it is not running)
set -euo pipefail
engine=false
[ "${1:-}" = --engine ] && engine=true
cd "$(dirname "$0")/.."

say() { printf '\033[36msetup\033[0m: %s\n' "$*"; }

need_apt=()
command -v java >/dev/null || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need_apt+=(maven)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need_apt+=(postgresql)
command -v psql >/dev/null || need_apt+=(postgresql-client)
# The My data page's browser test drives Debian's headless Chromium (never a downloaded browser build).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
# The AsyncAPI documents are checked with the official parser from npm (tools/asyncapi-check).
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
# promtool checks and unit-tests the alert rules; the Prometheus server scrapes a service in an e2e test.
command -v promtool >/dev/null || need_apt+=(prometheus)
if $engine; then
  # The daemon, not a docker client alone (a machine may have the CLI without an engine).
  command -v dockerd >/dev/null || need_apt+=(docker.io)
  command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || need_apt+=(debootstrap)
  command -v docker-compose >/dev/null || need_apt+=(docker-compose)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
  # Debian's package starts its own cluster; coopreg runs its own server in .stack/.
  $SUDO service postgresql stop >/dev/null 2>&1 || true
  # Likewise Prometheus: the tests run their own on loopback.
  $SUDO service prometheus stop >/dev/null 2>&1 || true
fi

if [ ! -d tools/asyncapi-check/node_modules/@asyncapi/parser ] || \
   [ tools/asyncapi-check/package-lock.json -nt tools/asyncapi-check/node_modules ]; then
  say "installing the AsyncAPI parser from npm (tools/asyncapi-check, package-lock.json)"
  (cd tools/asyncapi-check && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
fi

# kustomize renders deploy/k8s in a test; a pinned Go module built into tools/bin.
KUSTOMIZE_VERSION=v5.7.1
if [ ! -x tools/bin/kustomize ] || ! tools/bin/kustomize version 2>/dev/null | grep -q "$KUSTOMIZE_VERSION"; then
  command -v go >/dev/null || { say "installing Go"; ${SUDO:-} apt-get install -y -qq golang-go >/dev/null; }
  say "building kustomize $KUSTOMIZE_VERSION (Go module) into tools/bin"
  GOBIN="$PWD/tools/bin" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
fi

# Toxiproxy puts the chaos run's network faults (latency, resets, a blackhole) between the services and
# Kafka/PostgreSQL (coopreg/chaos/proxy.py): a pinned Go module built into tools/bin, never committed.
TOXIPROXY_VERSION=v2.5.0
if [ ! -x tools/bin/toxiproxy-server ] || [ "$(cat tools/bin/.toxiproxy-version 2>/dev/null)" != "$TOXIPROXY_VERSION" ]; then
  command -v go >/dev/null || { say "installing Go"; ${SUDO:-} apt-get install -y -qq golang-go >/dev/null; }
  say "building toxiproxy $TOXIPROXY_VERSION (Go module) into tools/bin"
  toxiproxy_build=$(mktemp -d)
  GOBIN="$toxiproxy_build" go install "github.com/Shopify/toxiproxy/v2/cmd/server@$TOXIPROXY_VERSION"
  mv "$toxiproxy_build/server" tools/bin/toxiproxy-server && rmdir "$toxiproxy_build"
  echo "$TOXIPROXY_VERSION" > tools/bin/.toxiproxy-version
fi

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  say "creating the Python environment in .venv ($($PYTHON --version))"
  "$PYTHON" -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ constraints.txt -nt .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  say "installing pinned Python dependencies (constraints.txt)"
  .venv/bin/pip install -q --upgrade pip >/dev/null
  .venv/bin/pip install -q -c constraints.txt -e '.[test]'
  touch .venv/.installed
fi
say "ready"
