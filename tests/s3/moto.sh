# Sourced by the S3 test scripts (s3_test.sh, s3_writer_test.sh): one way to get a moto
# server with signature checking on. Needs HERE (this folder) and the work folder as the
# current directory.
#   moto_required: exit 77 (CTest: skipped, with the reason) without moto_server or boto3.
#   moto_start:    moto on 127.0.0.1 at a free port with INITIAL_NO_AUTH_ACTION_COUNT=3
#                  (moto_setup.py spends those three unsigned calls on an IAM user and key;
#                  every request after them is signed and checked), the bucket "archive",
#                  the AWS_* credentials exported; sets EP and MOTO_PID. The caller's EXIT
#                  trap stops moto by that PID.
moto_required() {
  command -v moto_server >/dev/null 2>&1 || { echo "SKIP: moto_server not on PATH"; exit 77; }
  python3 -c 'import boto3' 2>/dev/null || { echo "SKIP: python3 boto3 missing"; exit 77; }
}

moto_start() {
  local port
  port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  INITIAL_NO_AUTH_ACTION_COUNT=3 moto_server -H 127.0.0.1 -p "$port" >moto.log 2>&1 &
  MOTO_PID=$!
  EP=http://127.0.0.1:$port
  for _ in $(seq 100); do python3 -c "import urllib.request;urllib.request.urlopen('$EP/moto-api/')" 2>/dev/null && break; sleep 0.1; done
  python3 "$HERE/moto_setup.py" "$EP" archive >creds.sh || { echo "FAIL: moto setup"; exit 1; }
  . ./creds.sh
}
