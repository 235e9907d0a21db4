#!/usr/bin/env bash
# Makes cli/target/jbpf.aot, the JDK 25 AOT cache bin/jbpf starts with (JEP 483/514): a training
# run of `jbpf prog list` (which builds the whole command model and links libbpf) records the
# classes it loads and links. Skipped, with a note, on a JDK older than 25 or when the training
# run fails (e.g. not root): bin/jbpf then starts without a cache.
set -uo pipefail
cd "$(dirname "$0")/.."
found="$(scripts/find-jdk.sh --version)" || exit 0
read -r jdk v _ <<<"$found"
echo "$jdk ${v:-0}" > cli/target/jbpf.jdk # bin/jbpf starts with this JDK without looking again
if [ "${v:-0}" -lt 25 ]; then
  echo "aot-cache: JDK $v has no AOT cache (25 or later); bin/jbpf starts without one"
  exit 0
fi
out=cli/target/jbpf.aot
tmp="$out.tmp.$$"
rm -f "$out"
if JBPF_AOT_OUTPUT="$tmp" bin/jbpf prog list >/dev/null 2>"$tmp.log" && [ -s "$tmp" ]; then
  mv "$tmp" "$out"
  rm -f "$tmp.log" "$tmp.config"
else
  echo "aot-cache: the training run failed; bin/jbpf starts without a cache:" >&2
  cat "$tmp.log" >&2
  rm -f "$tmp" "$tmp.log" "$tmp.config"
fi
exit 0
