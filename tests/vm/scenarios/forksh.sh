# fork + /bin/sh -c PROGRAM: two execs per process, as a shell script runs.
iosup-lat-proc -m -n "$PROCS" -w 10 -t forksh fork-sh
