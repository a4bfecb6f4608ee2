#!/usr/bin/env bash
# Installs what Percept needs to build, test and run, from Debian's packages (run as root).
# Does nothing when everything is already there.
set -euo pipefail
packages=(
  build-essential cmake pkg-config git curl ca-certificates
  libcpp-httplib-dev libssl-dev libsqlite3-dev libpq-dev postgresql-15 nlohmann-json3-dev
  libcli11-dev nginx
  libboost-math-dev libreadstat-dev libsimdjson-dev libpugixml-dev libqrencode-dev libpng-dev zlib1g-dev
  libgoogle-perftools-dev
  zbar-tools catch2 sqlite3 wrk python3 pspp chromium
  chromium-driver
  r-cran-survey  # R's survey package: the oracle of the trend tests (tests/oracle/)
)
# Node.js and npm build the browser tablet (web/): the machine's own when it has them.
command -v npm > /dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (or: sudo $0)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
