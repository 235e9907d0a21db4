# The jbpf runtime image: libbpf 1.4 and bpftool from bookworm-backports, a Java runtime made
# with jlink (only the modules jbpf uses), the jbpf CLI as the entrypoint, the example BPF
# objects in /opt/jbpf/bpf and the exporter configs in /opt/jbpf/exporters (NAME.bpf.o beside
# NAME.yaml, a config dir for `jbpf export`: examples/exporters, deploy/kubernetes). `make image` makes build/image/jre and cli/target/jbpf.jar first,
# then builds this as jbpf:VERSION and jbpf:latest (README, "Container image").
# Runs on the host's kernel: see the README for the capabilities and mounts it needs.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

ARG DEBIAN_FRONTEND=noninteractive
RUN printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' \
        'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
        > /etc/apt/sources.list.d/bookworm-backports.sources \
 && apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends -t bookworm-backports libbpf1 bpftool \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log \
 && dpkg-query -W -f='${Version}\n' libbpf1 | grep -q '^1:1\.4\.' \
 && bpftool version

COPY build/image/jre /opt/jbpf/jre
COPY build/bpf/*.bpf.o /opt/jbpf/bpf/
COPY build/exporters/ /opt/jbpf/exporters/
COPY cli/target/jbpf.jar /opt/jbpf/jbpf.jar
# `jbpf` on the PATH, for `docker exec` and shells inside the container
RUN printf '%s\n' '#!/bin/sh' 'exec /opt/jbpf/jre/bin/java --enable-native-access=ALL-UNNAMED -jar /opt/jbpf/jbpf.jar "$@"' \
        > /usr/local/bin/jbpf \
 && chmod 755 /usr/local/bin/jbpf

ARG VERSION=dev
LABEL org.opencontainers.image.title="jbpf" \
      org.opencontainers.image.description="Load, attach and inspect eBPF programs from Java through libbpf" \
      org.opencontainers.image.version="${VERSION}"
WORKDIR /opt/jbpf
ENTRYPOINT ["/opt/jbpf/jre/bin/java", "--enable-native-access=ALL-UNNAMED", "-jar", "/opt/jbpf/jbpf.jar"]
CMD ["--help"]
