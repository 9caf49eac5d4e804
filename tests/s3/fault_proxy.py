#!/usr/bin/env python3
"""HTTP/1.1 forward proxy in front of moto_server that injects S3 faults (tests/s3/s3_test.sh).

usage: fault_proxy.py UPSTREAM_URL PORT_FILE [RULES_JSON]
  Listens on 127.0.0.1 at a free port, writes the port to PORT_FILE once it accepts
  connections, and forwards every request to UPSTREAM_URL (http://127.0.0.1:PORT).

Requests go upstream byte-for-byte: method, path and query exactly as received, the body, and
every header in its order and spelling -- above all Host: SigV4 signs it and moto checks the
signature against the Host it receives, so rewriting it would turn every request into a 403.
Only hop-by-hop headers (Connection, Keep-Alive, ...) stay between client and proxy. Replies
come back unchanged (status, headers, body) unless a rule fires.

Control (not forwarded):
  POST /__proxy/rules  body: a JSON list of rules; replaces the rules, their counters and the log
  GET  /__proxy/log    JSON list, one entry per forwarded or faulted request: n, method, path,
                       query, op, part, status (0 when no reply was sent), fault (rule kind or
                       null), upstream (moto's status, when forwarded), t (seconds since the
                       rules were set, once the body is read), cut (the body ended early: the
                       client cancelled the request)
A rule is {"kind": K, ...} with optional filters "part" (partNumber), "request" (the Nth request
since the rules were set, 1-based) and "count" (times it fires; absent or -1: always). Kinds:
  part_500       500 InternalError for UploadPart (PUT ?partNumber=...), not forwarded
  part_bad_etag  UploadPart forwarded, the reply's ETag header replaced by a wrong MD5
  create_500     500 for CreateMultipartUpload (POST ?uploads=), not forwarded
  complete_500   500 for CompleteMultipartUpload (POST ?uploadId= without partNumber), not forwarded
  complete_200_error  200 for Complete with an <Error><Code>InternalError</Code> body (S3 reports a
                 Complete that failed after it started that way), not forwarded
  complete_drop  Complete forwarded (moto commits), then the connection closed with no reply.
                 moto answers a repeated Complete of a completed upload with 200 (idempotent);
                 "then": 404 or 412 makes the proxy answer later Completes of that upload with
                 NoSuchUpload / PreconditionFailed instead, as a store without that idempotence
                 does (S3 forgets completed upload ids; If-None-Match: * then sees our object)
  head_opaque_etag  HeadObject forwarded, its ETag replaced by an opaque one (as SSE-KMS buckets
                 give, which is not the MD5 of anything)
  part_delay     UploadPart held "seconds" before it is forwarded (a slow link: lets a test
                 interrupt the writer while a part is in flight)
  reset          any request (filter with "request"/"part"/"op", e.g. "op": "head"): closed with a
                 TCP RST, no reply, not forwarded
  list_initiated ListMultipartUploads (GET ?uploads) forwarded, each <Initiated> rewritten:
                 uploads whose key contains "match" to now - "age" seconds, the others to now
                 (moto 5.2.1 reports every upload as initiated 2010-11-10, so ages are untestable
                 without this)
  list_stuck     ListMultipartUploads forwarded, the reply made truncated with NextKeyMarker and
                 NextUploadIdMarker set to the rule's "key_marker" / "upload_id_marker" every time:
                 a server whose listing never advances
  list_oversize  ListMultipartUploads forwarded, its reply padded with "bytes" (default 17 MiB) of
                 blanks before the closing tag: more than the client keeps (16 MiB)
"""
import datetime
import http.client
import http.server
import json
import os
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade"}
# Which rule kinds apply to which S3 operation (None: any operation).
KIND_OP = {"part_500": "part", "part_bad_etag": "part", "part_delay": "part", "head_opaque_etag": "head", "create_500": "create", "complete_500": "complete",
           "complete_200_error": "complete", "complete_drop": "complete", "list_initiated": "list",
           "list_stuck": "list", "list_oversize": "list", "reset": None}
ERROR_500 = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>'
             b"<Message>We encountered an internal error. Please try again. (fault_proxy)</Message></Error>")

lock = threading.Lock()
# dropped: uploadId -> the status its later Completes get (complete_drop's "then")
state = {"rules": [], "log": [], "seen": 0, "dropped": {}, "t0": time.monotonic()}
AFTER_DROP = {404: b"<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>",
              412: b"<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you "
                   b"specified did not hold</Message><Condition>If-None-Match</Condition></Error>"}


def classify(method, query):
    """The S3 operation of a path-style request, from its method and query keys."""
    q = urllib.parse.parse_qs(query, keep_blank_values=True)
    part = int(q["partNumber"][0]) if "partNumber" in q else None
    if method == "PUT" and part is not None:
        return "part", part
    if method == "POST" and "uploads" in q:
        return "create", None
    if method == "POST" and "uploadId" in q:
        return "complete", None
    if method == "DELETE" and "uploadId" in q:
        return "abort", None
    if method == "GET" and "uploads" in q:
        return "list", None
    return method.lower(), None


def take_rule(op, part, n):
    """The first rule matching this request, its counter consumed (under `lock`)."""
    for rule in state["rules"]:
        want = rule.get("op", KIND_OP.get(rule["kind"]))
        if want is not None and want != op:
            continue
        if "part" in rule and rule["part"] != part:
            continue
        if "request" in rule and rule["request"] != n:
            continue
        if rule.get("count", -1) == 0:
            continue
        if rule.get("count", -1) > 0:
            rule["count"] -= 1
        return rule
    return None


def rewrite_initiated(body, rule):
    """Sets each <Upload>'s <Initiated> from its <Key> (see list_initiated)."""
    now = datetime.datetime.now(datetime.timezone.utc)

    def one(m):
        upload = m.group(0)
        key = re.search(rb"<Key>(.*?)</Key>", upload)
        age = rule.get("age", 7200) if key and rule["match"].encode() in key.group(1) else 0
        when = (now - datetime.timedelta(seconds=age)).strftime("%Y-%m-%dT%H:%M:%S.000Z").encode()
        return re.sub(rb"<Initiated>.*?</Initiated>", b"<Initiated>" + when + b"</Initiated>", upload)
    return re.sub(rb"<Upload>.*?</Upload>", one, body, flags=re.S)


def make_stuck(body, rule):
    """Truncated, with the same next-page markers whatever was asked (see list_stuck)."""
    for tag, value in (("NextUploadIdMarker", rule.get("upload_id_marker", "stuck-upload-id")),
                       ("NextKeyMarker", rule.get("key_marker", "stuck/key.parquet")), ("IsTruncated", "true")):
        element = b"<%s>%s</%s>" % (tag.encode(), value.encode(), tag.encode())
        body, n = re.subn(rb"<%s>.*?</%s>|<%s\s*/>" % ((tag.encode(),) * 3), element, body, flags=re.S)
        if not n:  # moto 5.2.1 sends no Next*Marker: insert them first thing in the result
            body = re.sub(rb"(<ListMultipartUploadsResult[^>]*>)", lambda m: m.group(1) + element, body, count=1)
    return body


class Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1: keep-alive, as curl expects. It also makes the handler answer curl's
    # "Expect: 100-continue" (sent with 5 MiB parts) itself; the header still goes upstream
    # and http.client skips moto's interim 100.
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet: the test reads /__proxy/log
        pass

    def reply(self, status, body, headers=(), content_type="application/xml"):
        self.send_response_only(status)
        for name, value in headers:
            self.send_header(name, value)
        if not any(n.lower() == "content-type" for n, _ in headers):
            self.send_header("Content-Type", content_type)
        if not any(n.lower() == "content-length" for n, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def hang_up(self, rst):
        """Close without a reply; with rst, abortively (SO_LINGER 0 -> RST instead of FIN)."""
        if rst:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.close_connection = True
        self.connection.close()

    def handle_one(self):
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""  # read fully even when faulting
        if path == "/__proxy/rules" and self.command == "POST":
            with lock:
                state.update(rules=json.loads(body or b"[]"), log=[], seen=0, dropped={}, t0=time.monotonic())
            return self.reply(200, b"{}", content_type="application/json")
        if path == "/__proxy/log" and self.command == "GET":
            with lock:
                data = json.dumps(state["log"]).encode()
            return self.reply(200, data, content_type="application/json")
        op, part = classify(self.command, query)
        with lock:
            state["seen"] += 1
            # cut: the client hung up mid-body (a cancelled upload). Such a request is logged
            # when its body ends, so it can appear after requests the client sent later.
            entry = {"cut": len(body) < length,
                     "n": state["seen"], "t": round(time.monotonic() - state["t0"], 3), "method": self.command,
                     "path": path, "query": query, "op": op, "part": part, "status": 0, "fault": None}
            state["log"].append(entry)
            rule = take_rule(op, part, entry["n"])
            upload_id = urllib.parse.parse_qs(query).get("uploadId", [""])[0]
            then = state["dropped"].get(upload_id) if op == "complete" else None
        kind = rule["kind"] if rule else None
        entry["fault"] = kind
        if then and not rule:
            entry["status"], entry["fault"] = then, f"after_drop_{then}"
            return self.reply(then, AFTER_DROP[then])
        if kind == "reset":
            return self.hang_up(rst=True)
        if kind in ("part_500", "create_500", "complete_500"):
            entry["status"] = 500
            return self.reply(500, ERROR_500)
        if kind == "complete_200_error":
            entry["status"] = 200
            return self.reply(200, ERROR_500)
        if kind == "part_delay":
            time.sleep(rule.get("seconds", 5))
        status, headers, data = self.forward(body)
        entry["upstream"] = status  # what moto answered, also when the client gets nothing
        if kind == "complete_drop":
            if rule.get("then") in AFTER_DROP and status == 200:
                with lock:
                    state["dropped"][upload_id] = rule["then"]
            return self.hang_up(rst=False)  # moto has committed; the client never hears of it
        if kind == "part_bad_etag":
            headers = [(n, '"0123456789abcdef0123456789abcdef"' if n.lower() == "etag" else v) for n, v in headers]
        if kind == "head_opaque_etag":  # what an SSE-KMS bucket answers: not an MD5 of anything
            headers = [(n, '"kms-3f1a9c0e5b7d4e2a8c6b0d9f1e3a5c7b-3"' if n.lower() == "etag" else v) for n, v in headers]
        if kind in ("list_initiated", "list_stuck", "list_oversize") and status == 200:
            if kind == "list_initiated":
                data = rewrite_initiated(data, rule)
            elif kind == "list_stuck":
                data = make_stuck(data, rule)
            else:
                cut = data.rfind(b"</")
                data = data[:cut] + b" " * rule.get("bytes", 17 << 20) + data[cut:]
            headers = [(n, str(len(data)) if n.lower() == "content-length" else v) for n, v in headers]
        entry["status"] = status
        self.reply(status, data, headers)

    def forward(self, body):
        """One upstream request with the client's exact headers; returns status, headers, body."""
        up = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=120)
        try:
            up.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.raw_items():
                if name.lower() not in HOP_BY_HOP:
                    up.putheader(name, value)
            up.endheaders(body if body else None)
            resp = up.getresponse()  # skips any interim 100 Continue
            data = resp.read()
            headers = [(n, v) for n, v in resp.getheaders() if n.lower() not in HOP_BY_HOP]
            return resp.status, headers, data
        finally:
            up.close()

    # Every method goes through handle_one.
    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_one


if __name__ == "__main__":
    UPSTREAM = urllib.parse.urlsplit(sys.argv[1])
    if len(sys.argv) > 3:
        state["rules"] = json.loads(sys.argv[3])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])  # the test never sees a half-written port
    server.serve_forever()
