#!/bin/bash
# Library code does not print (STYLE.md; common/README.md): it returns codes
# and hands its words to the caller (tb_msg.h), and the daemon's main.c
# prints.  Checked on the objects themselves: in the static libraries given
# as arguments, only tb_log (the log, which writes stderr) and tb_fault (the
# test hooks) may name stderr or stdout or call the functions that print to
# them; tb_report writes with fprintf to the stream its caller gives it, so
# fprintf itself is allowed.  Nor does library code log: only tb_log itself
# names the logging functions (tb_log, tb_logv); tb_fault, the test hook
# that kills its process, says why first.
set -u
status=0
for lib in "$@"; do
    out=$(nm -A "$lib") || { echo "not ok - nm $lib"; exit 1; }
    bad=$(printf '%s\n' "$out" |
        grep -E ' U (stderr|stdout|printf|puts|putchar|perror|vprintf)$' |
        grep -vE '/(tb_log|tb_fault)\.c\.o:' || true)
    if [ -n "$bad" ]; then
        echo "not ok - $(basename "$lib") prints:"
        printf '%s\n' "$bad" | sed 's/^/#   /'
        status=1
    else
        echo "ok - $(basename "$lib") prints nothing but through tb_log"
    fi
    logs=$(printf '%s\n' "$out" | grep -E ' U tb_logv?$' | grep -vE '/(tb_log|tb_fault)\.c\.o:' || true)
    if [ -n "$logs" ]; then
        echo "not ok - $(basename "$lib") logs:"
        printf '%s\n' "$logs" | sed 's/^/#   /'
        status=1
    else
        echo "ok - $(basename "$lib") logs nothing"
    fi
done
exit $status
