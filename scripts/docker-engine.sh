#!/usr/bin/env bash
# Makes sure a Docker engine answers on the default socket; starts Debian's dockerd in the
# background when none does, and leaves it running (idempotent: a running engine is reused).
# --bridge=none: the default bridge (docker0) would take a private address range, which these
# machines must not use; containers run with network mode none or host instead.
set -euo pipefail

log=${DOCKERD_LOG:-/var/log/jbpf-dockerd.log}
answers() { docker version --format '{{.Server.Version}}' > /dev/null 2>&1; }

if answers; then
  echo "docker-engine: running (server $(docker version --format '{{.Server.Version}}'))"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "docker-engine: no Docker engine answers and only root can start one" >&2; exit 1; }
command -v dockerd > /dev/null || { echo "docker-engine: dockerd is not installed; run 'make deps'" >&2; exit 1; }

# A socket left by an engine that died would make dockerd refuse to start.
if [ -S /var/run/docker.sock ] && ! pgrep -x dockerd > /dev/null; then rm -f /var/run/docker.sock; fi

# setsid: the engine must outlive make and the shell that started it.
setsid dockerd --bridge=none > "$log" 2>&1 < /dev/null &
pid=$!
for _ in $(seq 1 60); do
  if answers; then
    echo "docker-engine: started dockerd (pid $pid, server $(docker version --format '{{.Server.Version}}'), log $log)"
    exit 0
  fi
  kill -0 "$pid" 2> /dev/null || break
  sleep 0.5
done
echo "docker-engine: dockerd did not answer within 30 s; the end of $log:" >&2
tail -n 20 "$log" >&2
exit 1
