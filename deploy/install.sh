#!/usr/bin/env bash
# Install what Gradscape needs on Debian: the packages below from apt, then requirements.txt with
# pip. CI (.ci/run) and the container image (deploy/Dockerfile) both run it, so what CI tests is
# what the image holds. Packages already there are not installed again; apt needs root.
#
#   chromium, fonts-liberation: the export's Chromium (kaleido, Playwright) and a font for its
#       text (chromium only recommends one);
#   fonts-noto-cjk: Chinese characters in exported pictures (the app's Simplified Chinese);
#   nginx: in front of the replicas (deploy/serve.sh).
#
# $PYTHON (default python3) is the interpreter whose pip installs requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(chromium fonts-liberation fonts-noto-cjk nginx)

missing=()
for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
        missing+=("$package")
done
if ((${#missing[@]})); then
    if [[ $(id -u) != 0 ]]; then
        echo "install.sh: apt-get needs root to install ${missing[*]}: run it as root (sudo)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # with their recommended packages (chromium's sandbox), as CI has always installed them
    apt-get install -y -q "${missing[@]}"
fi

"${PYTHON:-python3}" -m pip install -q --no-cache-dir -r requirements.txt
