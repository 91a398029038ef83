#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A misbehaving CA backend (protocol v1) for the tests:
fake-backend.py PORT CERT KEY MODEFILE

Over TLS with CERT/KEY on 127.0.0.1:PORT it goes along with an unblock
session (creation, second factor, result, DELETE) and answers the
authorization according to the first word of MODEFILE, read per request:

MODE      the authorization's answer
types     201 with the fields of the wrong JSON types
badhex    201 with an uppercase, too short cryptogram
huge      201 with a valid authorization padded past 64 KiB (kartd's cap)
redirect  307 to the same path (no body)
Each request is logged on stdout as one JSON line: method, path, body."""
import http.server
import json
import ssl
import sys

port, cert, key, modefile = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
SESSION = {"session_id": "fs-1", "session_token": "ft-1", "state": "awaiting_second_factor",
           "expires_in": 600, "second_factor": {"methods": [{"type": "password"}]},
           "pin_policy": {"min": 6, "max": 8, "charset": "digits"}, "max_authorizations": 3}
GOOD = {"authorization_id": "fa-1", "cryptogram": "00" * 16, "expires_in": 30, "authorizations_left": 2}


def authorization(mode):
    if mode == "types":
        return 201, {"authorization_id": 7, "cryptogram": ["00"], "expires_in": "30"}
    if mode == "badhex":
        return 201, dict(GOOD, cryptogram="ABCDEF" * 5)
    if mode == "huge":
        return 201, dict(GOOD, padding="x" * (100 * 1024))
    return 307, None


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, obj, location=None):
        body = json.dumps(obj).encode() if obj is not None else b""
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        if obj is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log(self, body):
        print(json.dumps({"method": self.command, "path": self.path, "body": body}), flush=True)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        self.log(body)
        with open(modefile) as f:
            mode = f.read().split()[0]
        if self.path == "/v1/unblock/sessions":
            self.answer(201, SESSION)
        elif self.path.endswith("/second-factor/verify"):
            self.answer(200, {"state": "authorized_to_unblock"})
        elif self.path.endswith("/authorizations"):
            status, obj = authorization(mode)
            self.answer(status, obj, self.path if status == 307 else None)
        elif self.path.endswith("/result"):
            self.answer(200, {"state": "awaiting_retry", "audit_id": "fa-audit"})
        else:
            self.answer(404, {"error": {"code": "not_found", "message": "no such path", "request_id": "f"}})

    def do_DELETE(self):
        self.log("")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer.allow_reuse_address = True
server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print("listening", flush=True)
server.serve_forever()
