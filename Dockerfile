# bareipc in a FROM-scratch image: the binaries are static and libc-free, so the image
# holds them and nothing else. The build context holds them per architecture, under the
# names engines give TARGETARCH: bin/amd64/, bin/arm64/, bin/riscv64/. `make image` lays
# that out in target/image/ from `make all` (and `make cross`, where it exists) and builds:
#
#   every program:  make image ENGINE=docker      (or: docker build -t bareipc -f Dockerfile target/image)
#                   docker run --rm bareipc pi-pipe -w 4
#   one program:    docker build --build-arg PROGRAM=pi-shm-sem -t bareipc-shm -f Dockerfile target/image
#
# Docker (BuildKit) and recent Podman set TARGETARCH from the build's platform; older
# Podman needs --build-arg TARGETARCH=amd64. What each mechanism needs from the container
# is in docs/containers.md.
FROM scratch
ARG TARGETARCH
# Empty: copy every program of the architecture; a name: copy that one.
ARG PROGRAM=
COPY bin/${TARGETARCH}/${PROGRAM} /bin/
# No shell in the image: the runtime finds the program named on the command line in PATH.
ENV PATH=/bin
# No /tmp either: programs that make a directory (pi-fifo, pi-unix) make it in the one directory a
# container always has writable, even with --read-only (not with --ipc none).
ENV TMPDIR=/dev/shm
