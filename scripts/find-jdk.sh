#!/usr/bin/env bash
# Prints the home of a JDK >= 22 (the FFM API is final from 22 on): $JAVA_HOME when it is
# one, else the newest under /usr/lib/jvm. Fails with a clear message when there is none.
set -uo pipefail

feature_version() { # major version of the JDK at $1, or 0
  local release="$1/release"
  [ -x "$1/bin/javac" ] && [ -f "$release" ] || { echo 0; return; }
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" | head -1
}

if [ -n "${JAVA_HOME:-}" ] && [ "$(feature_version "$JAVA_HOME")" -ge 22 ] 2>/dev/null; then
  echo "$JAVA_HOME"; exit 0
fi
best=""; best_version=0
for home in /usr/lib/jvm/*; do
  [ -L "$home" ] && continue
  v=$(feature_version "$home")
  if [ "${v:-0}" -ge 22 ] && [ "$v" -gt "$best_version" ]; then best="$home"; best_version=$v; fi
done
if [ -z "$best" ]; then
  echo "jbpf needs a JDK >= 22 (FFM API); none found in JAVA_HOME or /usr/lib/jvm. Install one (e.g. Temurin 25) and set JAVA_HOME." >&2
  exit 1
fi
echo "$best"
