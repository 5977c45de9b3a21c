#!/usr/bin/env python3
"""launch.py [OPTION]... -- PROGRAM [ARG]...: runs PROGRAM (exec, same pid) with the
process state a launcher can hand over — signal dispositions, a blocked mask, a pending
timer, resource limits, a full stdout pipe. The fault matrix uses it to play a shell,
`nohup`, a supervisor with a leaked mask, or `timeout`.

  --default SIGS    reset these signals to SIG_DFL (a background job of a
                    non-interactive shell has SIGINT ignored; this undoes it)
  --ignore SIGS     set these signals to SIG_IGN (as nohup does for HUP)
  --block SIGS      block these signals; ALL blocks every signal that can be blocked
  --alarm SECS      arm ITIMER_REAL (alarm) to fire after SECS (a float)
  --rlimit RES=N    set the soft and hard limit RES (fsize, nofile, nproc, msgqueue) to N
  --full-stdout     stdout becomes a pipe filled to the brim, whose read end the program
                    inherits and nobody reads: its first write blocks for good
SIGS is a comma-separated list of names without SIG (INT,TERM) or numbers.
"""
import fcntl
import os
import resource
import signal
import sys


def signals(text):
    if text == "ALL":
        return signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP}
    return {int(s) if s.isdigit() else getattr(signal, "SIG" + s) for s in text.split(",")}


def main(argv):
    if "--" not in argv:
        sys.exit(__doc__)
    split = argv.index("--")
    opts, command = argv[:split], argv[split + 1 :]
    i = 0
    while i < len(opts):
        opt = opts[i]
        value = opts[i + 1] if i + 1 < len(opts) else None
        i += 2
        if opt == "--default":
            for s in signals(value):
                signal.signal(s, signal.SIG_DFL)
        elif opt == "--ignore":
            for s in signals(value):
                signal.signal(s, signal.SIG_IGN)
        elif opt == "--block":
            signal.pthread_sigmask(signal.SIG_BLOCK, signals(value))
        elif opt == "--alarm":
            signal.setitimer(signal.ITIMER_REAL, float(value))
        elif opt == "--rlimit":
            name, n = value.split("=")
            res = getattr(resource, "RLIMIT_" + name.upper())
            resource.setrlimit(res, (int(n), int(n)))
        elif opt == "--full-stdout":
            i -= 1
            r, w = os.pipe()
            os.set_inheritable(r, True)  # the program keeps the read end: no EPIPE
            fcntl.fcntl(w, fcntl.F_SETFL, os.O_NONBLOCK)
            try:
                while True:
                    os.write(w, b"x" * 65536)
            except BlockingIOError:
                pass
            fcntl.fcntl(w, fcntl.F_SETFL, 0)
            os.dup2(w, 1)
        else:
            sys.exit(f"launch.py: unknown option {opt}")
    # Python itself ignores SIGPIPE and SIGXFSZ; exec keeps SIG_IGN. Put the defaults back
    # unless asked to ignore them, so the program sees what a shell would hand it.
    for s in (signal.SIGPIPE, signal.SIGXFSZ):
        if "--ignore" not in opts or s not in signals(opts[opts.index("--ignore") + 1]):
            signal.signal(s, signal.SIG_DFL)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
