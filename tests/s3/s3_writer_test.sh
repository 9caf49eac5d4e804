#!/usr/bin/env bash
# Runs tests/s3/s3_writer_test.c (the public S3 API) against moto_server with signature
# checking on, started the way tests/s3/s3_test.sh starts it: a free port on 127.0.0.1,
# INITIAL_NO_AUTH_ACTION_COUNT=3, moto_setup.py for the user, key and bucket; moto is
# stopped by its PID (trap).
# usage: s3_writer_test.sh TEST_BINARY WORK_DIR     exit 77 (skipped) without moto_server or boto3.
set -u
BIN=$1
WORK=$2
command -v moto_server >/dev/null 2>&1 || { echo "SKIP: moto_server not on PATH"; exit 77; }
python3 -c 'import boto3' 2>/dev/null || { echo "SKIP: python3 boto3 missing"; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf "$WORK"; mkdir -p "$WORK"; cd "$WORK" || exit 1
MOTO_PID=""
cleanup() { [ -n "$MOTO_PID" ] && kill "$MOTO_PID" 2>/dev/null && wait "$MOTO_PID" 2>/dev/null; }
trap cleanup EXIT
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
INITIAL_NO_AUTH_ACTION_COUNT=3 moto_server -H 127.0.0.1 -p "$PORT" >moto.log 2>&1 &
MOTO_PID=$!
EP=http://127.0.0.1:$PORT
for _ in $(seq 100); do python3 -c "import urllib.request;urllib.request.urlopen('$EP/moto-api/')" 2>/dev/null && break; sleep 0.1; done
python3 "$HERE/moto_setup.py" "$EP" archive >creds.sh || { echo "FAIL: moto setup"; exit 1; }
. ./creds.sh
export S3_TEST_ENDPOINT=$EP S3_TEST_BUCKET=archive S3_TEST_DIR=$WORK
"$BIN"
