#!/usr/bin/env bash
# A real "disk full": artemis-write into a 2 MiB tmpfs must fail cleanly with ENOSPC (exit 4,
# the errno text in its one-line message), leave nothing in the directory, and give the space
# back at once (crash-safety.md step 5: the .inprogress is unlinked on a failed write), so a
# small write into the same file system then succeeds.
#
# Needs root and a kernel that lets us mount tmpfs (refused in most containers): otherwise it
# exits 77, which CTest reports as skipped (SKIP_RETURN_CODE), never as passed.
#
# EDQUOT is not produced for real here: this kernel has neither tmpfs quotas
# (CONFIG_TMPFS_QUOTA: `mount -t tmpfs -o usrquota` is refused) nor XFS quotas, and setting
# limits on an ext4 loop image needs the quota tools, which are not installed. EDQUOT takes
# the same code path as ENOSPC (any errno but EINTR from write); unit.writer_faults_test
# injects it at every write, fsync and other system call of the protocol.
#
# usage: enospc.sh PATH/TO/artemis-write
set -u
CLI=$(realpath "$1")

skip() {
  echo "SKIP: $*"
  exit 77
}

[ "$(id -u)" = 0 ] || skip "not root (uid $(id -u)): cannot mount a small tmpfs to fill"
MNT=$(mktemp -d "${TMPDIR:-/tmp}/artemis-enospc.XXXXXX")
if ! err=$(mount -t tmpfs -o size=2m,mode=0755 tmpfs "$MNT" 2>&1); then
  rmdir "$MNT"
  skip "mount -t tmpfs refused (container without CAP_SYS_ADMIN?): $err"
fi
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/artemis-enospc-logs.XXXXXX")
cleanup() {
  umount "$MNT" 2>/dev/null || umount -l "$MNT"
  rmdir "$MNT"
  rm -rf "$LOGS"
}
trap cleanup EXIT

failed=0
fail() {
  echo "FAIL: $*"
  failed=$((failed + 1))
}

# 200k canonical rows are about 7.5 MB of Parquet: far more than the 2 MiB available.
for threads in 1 2; do
  out="$MNT/x.parquet"
  "$CLI" --sample 200000 -o "$out" --threads "$threads" --no-progress >"$LOGS/out" 2>"$LOGS/err"
  rc=$?
  msg=$(cat "$LOGS/err")
  echo "threads $threads: exit $rc: $msg"
  [ "$rc" = 4 ] || fail "threads $threads: exit $rc, expected 4"
  echo "$msg" | grep -Eq 'No space left on device \(errno 28\)' || fail "threads $threads: no ENOSPC text in: $msg"
  echo "$msg" | grep -q 'x.parquet' || fail "threads $threads: the message does not name the file: $msg"
  [ "$(echo "$msg" | wc -l)" = 1 ] || fail "threads $threads: stderr is not one line"
  left=$(ls -A "$MNT")
  [ -z "$left" ] || fail "threads $threads: left in the directory: $left"
  used_kb=$(df -k --output=used "$MNT" | tail -1 | tr -d ' ')
  [ "$used_kb" -lt 64 ] || fail "threads $threads: $used_kb KiB still used after the failure"
done

# The space came back: a small file fits and publishes.
if "$CLI" --sample 2000 -o "$MNT/small.parquet" --no-progress 2>/dev/null && [ -s "$MNT/small.parquet" ] &&
  [ ! -e "$MNT/small.parquet.inprogress" ]; then
  echo "after the failures: a 2000-row file published in the same file system"
else
  fail "a small write after ENOSPC did not publish"
fi

if [ "$failed" -ne 0 ]; then
  echo "$failed check(s) failed"
  exit 1
fi
echo "enospc: all checks passed"
