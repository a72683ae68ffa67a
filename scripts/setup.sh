#!/usr/bin/env bash
# Installs the Debian packages that ctwatch needs to build, test and run.
# Idempotent: when everything is installed it only asks dpkg and returns in well under a second.
set -euo pipefail

BUILD_PACKAGES=(
  cmake ninja-build g++ pkg-config clang libclang-rt-14-dev
  libssl-dev libcurl4-openssl-dev libsqlite3-dev zlib1g-dev
  libre2-dev nlohmann-json3-dev libicu-dev libpsl-dev publicsuffix
  libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# Real peers the tests and benchmarks run against.
PEER_PACKAGES=(
  openssl sqlite3 certspotter pebble lego bind9 bind9-utils bind9-dnsutils python3-aiosmtpd
)

missing=()
for pkg in "${BUILD_PACKAGES[@]}" "${PEER_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# bind9 is used by the tests as a process they start themselves, never as a system service.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet named 2>/dev/null; then
  $SUDO systemctl disable --now named >/dev/null 2>&1 || true
fi
