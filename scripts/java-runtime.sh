#!/usr/bin/env bash
# Makes the image's Java runtime with jlink: only the JDK modules the jbpf CLI jar uses (found
# by jdeps), from the build JDK (the only JDK source on these machines). Cached: redone only
# when the jar is newer and its module set or the JDK changed.
# usage: java-runtime.sh JAR OUTPUT_DIR
set -euo pipefail
jar=$1 out=$2
found="$("$(dirname "$0")/find-jdk.sh" --version)" || exit 1
read -r jdk feature runtime_version <<<"$found"
stamp=$out.modules   # "modules|jdk version" of the runtime in $out

[ -d "$out" ] && [ -f "$stamp" ] && [ "$stamp" -nt "$jar" ] && { echo "java-runtime: $out is up to date ($(cat "$stamp"))"; exit 0; }

# Jackson (shaded into the jar) reaches java.desktop, java.sql and java.xml only for optional
# features (java.beans annotations, SQL date and XML types) that jbpf never uses; its
# module-info declares exactly these as `requires static`, so they are left out. SnakeYAML (the
# exporter's config reader) reaches java.desktop only for JavaBean properties (java.beans), which
# composing a node tree, all jbpf does with it, never touches (its module-info: `requires static`).
jackson_optional='java.desktop java.sql java.xml'
modules=$("$jdk/bin/jdeps" -verbose:class --ignore-missing-deps --multi-release "$feature" "$jar" |
  awk -v optional="$jackson_optional" '
    BEGIN { n = split(optional, o, " "); for (i = 1; i <= n; i++) skip[o[i]] = 1 }
    NF == 4 && $2 == "->" && $NF ~ /^(java|jdk)\./ {   # class-level lines: CLASS -> CLASS MODULE
      if ($1 ~ /^(com\.fasterxml\.jackson|org\.yaml\.snakeyaml)\./ && ($NF in skip)) next
      used[$NF] = 1
    }
    # JDK-internal APIs the jar uses (sun.misc.Signal: jbpf export reloads on SIGHUP) are printed as
    # "CLASS -> CLASS JDK internal API (MODULE)": the module is in the parentheses
    $2 == "->" && /JDK internal API \((java|jdk)\.[a-z.]+\)/ {
      match($0, /\((java|jdk)\.[a-z.]+\)/); used[substr($0, RSTART + 1, RLENGTH - 2)] = 1
    }
    END { for (m in used) print m }' | sort | paste -sd, -)
[ -n "$modules" ] || { echo "java-runtime: jdeps found no modules in $jar" >&2; exit 1; }
want="$modules|$runtime_version"

if [ -d "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  touch "$stamp"; echo "java-runtime: $out is up to date ($want)"; exit 0
fi
rm -rf "$out" "$stamp"
mkdir -p "$(dirname "$out")"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6 --output "$out"
echo "$want" > "$stamp"
echo "java-runtime: linked $out with $modules ($(du -sh "$out" | cut -f1))"
