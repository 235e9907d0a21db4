#!/usr/bin/env bash
# The one way jbpf's shell scripts, the Makefile and bin/jbpf find their JDK.
# Prints the home of a JDK >= 22 (the FFM API is final from 22 on): $JAVA_HOME when it is
# one, else the newest under /usr/lib/jvm. Fails with a clear message when there is none.
#   find-jdk.sh            HOME
#   find-jdk.sh --version  HOME FEATURE RUNTIME_VERSION   e.g. "/usr/lib/jvm/x 25 25.0.3+9-LTS"
# The versions come from the JDK's release file (JAVA_VERSION, JAVA_RUNTIME_VERSION): no JVM
# is started, so a caller on the start path (bin/jbpf) pays a few milliseconds.
set -uo pipefail

release_field() { # the value of field $2 in the release file of the JDK at $1
  sed -n "s/^$2=\"\(.*\)\"/\1/p" "$1/release" 2>/dev/null | head -1
}
feature_version() { # major version of the JDK at $1, or 0
  [ -x "$1/bin/javac" ] && [ -f "$1/release" ] || { echo 0; return; }
  local v; v=$(release_field "$1" JAVA_VERSION)
  echo "${v%%[!0-9]*}"
}
print() { # HOME, with its versions when asked
  if [ "${1:-}" = --version ]; then
    local runtime; runtime=$(release_field "$2" JAVA_RUNTIME_VERSION)
    echo "$2 $(feature_version "$2") ${runtime:-$(release_field "$2" JAVA_VERSION)}"
  else
    echo "$2"
  fi
}
case "${1:-}" in
  ""|--version) ;;
  *) echo "usage: find-jdk.sh [--version]" >&2; exit 2 ;;
esac

if [ -n "${JAVA_HOME:-}" ] && [ "$(feature_version "$JAVA_HOME")" -ge 22 ] 2>/dev/null; then
  print "${1:-}" "$JAVA_HOME"; exit 0
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
print "${1:-}" "$best"
