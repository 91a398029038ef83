#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A misbehaving OCSP responder for the tests: fake-ocsp.py PORT MODE

MODE  garbage  HTTP 200 with bytes that are not an OCSP response
      huge     HTTP 200 with 2 MiB (more than kartd takes)
      error    HTTP 500
      hang     accepts connections and never answers
      replay   HTTP 200 with the bytes of the file named by $FAKE_OCSP_REPLAY
Each request is logged on stdout as "request LENGTH"."""
import http.server
import os
import socket
import sys

port, mode = int(sys.argv[1]), sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(n)
        print("request", n, flush=True)
        if mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        if mode == "garbage":
            body = b"<html>this is not an OCSP response</html>" * 3
        elif mode == "huge":
            body = b"\x30" * (2 * 1024 * 1024)
        else:
            with open(os.environ["FAKE_OCSP_REPLAY"], "rb") as f:
                body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/ocsp-response")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


if mode == "hang":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    print("listening", flush=True)
    held = []
    while True:
        c, _ = s.accept()
        print("request held", flush=True)
        held.append(c)
else:
    http.server.HTTPServer.allow_reuse_address = True
    srv = http.server.HTTPServer(("127.0.0.1", port), Handler)
    print("listening", flush=True)
    srv.serve_forever()
