#!/usr/bin/env bash
# The README's test command (`npm test`), and what CI runs (.ci/run calls exactly this).
# On a fresh Debian machine that has only Node (>= 20.19) it installs what the suites need, then runs them:
#   1. pnpm at exactly the packageManager pin (npm i -g), only when missing or different;
#   2. the Debian packages the suites use, only when missing: as root, or through passwordless sudo;
#      otherwise it prints one line naming what to install and why, and exits 1;
#   3. pnpm install --frozen-lockfile, the lint (biome and scripts/check-layers.mjs), the API-reference gate, then every suite:
#      tsc -b, mocha (unit, property, vectors, interop, oracle, fuzz on a small budget, the @memtls/fast-check toolkit
#      against Node tls, openssl s_server and its planted defects: test/fast-check), the browser suite;
#   4. one closing line "N passed, N failed": the sum of every "<runner>: N passed, N failed[, N skipped]" line.
# Exit status: non-zero if a step fails, if a suite fails, or if no test passed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PNPM_VERSION="$(node -p "require('./package.json').packageManager.split('@')[1]")"

log() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

log "node $(node --version)"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
  die "Node >= 20.19 is needed (found $(node --version))"

# --- pnpm at the pin. Asked from / so that a wrong version does not refuse to run because of this repo's pin.
current_pnpm="$(cd / && pnpm --version 2>/dev/null || true)"
if [[ "$current_pnpm" != "$PNPM_VERSION" ]]; then
  log "installing pnpm $PNPM_VERSION (found: ${current_pnpm:-none})"
  npm i -g -E "pnpm@$PNPM_VERSION" || die "could not install pnpm $PNPM_VERSION: run 'npm i -g pnpm@$PNPM_VERSION' (it may need root)"
  hash -r
fi

# --- Debian packages. Each line: a command or dpkg package that shows it is there, the package, and why.
need=(
  "cmd:openssl openssl interop peers (s_server/s_client) and the test PKI"
  "cmd:gnutls-cli gnutls-bin GnuTLS interop peer"
  "cmd:ip iproute2 gnutls-serv's private network namespace (ip link set lo up; see test/interop/gnutls-peers.ts)"
  "dpkg:libssl-dev libssl-dev the OpenSSL oracle's C harness (built at test time against libssl)"
  "cmd:cc gcc the OpenSSL oracle's C harness"
  "cmd:python3 python3 the Python ssl interop peer"
  "cmd:curl curl an HTTPS client against the memtls server and CLI"
  "cmd:tshark tshark Wireshark decrypting a captured memtls connection with its key log"
  "cmd:websockify websockify a real WebSocket-to-TCP relay for the browser suite"
  "file:/usr/bin/chromium chromium the browser suite (headless Chromium)"
)
missing=()
why=()
for entry in "${need[@]}"; do
  read -r probe pkg reason <<<"$entry"
  case "$probe" in
    cmd:*) command -v "${probe#cmd:}" >/dev/null 2>&1 && continue ;;
    dpkg:*) dpkg -s "${probe#dpkg:}" >/dev/null 2>&1 && continue ;;
    file:*) [[ -x "${probe#file:}" ]] && continue ;;
  esac
  missing+=("$pkg")
  why+=("$pkg ($reason)")
done
if ((${#missing[@]})); then
  SUDO=()
  if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      SUDO=(sudo -n)
    else
      printf 'error: the tests need Debian packages that are missing; as root run: apt-get install -y %s  # %s\n' \
        "${missing[*]}" "$(IFS=';'; echo "${why[*]}")" >&2
      exit 1
    fi
  fi
  log "installing Debian packages: ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
# gnutls-serv binds every address of its port, so the GnuTLS tests run it in a private network namespace.
unshare -rn true 2>/dev/null || die "unshare -rn (an unprivileged user and network namespace) fails here: the GnuTLS interop tests need it (test/interop/gnutls-peers.ts)"
log "$(openssl version)"
log "$(/usr/bin/chromium --version 2>/dev/null | tail -n 1)"

log "pnpm install --frozen-lockfile"
pnpm install --frozen-lockfile

log "pnpm lint (biome, then the import boundaries: scripts/check-layers.mjs)"
pnpm lint

log "pnpm docs:api (the API reference builds and every public name is documented)"
pnpm docs:api

# --- the suites, with their output kept for the summary.
TEST_LOG="$(mktemp "${TMPDIR:-/tmp}/memtls-test.XXXXXX.log")"
trap 'rm -f "$TEST_LOG"' EXIT
log "tsc -b, mocha, browser suite"
set +e
pnpm run test:suites 2>&1 | tee "$TEST_LOG"
test_status=${PIPESTATUS[0]}
set -e

# Sum "<runner>: N passed, N failed[, N skipped]" lines (ANSI colours stripped first).
read -r passed failed < <(
  sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' "$TEST_LOG" |
    awk 'match($0, /^[A-Za-z][A-Za-z0-9_-]*: [0-9]+ passed, [0-9]+ failed/) {
           split(substr($0, RSTART, RLENGTH), f, /[ ,]+/); p += f[2]; x += f[4]
         }
         END { printf "%d %d\n", p, x }'
)

echo "${passed} passed, ${failed} failed"

if ((test_status != 0)); then
  echo "error: the suites exited with status $test_status" >&2
  exit "$test_status"
fi
((passed > 0)) || die "no test passed"
((failed == 0)) || exit 1
