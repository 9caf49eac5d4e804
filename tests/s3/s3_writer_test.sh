#!/usr/bin/env bash
# Runs tests/s3/s3_writer_test.c (the public S3 API) against moto_server with signature
# checking on (tests/s3/moto.sh, as for s3_test.sh); moto is stopped by its PID (trap).
# usage: s3_writer_test.sh TEST_BINARY WORK_DIR     exit 77 (skipped) without moto_server or boto3.
set -u
BIN=$1
WORK=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/moto.sh"
moto_required
rm -rf "$WORK"; mkdir -p "$WORK"; cd "$WORK" || exit 1
MOTO_PID=""
cleanup() { [ -n "$MOTO_PID" ] && kill "$MOTO_PID" 2>/dev/null && wait "$MOTO_PID" 2>/dev/null; }
trap cleanup EXIT
moto_start
export S3_TEST_ENDPOINT=$EP S3_TEST_BUCKET=archive S3_TEST_DIR=$WORK
"$BIN"
