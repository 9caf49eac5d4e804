#!/usr/bin/env bash
# S3 sink end to end against moto_server with signature checking on (RELIABILITY-PLAN.md §3-4).
# usage: s3_test.sh CLI NODE|"" INTEROP_DIR GEN_CASES|"" WORK_DIR
#   NODE, INTEROP_DIR (tests/interop, after `npm ci`) and GEN_CASES (interop_gen_cases) are
#   for the independent readers of check 1; when any is missing that check FAILS.
#   Exit 77 (skipped) without moto_server or boto3.
# Starts moto on 127.0.0.1 at a free port, creates a user/key and the bucket (moto_setup.py),
# then checks through the CLI:
#  1. roundtrip: -o s3://… (3 parts of 5 MiB) downloads byte-identical to the same output
#     written to a local file, and `inspect` reads it; no pending upload is left; the download
#     is read by arrow-rs (parquet-wasm) and DuckDB through tests/interop/verify.mjs, every
#     value compared with the generator's arrays (interop_gen_cases --canonical-only dumps
#     them; never from our own reader), plus ZSTD and per-row-group statistics;
#  2. nothing visible before close: a writer stopped (SIGSTOP) after 2 uploaded parts leaves
#     HEAD 404; SIGKILLed there, still 404 and its upload pending; `s3-gc --older-than 0s`
#     aborts it and the pending list is empty;
#  3. an existing key is not overwritten: exit 3, the object unchanged, no pending upload;
#  4. a bad key is refused before any request (exit 1); a wrong secret fails (exit 4, 403).
# Then fault cases through tests/s3/fault_proxy.py (an HTTP proxy in front of moto; its log
# shows what was retried). Each checks the exit code, stderr, HEAD of the key, that nothing is
# pending, and that no request got 403 (a retry must be signed validly again):
#  a. one 500 on part 2: retried, exit 0, object identical to the local reference;
#  b. 500 on every part: exit 4 naming UploadPart N and HTTP 500, HEAD 404, 5 attempts of
#     part N (part 1 when parts go one by one) and then the abort (DELETE ?uploadId);
#  c. a wrong ETag for part 2: exit 4 naming the ETag/MD5 mismatch, HEAD 404, aborted;
#  d. one 500 on Create and one on Complete: exit 0, identical;
#  e. connection reset (no reply) on part 2: retried, exit 0, identical;
#  f. the Complete committed by moto but its reply lost (connection closed): exit 0 and the
#     object identical, in three variants of what the retried Complete gets: f1 moto's own
#     answer (200: moto treats a repeated Complete as idempotent), f2 412 PreconditionFailed,
#     f3 404 NoSuchUpload (the sink must then HEAD the object and compare the multipart ETag);
#     f4 the counterpart: the Complete never arrives (reset) and a foreign object is at the
#     key: the retry's 412 is real, exit 3, the object unchanged;
#  g. s3-gc age filter: two uploads left by SIGKILLed writers, the proxy rewrites one's
#     Initiated to 2 h ago and the other's to now: `s3-gc --older-than 1h` aborts exactly the
#     old one (aborted/kept lines) and the young one stays pending;
#  h. SIGINT while part 2 is in flight (the proxy holds it 20 s): the upload is cancelled and
#     aborted, exit 130 well before the 20 s, HEAD 404, nothing pending;
#  i. identical rerun: the same write twice to data/dup.parquet; the second gets a real 412
#     (no Complete of it can have reached moto unseen, so no HeadObject "is it ours?" check):
#     exit 3 "already exists", the ETag unchanged, its upload aborted;
#  j. Complete committed by moto, its reply lost, every retry 500: the sink HEADs the key, sees
#     its own multipart ETag: exit 0, identical; the HEAD comes after the Completes;
#  k. as j, and every HEAD reset too: exit 4 "outcome unknown" naming the s3:// URL (moto does
#     have the object: HEAD 200 straight from moto, so "nothing published" would be wrong);
#  l. one Complete answered 200 with an <Error> body: retried, exit 0, identical, [200, 200];
#  o. as j with --s3-no-etag-check and an opaque (SSE-KMS-like) ETag from HEAD: the object
#     cannot be identified: exit 4 "outcome unknown";
#  n. --s3-no-etag-check with a falsified part ETag: the sink skips its ETag = MD5 check and
#     sends Complete, which the server refuses (InvalidPart): exit 4, HEAD 404, aborted;
#  m. s3-gc refusals: a listing that never advances (the proxy answers every page truncated
#     with the same next markers) and one larger than the client's 16 MiB cap: exit 4, named,
#     after 2 and 1 list requests; an --older-than too large for int64 seconds: exit 1.
# moto and the proxy are stopped by their PIDs at the end (trap).
set -u
CLI=$1
NODE=${2:-}
INTEROP=$3
GEN=${4:-}
WORK=$5
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/moto.sh"
moto_required
rm -rf "$WORK"; mkdir -p "$WORK"; cd "$WORK" || exit 1
MOTO_PID=""
PROXY_PID=""
READERS_PID=""
cleanup() {
  [ -n "$READERS_PID" ] && kill "$READERS_PID" 2>/dev/null
  [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null && wait "$PROXY_PID" 2>/dev/null
  [ -n "$MOTO_PID" ] && kill "$MOTO_PID" 2>/dev/null && wait "$MOTO_PID" 2>/dev/null
}
trap cleanup EXIT
moto_start
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
stage() { echo "== $* (at ${SECONDS} s)"; }
# s3py 'python statements' with `s3` a boto3 client
s3py() { python3 -c "import boto3,sys
s3=boto3.client('s3',endpoint_url='$EP',region_name='us-east-1')
$1"; }
head_status() { s3py "
try: s3.head_object(Bucket='archive',Key='$1'); print(200)
except Exception as e: print(e.response['Error']['Code'])"; }
pending() { s3py "print(len(s3.list_multipart_uploads(Bucket='archive').get('Uploads',[])))"; }
etag_of() { s3py "print(s3.head_object(Bucket='archive',Key='$1')['ETag'])"; }

stage "1. roundtrip"
# 1. roundtrip. 300,000 rows are 11.3 MB: 3 parts of 5 MiB (the last one short). More rows
# would only slow the value-by-value read below (verify.mjs holds every value in memory).
ROWS=300000
"$CLI" --sample $ROWS -o local.parquet --no-fsync 2>/dev/null || fail "local reference write"
if "$CLI" --sample $ROWS -o s3://archive/data/rt.parquet --s3-endpoint "$EP" --s3-part-size 5MiB 2>err.txt; then
  s3py "s3.download_file('archive','data/rt.parquet','rt.parquet')"
  if cmp -s local.parquet rt.parquet; then pass "roundtrip: $(stat -c %s rt.parquet) bytes, identical to the local output"
  else fail "roundtrip: downloaded object differs from the local output"; fi
  rows=$("$CLI" inspect rt.parquet --json | python3 -c 'import json,sys;print(json.load(sys.stdin)["rows"])' 2>/dev/null)
  [ "$rows" = "$ROWS" ] && pass "roundtrip: inspect reads $rows rows" || fail "roundtrip: inspect says '$rows' rows"
  etag=$(etag_of data/rt.parquet)
  case $etag in *-3\") pass "roundtrip: multipart ETag $etag (3 parts)" ;; *) fail "roundtrip: ETag $etag is not that of 3 parts" ;; esac
else
  fail "roundtrip write: $(cat err.txt)"
fi
[ "$(pending)" = 0 ] && pass "roundtrip: no pending upload" || fail "roundtrip: pending uploads left"

# 1b. The downloaded object read by independent readers, every value against the generator's
# arrays: interop_gen_cases dumps them (values.jsonl) as it writes the same canonical rows
# itself (the generator's rows do not depend on the batch size); verify.mjs compares. This
# takes ~25 s (one CPU), so it runs in the background beside the other checks; its verdict
# is collected at the end. It prints ok:/FAIL: lines and returns 1 on a failure.
readers_check() {
  if [ -z "$NODE" ] || ! "$NODE" --version >/dev/null 2>&1; then
    echo "FAIL: readers: node not found; DuckDB/arrow-rs cannot read the downloaded object"
    return 1
  fi
  if [ ! -d "$INTEROP/node_modules/@duckdb/node-api" ] || [ ! -d "$INTEROP/node_modules/parquet-wasm" ]; then
    echo "FAIL: readers: $INTEROP/node_modules lacks @duckdb/node-api or parquet-wasm: run 'npm ci' in $INTEROP"
    return 1
  fi
  if [ -z "$GEN" ] || [ ! -x "$GEN" ]; then
    echo "FAIL: readers: interop_gen_cases (the expected values) not given or not built: '$GEN'"
    return 1
  fi
  [ -s rt.parquet ] || { echo "FAIL: readers: no downloaded rt.parquet to read"; return 1; }
  mkdir -p expected readers
  "$GEN" expected --canonical-only $ROWS >expected/gen.log 2>&1 ||
    { echo "FAIL: readers: interop_gen_cases failed: $(cat expected/gen.log)"; return 1; }
  ln -f rt.parquet readers/rt.parquet
  mv expected/canonical_preset.values.jsonl readers/rt.values.jsonl
  # Column names, types and nullability from the harness's own case; metadata: ZSTD and each
  # row group's statistics (verify.mjs computes them from the expected values), every column.
  python3 -c 'import json,sys
spec=json.load(open(sys.argv[1]))
spec["metadata"]={"columns":{c["name"]:{"codec":"ZSTD","stats":True} for c in spec["columns"]}}
json.dump(spec,open(sys.argv[2],"w"))' expected/canonical_preset.expected.json readers/rt.expected.json
  rm -rf expected
  "$NODE" "$INTEROP/verify.mjs" readers --readers arrow-rs,duckdb >readers.log 2>&1
  local rc=$?
  sed 's/^/    /' readers.log
  if [ $rc = 0 ] && grep -Eq "^PASS +rt +arrow-rs +$ROWS rows" readers.log &&
    grep -Eq "^PASS +rt +duckdb +$ROWS rows" readers.log && grep -Eq '^PASS +rt +duckdb:metadata' readers.log &&
    grep -q '^0 limitations$' readers.log; then
    echo "ok: readers: arrow-rs and DuckDB read all $ROWS rows of the downloaded object, every value exact"
    rm -f readers/rt.values.jsonl
    return 0
  fi
  echo "FAIL: readers: verify.mjs exit $rc (see above)"
  return 1
}
readers_check >readers.out 2>&1 &
READERS_PID=$!

stage "2. mid-upload, SIGKILL, s3-gc"
"$CLI" --sample 3000000 -o s3://archive/data/killed.parquet --s3-endpoint "$EP" --s3-part-size 5MiB 2>/dev/null &
W=$!
for _ in $(seq 300); do grep -q 'killed.parquet?partNumber=2&' moto.log && break; sleep 0.05; done
kill -STOP $W
st=$(head_status data/killed.parquet)
[ "$st" = 404 ] && pass "mid-upload (2 parts sent, writer stopped): HEAD 404" || fail "mid-upload HEAD gave $st"
kill -KILL $W; wait $W 2>/dev/null
st=$(head_status data/killed.parquet)
[ "$st" = 404 ] && pass "after SIGKILL: HEAD 404" || fail "after SIGKILL HEAD gave $st"
[ "$(pending)" = 1 ] && pass "after SIGKILL: 1 pending upload" || fail "after SIGKILL: $(pending) pending uploads"
# moto 5.2.1 reports every upload as Initiated 2010-11-10T20:48:33Z (a fixed template value),
# so the age filter cannot be exercised here; --dry-run lists without aborting.
"$CLI" s3-gc s3://archive/data/ --older-than 1h --dry-run --s3-endpoint "$EP" >gc1.txt 2>&1
[ "$(pending)" = 1 ] && grep -q '^kept.*data/killed.parquet' gc1.txt && pass "s3-gc --dry-run lists and keeps it" || fail "s3-gc --dry-run: $(cat gc1.txt)"
"$CLI" s3-gc s3://archive/data/ --older-than 0s --s3-endpoint "$EP" >gc2.txt 2>&1 || fail "s3-gc 0s exit $?: $(cat gc2.txt)"
[ "$(pending)" = 0 ] && pass "s3-gc --older-than 0s aborted it" || fail "s3-gc: $(pending) pending uploads left"

stage "3. never overwrite"
before=$(s3py "print(s3.head_object(Bucket='archive',Key='data/rt.parquet')['ETag'])")
"$CLI" --sample 1000 -o s3://archive/data/rt.parquet --s3-endpoint "$EP" 2>err.txt
rc=$?
after=$(s3py "print(s3.head_object(Bucket='archive',Key='data/rt.parquet')['ETag'])")
[ $rc = 3 ] && pass "existing key: exit 3" || fail "existing key: exit $rc: $(cat err.txt)"
[ "$before" = "$after" ] && pass "existing key: object unchanged" || fail "existing key: ETag $before -> $after"
[ "$(pending)" = 0 ] && pass "existing key: upload aborted" || fail "existing key: pending upload left"

stage "4. refused key, wrong secret"
"$CLI" --sample 10 -o 's3://archive/data/a b.parquet' --s3-endpoint "$EP" 2>err.txt
rc=$?; [ $rc = 1 ] && pass "bad key: exit 1" || fail "bad key: exit $rc"
AWS_SECRET_ACCESS_KEY=wrong "$CLI" --sample 10 -o s3://archive/data/w.parquet --s3-endpoint "$EP" 2>err.txt
rc=$?; [ $rc = 4 ] && grep -q SignatureDoesNotMatch err.txt && pass "wrong secret: exit 4, 403" || fail "wrong secret: exit $rc: $(cat err.txt)"


# ---- fault injection through tests/s3/fault_proxy.py ------------------------------------------
python3 "$HERE/fault_proxy.py" "$EP" proxy.port >proxy.log 2>&1 &
PROXY_PID=$!
for _ in $(seq 100); do [ -s proxy.port ] && break; sleep 0.05; done
PX=http://127.0.0.1:$(cat proxy.port 2>/dev/null)
failed_cases=""
current=""
# cfail: a failed check of the current case; the case's first failure also shows its proxy log.
cfail() {
  fail "$current: $*"
  case " $failed_cases " in
    *" $current "*) ;;
    *) failed_cases="$failed_cases $current"
       [ -s "$current.log" ] && sed 's/^/    proxy log: /' "$current.log" ;;
  esac
}
cpass() { pass "$current: $*"; }
rules() { python3 -c "import urllib.request,sys
urllib.request.urlopen(urllib.request.Request('$PX/__proxy/rules',data=sys.argv[1].encode(),method='POST'))" "$1" ||
  cfail "cannot set the proxy rules"; }
# plog 'python expression over L, the proxy log (list of dicts)': prints its value. The log
# is the one saved by `fault` (NAME.json), or the proxy's current one.
plog() { python3 -c "import json,os,urllib.request
L=json.load(open('$current.json')) if os.path.exists('$current.json') else json.load(urllib.request.urlopen('$PX/__proxy/log'))
print($1)"; }
# The fault cases' data: 400,000 rows are 15.0 MB, 3 parts of 5 MiB (the last 4.3 MiB).
FROWS=400000
"$CLI" --sample $FROWS -o ref400.parquet --no-fsync 2>/dev/null || fail "local reference write ($FROWS rows)"
# fault NAME KEY RULES: writes FROWS rows to s3://archive/KEY through the proxy with RULES set.
# Leaves the exit code in $rc, stderr in NAME.err, the proxy log in NAME.json (and readable in
# NAME.log), and in one python run (boto3 is slow to import), straight from moto: $head (HEAD
# status of KEY), $npending (pending uploads in the bucket), the object in got.parquet.
fault() {
  current=$1
  stage "fault case $1"
  rules "$3"
  # shellcheck disable=SC2086 # FAULT_FLAGS: extra CLI flags for one case, split on purpose
  "$CLI" --sample $FROWS -o "s3://archive/$2" --s3-endpoint "$PX" --s3-part-size 5MiB --no-progress ${FAULT_FLAGS:-} 2>"$1.err"
  rc=$?
  rm -f got.parquet
  read -r head npending < <(s3py "import json,urllib.request
L=json.load(urllib.request.urlopen('$PX/__proxy/log'))
json.dump(L,open('$1.json','w'))
open('$1.log','w').write(''.join('%(n)s %(t).3fs %(method)s %(op)s part=%(part)s -> %(status)s %(fault)s\\n' % e for e in L))
try: s3.head_object(Bucket='archive',Key='$2'); head=200
except Exception as e: head=e.response['Error']['Code']
if head == 200: s3.download_file('archive','$2','got.parquet')
print(head, len(s3.list_multipart_uploads(Bucket='archive').get('Uploads',[])))")
}
# Checks every fault case makes: no 403 anywhere (a retried request must be signed validly
# again: a 403 there is a bug in the sink), nothing pending.
common() {
  local forbidden
  forbidden=$(plog "[(e['n'], e['op'], e['part']) for e in L if e['status'] == 403]")
  [ "$forbidden" = "[]" ] && cpass "no request got 403" || cfail "requests got 403 (a retry signed wrongly?): $forbidden"
  [ "$npending" = 0 ] && cpass "nothing pending" || cfail "$npending pending upload(s) left"
}
# published KEY: exit 0, and the object is the local reference, byte for byte.
published() {
  [ "$rc" = 0 ] && cpass "exit 0" || cfail "exit $rc: $(cat "$current.err")"
  cmp -s got.parquet ref400.parquet && cpass "object identical to the local reference" ||
    cfail "s3://archive/$1 missing or not identical to the local reference (HEAD $head)"
}
# refused KEY RC REGEX...: exit RC, stderr matches every extended REGEX, HEAD 404, aborted.
refused() {
  local key=$1 want=$2 re
  shift 2
  [ "$rc" = "$want" ] && cpass "exit $want" || cfail "exit $rc, expected $want: $(cat "$current.err")"
  for re in "$@"; do grep -Eq -- "$re" "$current.err" && cpass "stderr matches /$re/" || cfail "stderr does not match /$re/: $(cat "$current.err")"; done
  [ "$head" = 404 ] && cpass "HEAD 404" || cfail "HEAD of $key gave $head"
  local abort
  abort=$(plog "[e['status'] for e in L if e['op'] == 'abort']")
  [ "$abort" = "[204]" ] && cpass "the upload was aborted (DELETE ?uploadId: 204)" || cfail "abort requests: $abort"
}
# statuses OP [PART]: the HTTP statuses the client got for that operation, in order (0: no reply).
statuses() { plog "[e['status'] for e in L if e['op'] == '$1' and ('${2:-}' == '' or e['part'] == int('${2:-0}'))]"; }

# a. one 500 on part 2: retried.
fault a data/a.parquet '[{"kind": "part_500", "part": 2, "count": 1}]'
published data/a.parquet
s=$(statuses part 2)
[ "$s" = "[500, 200]" ] && cpass "part 2 sent twice: $s" || cfail "part 2 statuses $s, expected [500, 200]"
common

# b. 500 on every part: the part that fails first (part 1 when parts go one at a time; with
# parts in flight it may be another) was tried max_attempts = 5 times, no part got through,
# and the abort (DELETE ?uploadId) is the last whole request.
fault b data/b.parquet '[{"kind": "part_500"}]'
refused data/b.parquet 4 'UploadPart [0-9]+' 'HTTP 500' 'InternalError'
n=$(grep -Eo 'UploadPart [0-9]+' b.err | head -1 | cut -d' ' -f2)
s=$(statuses part "${n:-0}")
[ "$s" = "[500, 500, 500, 500, 500]" ] && cpass "UploadPart $n tried 5 times: $s" || cfail "part ${n:-?} statuses $s, expected 5 x 500"
s=$(plog "sorted(set(e['status'] for e in L if e['op'] == 'part'))")
[ "$s" = "[500]" ] && cpass "every part request got 500" || cfail "part statuses $s"
# (A part cancelled mid-body by the abort is logged when its body ends, possibly after the
# DELETE: only whole requests count.)
last=$(plog "[e for e in L if not e['cut']][-1]['op'] if L else ''")
[ "$last" = abort ] && cpass "the abort is the last whole request" || cfail "last whole request is '$last', not the abort"
[ "$(statuses complete)" = "[]" ] && cpass "no Complete sent" || cfail "Complete sent: $(statuses complete)"
common

# c. part 2's reply carries a wrong ETag: the part is taken as stored wrongly.
fault c data/c.parquet '[{"kind": "part_bad_etag", "part": 2}]'
refused data/c.parquet 4 'ETag' 'MD5' '[Pp]art 2'
[ "$(statuses complete)" = "[]" ] && cpass "no Complete sent" || cfail "Complete sent: $(statuses complete)"
common

# d. one 500 on Create, one on Complete.
fault d data/d.parquet '[{"kind": "create_500", "count": 1}, {"kind": "complete_500", "count": 1}]'
published data/d.parquet
s="$(statuses create) $(statuses complete)"
[ "$s" = "[500, 200] [500, 200]" ] && cpass "Create and Complete each retried: $s" || cfail "Create, Complete statuses $s"
common

# e. connection reset with no reply on part 2.
fault e data/e.parquet '[{"kind": "reset", "op": "part", "part": 2, "count": 1}]'
published data/e.parquet
s=$(statuses part 2)
[ "$s" = "[0, 200]" ] && cpass "part 2 sent again after the reset: $s" || cfail "part 2 statuses $s, expected [0, 200]"
common

# f. Complete committed by moto, its reply lost.
for v in "f1 200" "f2 412" "f3 404"; do
  set -- $v
  if [ "$2" = 200 ]; then r='[{"kind": "complete_drop", "count": 1}]'
  else r='[{"kind": "complete_drop", "count": 1, "then": '$2'}]'; fi
  fault "$1" "data/$1.parquet" "$r"
  published "data/$1.parquet"
  s=$(plog "[(e['status'], e.get('upstream')) for e in L if e['op'] == 'complete'][:1]")
  [ "$s" = "[(0, 200)]" ] && cpass "moto committed the first Complete, the client got no reply" ||
    cfail "first Complete (status to client, moto's status): $s"
  common
done
# f4. The Complete never reaches moto (reset) and another writer's object is at the key: the
# retry's 412 is real and the object is not ours.
current=f4
"$CLI" --sample 1000 -o s3://archive/data/f4.parquet --s3-endpoint "$EP" --no-progress 2>/dev/null || cfail "writing the foreign object"
before=$(etag_of data/f4.parquet)
fault f4 data/f4.parquet '[{"kind": "reset", "op": "complete", "count": 1}]'
[ "$rc" = 3 ] && cpass "exit 3" || cfail "exit $rc, expected 3: $(cat f4.err)"
grep -q 'already exists' f4.err && cpass "stderr says already exists" || cfail "stderr: $(cat f4.err)"
after=$(etag_of data/f4.parquet)
[ "$before" = "$after" ] && cpass "the foreign object is unchanged" || cfail "ETag $before -> $after"
s=$(statuses complete)
[ "$s" = "[0, 412]" ] && cpass "Complete reset, then 412: $s" || cfail "Complete statuses $s, expected [0, 412]"
common

stage "fault case g"
rm -f g.json # (g reads the proxy's current log)
# g. s3-gc --older-than through the proxy's Initiated rewrite (moto dates every upload 2010).
current=g
for name in old young; do
  "$CLI" --sample 3000000 -o "s3://archive/gc/$name.parquet" --s3-endpoint "$EP" --s3-part-size 5MiB 2>/dev/null &
  W=$!
  for _ in $(seq 300); do grep -q "gc/$name.parquet?partNumber=1&" moto.log && break; sleep 0.05; done
  kill -KILL $W
  wait $W 2>/dev/null
done
# (Prefix='gc/' through boto3 gets SignatureDoesNotMatch from moto 5.2.1: filter here instead.)
gcpending() { s3py "print(sorted(u['Key'] for u in s3.list_multipart_uploads(Bucket='archive').get('Uploads',[]) if u['Key'].startswith('gc/')))"; }
s=$(gcpending)
[ "$s" = "['gc/old.parquet', 'gc/young.parquet']" ] && cpass "two uploads pending after SIGKILL: $s" || cfail "pending: $s"
rules '[{"kind": "list_initiated", "match": "old.parquet", "age": 7200}]'
"$CLI" s3-gc s3://archive/gc/ --older-than 1h --s3-endpoint "$PX" >g.out 2>g.err
rc=$?
[ $rc = 0 ] && cpass "s3-gc exit 0" || cfail "s3-gc exit $rc: $(cat g.err)"
grep -Eq "^aborted	[^	]+	gc/old\.parquet	" g.out && cpass "the 2 h old upload: aborted" || cfail "no 'aborted … gc/old.parquet' line: $(cat g.out)"
grep -Eq "^kept	[^	]+	gc/young\.parquet	" g.out && cpass "the young upload: kept" || cfail "no 'kept … gc/young.parquet' line: $(cat g.out)"
[ "$(wc -l <g.out)" = 2 ] && cpass "2 lines" || cfail "expected 2 lines: $(cat g.out)"
s=$(gcpending)
[ "$s" = "['gc/young.parquet']" ] && cpass "only the young upload is still pending" || cfail "pending after s3-gc: $s"
s=$(plog "[(e['op'], e['path'] if e['op'] == 'abort' else e['fault'], e['status']) for e in L if e['op'] in ('abort', 'list')]")
[ "$s" = "[('list', 'list_initiated', 200), ('abort', '/archive/gc/old.parquet', 204)]" ] &&
  cpass "one list, one abort of gc/old.parquet" || cfail "list/abort requests: $s"
"$CLI" s3-gc s3://archive/gc/ --older-than 0s --s3-endpoint "$EP" >/dev/null 2>&1
[ "$(pending)" = 0 ] && cpass "the young one aborted at the end (--older-than 0s)" || cfail "$(pending) pending at the end"

# h. SIGINT mid-part: the CLI's handler only sets a flag; curl's progress callback cancels the
# part in flight, the CLI aborts the upload (DELETE ?uploadId) and exits 130.
current=h
stage "fault case h"
rules '[{"kind": "part_delay", "part": 2, "seconds": 20}]'
"$CLI" --sample $FROWS -o s3://archive/data/h.parquet --s3-endpoint "$PX" --s3-part-size 5MiB \
  --s3-parts-in-flight 1 --no-progress 2>h.err &
W=$!
for _ in $(seq 400); do
  [ "$(plog "len([e for e in L if e['op'] == 'part' and e['part'] == 2])")" = 1 ] && break
  sleep 0.05
done
t0=$(date +%s%N)
kill -INT $W
wait $W
rc=$?
elapsed_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $rc = 130 ] && cpass "exit 130" || cfail "exit $rc, expected 130: $(cat h.err)"
[ $elapsed_ms -lt 10000 ] && cpass "exited ${elapsed_ms} ms after SIGINT (part 2 held for 20 s)" ||
  cfail "took ${elapsed_ms} ms to exit after SIGINT: the part in flight was not cancelled"
read -r head npending < <(s3py "
try: s3.head_object(Bucket='archive',Key='data/h.parquet'); head=200
except Exception as e: head=e.response['Error']['Code']
print(head, len(s3.list_multipart_uploads(Bucket='archive').get('Uploads',[])))")
[ "$head" = 404 ] && cpass "HEAD 404" || cfail "HEAD of data/h.parquet gave $head"
s=$(plog "[e['status'] for e in L if e['op'] == 'abort']")
[ "$s" = "[204]" ] && cpass "the upload was aborted (DELETE ?uploadId: 204)" || cfail "abort requests: $s"
[ "$npending" = 0 ] && cpass "nothing pending" || cfail "$npending pending upload(s) left"

# i. The identical write twice: the first publishes; the second's Complete gets a 412 that is
# real (its first attempt was answered), so the object is not taken for its own although its
# multipart ETag is the same: exit 3, the object unchanged, the second upload aborted.
fault i0 data/dup.parquet '[]'
published data/dup.parquet
common
first=$(etag_of data/dup.parquet)
fault i data/dup.parquet '[]'
[ "$rc" = 3 ] && cpass "rerun: exit 3" || cfail "rerun: exit $rc, expected 3: $(cat i.err)"
grep -q 'already exists' i.err && cpass "rerun: stderr says already exists" || cfail "rerun: stderr: $(cat i.err)"
second=$(etag_of data/dup.parquet)
[ -n "$first" ] && [ "$first" = "$second" ] && cpass "rerun: object unchanged ($second)" || cfail "rerun: ETag '$first' -> '$second'"
cmp -s got.parquet ref400.parquet && cpass "rerun: object still the reference" || cfail "rerun: object differs (HEAD $head)"
s="$(statuses complete) $(statuses head) $(statuses abort)"
[ "$s" = "[412] [] [204]" ] && cpass "rerun: Complete 412, no HEAD, aborted: $s" ||
  cfail "rerun: Complete, HEAD, abort statuses $s, expected [412] [] [204]"
common

# j. The first Complete committed by moto, its reply lost; every retry gets 500. Only the
# HeadObject check can tell: the object's ETag is the multipart ETag of our parts.
fault j data/j.parquet '[{"kind": "complete_drop", "count": 1}, {"kind": "complete_500"}]'
published data/j.parquet
s=$(plog "[(e['status'], e.get('upstream')) for e in L if e['op'] == 'complete']")
case $s in "[(0, 200), (500, None)"*) cpass "Complete: committed unseen, then 500s: $s" ;; *) cfail "Complete (status, moto's status): $s" ;; esac
s=$(plog "[e['status'] for e in L if e['op'] == 'head' and e['n'] > max([c['n'] for c in L if c['op'] == 'complete'] or [10**9])]")
case $s in *200*) cpass "HEAD after the last Complete: $s" ;; *) cfail "no HEAD 200 after the last Complete: $s (HEADs: $(statuses head))" ;; esac
common

# k. As j, and every HEAD reset: the sink cannot know whether the object is its own.
fault k data/k.parquet '[{"kind": "complete_drop", "count": 1}, {"kind": "complete_500"}, {"kind": "reset", "op": "head"}]'
[ "$rc" = 4 ] && cpass "exit 4" || cfail "exit $rc, expected 4: $(cat k.err)"
grep -q 'outcome unknown' k.err && cpass "stderr says outcome unknown" || cfail "stderr lacks 'outcome unknown': $(cat k.err)"
grep -qF 's3://archive/data/k.parquet' k.err && cpass "stderr names s3://archive/data/k.parquet" || cfail "stderr lacks the URL: $(cat k.err)"
[ "$head" = 200 ] && cpass "moto has the object (HEAD 200 direct): not claiming 'nothing published' was right" ||
  cfail "HEAD straight from moto gave $head; the first Complete should have committed"
s=$(statuses head)
case $s in "[0"*) cpass "HEADs reset: $s" ;; *) cfail "HEAD statuses $s, expected resets (0)" ;; esac
common

# o. As j with --s3-no-etag-check, and HeadObject answering an opaque ETag as an SSE-KMS
# bucket does: the sink cannot identify the object, so it must say "outcome unknown",
# neither "published" nor "already exists".
FAULT_FLAGS=--s3-no-etag-check fault o data/o.parquet '[{"kind": "complete_drop", "count": 1}, {"kind": "complete_500"}, {"kind": "head_opaque_etag"}]'
[ "$rc" = 4 ] && cpass "exit 4" || cfail "exit $rc, expected 4: $(cat o.err)"
grep -q 'outcome unknown' o.err && cpass "stderr says outcome unknown" || cfail "stderr lacks 'outcome unknown': $(cat o.err)"
grep -q 'cannot be identified' o.err && cpass "stderr says the object cannot be identified" || cfail "stderr: $(cat o.err)"
[ "$head" = 200 ] && cpass "moto has the object (HEAD 200 direct)" || cfail "HEAD straight from moto gave $head"
common

# l. A Complete answered 200 with an <Error> body: not a success; retried.
fault l data/l.parquet '[{"kind": "complete_200_error", "count": 1}]'
published data/l.parquet
s=$(statuses complete)
[ "$s" = "[200, 200]" ] && cpass "Complete retried after the 200 with <Error>: $s" || cfail "Complete statuses $s, expected [200, 200]"
common

# n. --s3-no-etag-check (for SSE-KMS buckets, whose ETags are not MD5s) really skips the
# ETag = MD5 check: part 2's falsified ETag is taken as given, so the sink sends Complete,
# and the server's own check of the part list refuses it (InvalidPart): exit 4, nothing
# published, nothing pending. Without the flag this is case c (refused at part 2).
FAULT_FLAGS=--s3-no-etag-check fault n data/n.parquet '[{"kind": "part_bad_etag", "part": 2}]'
refused data/n.parquet 4 'CompleteMultipartUpload' 'InvalidPart'
grep -q "is not the part's MD5" n.err && cfail "the ETag check ran despite --s3-no-etag-check: $(cat n.err)" ||
  cpass "no ETag = MD5 refusal"
s=$(statuses complete)
[ "$s" = "[400]" ] && cpass "Complete sent once and refused by the server: $s" || cfail "Complete statuses $s, expected [400]"
common

# m. s3-gc refuses what it cannot trust. `timeout`: a listing loop that never ends fails here
# (exit 124) instead of hanging the test.
current=m
stage "fault case m"
rules '[{"kind": "list_stuck", "key_marker": "gc/stuck.parquet", "upload_id_marker": "stuck-upload-id"}]'
timeout 30 "$CLI" s3-gc s3://archive/gc/ --older-than 1h --dry-run --s3-endpoint "$PX" >m.out 2>m.err
rc=$?
[ $rc = 4 ] && cpass "stuck listing: exit 4" || cfail "stuck listing: exit $rc, expected 4: $(cat m.err)"
grep -q 'does not advance' m.err && grep -qF 'gc/stuck.parquet' m.err && cpass "stuck listing: 'does not advance', marker named" ||
  cfail "stuck listing: stderr: $(cat m.err)"
s=$(plog "len([e for e in L if e['op'] == 'list'])")
[ "$s" = 2 ] && cpass "stuck listing: 2 list requests" || cfail "stuck listing: $s list requests, expected 2"
rules '[{"kind": "list_oversize"}]'
timeout 30 "$CLI" s3-gc s3://archive/gc/ --older-than 1h --dry-run --s3-endpoint "$PX" >m.out 2>m.err
rc=$?
[ $rc = 4 ] && cpass "oversized listing: exit 4" || cfail "oversized listing: exit $rc, expected 4: $(cat m.err)"
grep -q 'ListMultipartUploads reply cut' m.err && cpass "oversized listing: reported as cut" || cfail "oversized listing: stderr: $(cat m.err)"
s=$(plog "[e['status'] for e in L if e['op'] == 'list']")
[ "$s" = "[200]" ] && cpass "oversized listing: 1 list request" || cfail "oversized listing: list statuses $s, expected [200]"
rules '[]'
for d in 106751991167301d 2562047788015216h 9223372036854775808s 99999999999999999999999m; do
  "$CLI" s3-gc s3://archive/gc/ --older-than $d --dry-run --s3-endpoint "$PX" >m.out 2>m.err
  rc=$?
  [ $rc = 1 ] && grep -q 'too large' m.err || cfail "--older-than $d: exit $rc, expected 1 'too large': $(cat m.err)"
done
"$CLI" s3-gc s3://archive/gc/ --older-than 106751991167300d --dry-run --s3-endpoint "$PX" >m.out 2>m.err ||
  cfail "--older-than 106751991167300d (the largest): exit $?: $(cat m.err)"
s=$(plog "len(L)")
[ "$s" = 1 ] && cpass "--older-than too large: exit 1 before any request; the largest accepted" ||
  cfail "requests after the --older-than checks: $s, expected 1 (the largest one's listing)"

stage "1b. independent readers (waiting for them)"
wait $READERS_PID || failures=$((failures + 1))
READERS_PID=""
cat readers.out
stage end
echo "s3: $failures failure(s)${failed_cases:+ in cases:$failed_cases}"
[ $failures = 0 ]
