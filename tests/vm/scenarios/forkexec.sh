# fork + execve storm: exec replaces the whole tree once more.
iosup-lat-proc -m -n "$PROCS" -w 10 -t forkexec fork-exec
