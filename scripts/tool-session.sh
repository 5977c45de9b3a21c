#!/usr/bin/env bash
# tool-session.sh: the example session of docs/tool.md — the bareipc tool used from a
# shell, every command and what it printed (stdout and stderr, and a non-zero status),
# then the system calls of one `bareipc ls` as strace shows them. Runs in the tests'
# sandbox (scripts/sandbox.sh: fresh IPC, mount and PID namespaces, its own /dev/shm and
# mqueue mount), so the objects are made from nothing and go with it.
# Output: Markdown, three blocks, each after a line `<!-- NAME -->` (tool-help,
# tool-session, tool-strace), for scripts/update-readme.py.
set -u
cd "$(dirname "$0")/.."
if [ "${1:-}" != --inside ]; then
    exec scripts/sandbox.sh "$PWD/scripts/tool-session.sh" --inside "$PWD/bin/bareipc"
fi
bin=$2
export PATH="$(dirname "$bin"):$PATH"

# run COMMAND...: prints `$ COMMAND` and what it printed.
run() {
    printf '$ %s\n' "$*"
    bash -c "$*" 2>&1
    local status=$?
    [ "$status" -eq 0 ] || printf '(exit status %s)\n' "$status"
}

echo "<!-- tool-help -->"
echo '```console'
run bareipc --help
echo '```'

echo "<!-- tool-session -->"
echo '```console'
run bareipc mq create /jobs --max-messages 4 --message-size 64
run bareipc mq send /jobs "'render page 3'" --priority 5
run bareipc mq send jobs cleanup --priority 1
run bareipc sem create /lock --value 1
run bareipc shm create /frame --size 64
run bareipc shm write /frame "'hello from shm'" --offset 16
run bareipc msg create 0x1234
run bareipc msg send 0x1234 7 "'type seven'"
run bareipc sysv-sem create 0x5678 --count 2
run bareipc sysv-sem op 0x5678 1 3
run bareipc ls
run bareipc mq recv /jobs
run bareipc shm read /frame --length 32
run bareipc msg recv 0x1234 --type -9
run bareipc sem wait /lock --timeout 0.1
run bareipc sem wait /lock --timeout 0.1
run "bareipc ls --json | head -4"
# What a pi-sysv-msg run killed by SIGKILL leaves: a queue keyed 0xB1 and its pid.
true &
dead=$!
wait "$dead"
key=$(printf '0x%08x' $((0xB1000000 | dead)))
bareipc msg create "$key" >/dev/null
run bareipc clean --dry-run
run bareipc clean
run bareipc msg rm 0x1234
run bareipc sysv-sem value 0x5678
# A FIFO and a real-time signal: a reader or a waiter in the background, then the sender.
run bareipc fifo create /dev/shm/pipe
run "bareipc fifo read /dev/shm/pipe --timeout 5 & sleep 0.2; bareipc fifo write /dev/shm/pipe 'through a FIFO'; wait"
run "bareipc fifo write /dev/shm/pipe 'nobody reads'"
run "(trap '' 40; bareipc signal wait 40 --timeout 5) & sleep 0.2; bareipc signal send \$! 40 12345; wait"
# Sockets: a listener in the background, a sender; an abstract name, then loopback UDP.
run "bareipc unix listen @greeter --seqpacket --count 2 --timeout 5 & sleep 0.2; bareipc unix send @greeter hello --seqpacket; bareipc unix send @greeter again --seqpacket; wait"
run "bareipc udp listen 5353 --timeout 5 & sleep 0.2; bareipc udp send 5353 'one datagram'; wait"
run "bareipc tcp send 5354 'nobody listens'"
# A descriptor passed: a memfd holding the text, then an eventfd's counter.
run "bareipc fd serve @files 'in a memfd' --timeout 5 & sleep 0.2; bareipc fd take @files; wait"
run "bareipc fd serve @counter 42 --eventfd --timeout 5 & sleep 0.2; bareipc fd take @counter; wait"
echo '```'

echo "<!-- tool-strace -->"
echo '```console'
echo '$ strace bareipc ls   # the objects above; execve, write and exit_group left out'
# Addresses on the stack and times change from run to run: shown as ... .
strace -qq -s 20 -e 'trace=!execve,write,exit_group' bareipc ls 2>&1 >/dev/null |
    sed -E -e 's/0x7ff[0-9a-f]+/0x.../g' -e 's/(sem_[oc]time)=[0-9]+/\1=.../g'
echo '```'
