# fork + _exit storm: the page-table build and teardown of a process.
iosup-lat-proc -m -n "$PROCS" -w 10 -t forkexit fork-exit
