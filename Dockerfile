# bareipc in a FROM-scratch image: the binaries are static and libc-free, so the image
# holds them and nothing else. Build the binaries first (`make all`), then either
#
#   every program:  docker build -t bareipc .
#                   docker run --rm bareipc pi-pipe -w 4
#   one program:    docker build --build-arg PROGRAM=pi-shm-sem -t bareipc-shm .
#                   docker run --rm bareipc-shm pi-shm-sem
#
# What each mechanism needs from the container is in the README, "Running in a container".
FROM scratch
# Empty: copy every program in bin/; a name: copy that one.
ARG PROGRAM=
COPY bin/${PROGRAM} /bin/
# No shell in the image: the runtime finds the program named on the command line in PATH.
ENV PATH=/bin
