#!/bin/bash
# Bosun oci runtime: the shim of one container (what containerd-shim is to containerd).
#
#   oci-shim.sh DIR LOG RUNC RUNC_ROOT ID BUNDLE CGROUP
#
# The runtime starts this in a session of its own (setsid), so it outlives the JVM. It runs
# `runc run --keep` in the foreground: runc is then the container's parent and subreaper and
# exits with the container's status (128 + N when killed by signal N), which a detached
# `runc create`/`start` would lose. The container's stdout and stderr are FIFOs read by two
# logger loops that append CRI log records to LOG (reopened when LOG is renamed away: rotation).
# --keep leaves the cgroup in place after the exit, so the OOM-kill counter can still be read;
# then the shim deletes the container (and with it the cgroup). Files in DIR:
#   pid       written by runc once the container's process exists (its host pid)
#   runc.log  runc's own messages (JSON lines), e.g. why the process could not be started
#   exit      "<status> <epoch seconds.micros> <oom kills>", written last
set -u
dir=$1 log=$2 runc=$3 root=$4 id=$5 bundle=$6 cgroup=$7
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
rm -f "$out" "$err" "$dir/exit"
mkfifo -m 600 "$out" "$err" || exit 125
log_stream stdout <"$out" & lo=$!
log_stream stderr <"$err" & le=$!
"$runc" --root "$root" --log "$dir/runc.log" --log-format json run --keep --pid-file "$dir/pid" \
  --bundle "$bundle" "$id" </dev/null >"$out" 2>"$err" & rpid=$!

# wait returns early when a trapped signal arrives; the last wait yields the saved status.
while kill -0 "$rpid" 2>/dev/null; do wait "$rpid"; done
wait "$rpid"; rc=$?
fin=$EPOCHREALTIME

oom=0
for f in "/sys/fs/cgroup/memory$cgroup/memory.oom_control" "/sys/fs/cgroup$cgroup/memory.events"; do
  if [[ -r $f ]]; then
    while read -r key value; do
      [[ $key == oom_kill ]] && oom=$value
    done <"$f"
    break
  fi
done

# Let the loggers drain; a process that escaped the container must not hold the exit up.
for ((i = 0; i < 100; i++)); do
  kill -0 "$lo" 2>/dev/null || kill -0 "$le" 2>/dev/null || break
  sleep 0.05
done
"$runc" --root "$root" delete --force "$id" >/dev/null 2>&1
rm -f "$out" "$err"
printf '%s %s %s\n' "$rc" "${fin/,/.}" "$oom" >"$dir/exit.tmp" && mv -f "$dir/exit.tmp" "$dir/exit"
