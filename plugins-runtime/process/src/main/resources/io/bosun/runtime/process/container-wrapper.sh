#!/bin/bash
# Bosun process runtime: runs one container's command and records what happens to it.
#
#   container-wrapper.sh DIR LOG -- COMMAND [ARG...]
#
# The runtime starts this in a session of its own (setsid), so the node process's terminal
# signals never reach containers, and the wrapper outlives the JVM that started it.
# COMMAND runs in a new session too: its pid is its process group, which the runtime signals
# (kill -- -PID) so SIGTERM/SIGKILL reach its children; the wrapper is not in that group and
# survives to record the exit. Files in DIR:
#   pid    "<the command's pid> <epoch seconds.micros>", written once it has been forked
#   exit   "<exit code> <epoch seconds.micros>", written once it ended and its output is logged
#          (128 + N when killed by signal N)
# stdout and stderr go through FIFOs to two logger loops that append CRI log records to LOG
# (time stream F line). A logger reopens LOG when it has been renamed away (rotation).
# bash builtins only in the loggers: no fork per line.
set -u
dir=$1 log=$2
shift 3
trap ':' TERM INT HUP QUIT

log_stream() {
  trap ':' TERM INT HUP QUIT
  export TZ=UTC LC_ALL=C
  local stream=$1 line t ts
  exec 3>>"$log"
  while IFS= read -r line || [[ -n $line ]]; do
    [[ -e $log ]] || exec 3>>"$log"
    t=$EPOCHREALTIME
    printf -v ts '%(%Y-%m-%dT%H:%M:%S)T' "${t%[.,]*}"
    printf '%s.%s000Z %s F %s\n' "$ts" "${t#*[.,]}" "$stream" "$line" >&3
  done
}

out=$dir/stdout.fifo err=$dir/stderr.fifo
rm -f "$out" "$err"
mkfifo -m 600 "$out" "$err" || exit 125
log_stream stdout <"$out" & lo=$!
log_stream stderr <"$err" & le=$!
setsid "$@" </dev/null >"$out" 2>"$err" & pid=$!
t=$EPOCHREALTIME
echo "$pid ${t/,/.}" >"$dir/pid.tmp" && mv -f "$dir/pid.tmp" "$dir/pid"

# wait returns early when a trapped signal arrives; the last wait yields the saved status.
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; done
wait "$pid"; rc=$?
fin=$EPOCHREALTIME

# Let the loggers drain; a daemonised grandchild holding the pipes must not hold the exit up.
for ((i = 0; i < 100; i++)); do
  kill -0 "$lo" 2>/dev/null || kill -0 "$le" 2>/dev/null || break
  sleep 0.05
done
rm -f "$out" "$err"
printf '%s %s\n' "$rc" "${fin/,/.}" >"$dir/exit.tmp" && mv -f "$dir/exit.tmp" "$dir/exit"
