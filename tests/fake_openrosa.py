#!/usr/bin/env python3
"""A small OpenRosa submission receiver for doorstep's tests, on 127.0.0.1.

It behaves as ODK Central does: it parses the multipart body, checks the
headers and the XML, keeps submissions by instanceID, answers an identical
resend with 201 (or 202 "Duplicate Instance" as KoboToolbox, with --kobo)
and a different body under a known instanceID with 409. It can be told to
fail, always (--mode) or at random with a fixed seed (--faults).

It writes its port to --port-file, keeps what it received under --store,
and stops by itself after --lifetime seconds.
"""
import argparse
import base64
import email.parser
import email.policy
import hashlib
import json
import os
import random
import socket
import sys
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"stored": {}, "requests": 0, "duplicates": 0, "conflicts": 0,
         "faults": {}, "bad": [], "connections": set()}


def response(message, nature="submit_success"):
    return ('<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
            '<message nature="%s">%s</message></OpenRosaResponse>'
            % (nature, message)).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's
        # algorithm and the client's delayed ACK add 40 ms to each reply.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def reply(self, code, body=b"", ctype="text/xml; charset=utf-8"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-OpenRosa-Version", "1.0")
        self.end_headers()
        self.wfile.write(body)

    def drop(self):
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True

    def do_GET(self):
        if self.path == "/stats":
            with LOCK:
                s = {k: v for k, v in STATE.items()
                     if k not in ("stored", "connections")}
                s["instances"] = len(STATE["stored"])
                s["connections"] = len(STATE["connections"])
            self.reply(200, json.dumps(s).encode(), "application/json")
        else:
            self.reply(404, response("not found", "error"))

    def do_POST(self):
        opts = self.server.opts
        with LOCK:
            STATE["requests"] += 1
            STATE["connections"].add(self.client_address)
            fault = None
            if opts.faults:
                r = self.server.rng.random()
                acc = 0.0
                for name, p in opts.faults.items():
                    acc += p
                    if r < acc:
                        fault = name
                        break
            if fault:
                STATE["faults"][fault] = STATE["faults"].get(fault, 0) + 1
        length = int(self.headers.get("Content-Length", "0"))
        if fault == "drop":          # the connection breaks mid-body
            self.rfile.read(max(1, length // 2))
            return self.drop()
        body = self.rfile.read(length)
        mode = opts.mode
        if mode == "fast":             # benchmarks: measure the client
            return self.reply(201, response("ok"))
        if mode == "401" or (opts.user and not self.authorized()):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "413":
            return self.reply(413, response("Submission too large", "error"))
        if mode == "404":
            return self.reply(404, response("Project not found", "error"))
        if mode == "html200":          # a captive portal
            return self.reply(200, b"<html><body>Log in to Wi-Fi</body></html>",
                              "text/html")
        if mode == "500" or fault == "500":
            return self.reply(500, b"<html>Internal error</html>", "text/html")
        problem = self.check_headers()
        if problem:
            with LOCK:
                STATE["bad"].append(problem)
            return self.reply(400, response(problem, "error"))
        xml, problem = self.parse(body)
        if problem:
            with LOCK:
                STATE["bad"].append(problem)
            return self.reply(400, response(problem, "error"))
        iid = xml[1]
        digest = hashlib.sha256(xml[0]).hexdigest()
        with LOCK:
            known = STATE["stored"].get(iid)
            if known is None:
                STATE["stored"][iid] = digest
                if opts.store:
                    with open(os.path.join(opts.store, iid.replace(":", "_")),
                              "wb") as f:
                        f.write(xml[0])
                code = 201
            elif known == digest:
                STATE["duplicates"] += 1
                code = 202 if opts.kobo else 201
            else:
                STATE["conflicts"] += 1
                code = 409
        if fault == "drop_after":     # stored, but the answer never comes
            return self.drop()
        if fault == "slow":           # stored, answered after the timeout
            time.sleep(opts.slow)
        if code == 409:
            return self.reply(409, response(
                "A submission already exists with this ID, but with "
                "different XML", "error"))
        if code == 202:
            return self.reply(202, response("Duplicate submission"))
        return self.reply(201, response("full submission upload was "
                                        "successful!"))

    def authorized(self):
        auth = self.headers.get("Authorization", "")
        want = base64.b64encode(("%s:%s" % (self.server.opts.user,
                                            self.server.opts.password))
                                .encode()).decode()
        return auth == "Basic " + want

    def check_headers(self):
        if self.headers.get("X-OpenRosa-Version") != "1.0":
            return "missing header X-OpenRosa-Version: 1.0"
        if not self.headers.get("Date"):
            return "missing header Date"
        if not self.headers.get("Content-Type", "").startswith(
                "multipart/form-data"):
            return "not multipart/form-data"
        return None

    def parse(self, body):
        head = ("Content-Type: %s\r\n\r\n" %
                self.headers.get("Content-Type")).encode()
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            head + body)
        part = None
        for p in msg.iter_parts():
            if p.get_param("name", header="content-disposition") == \
                    "xml_submission_file":
                part = p
        if part is None:
            return None, "no xml_submission_file part"
        if part.get_content_type() != "text/xml":
            return None, "xml_submission_file is not text/xml"
        data = part.get_payload(decode=True)
        try:
            root = ET.fromstring(data)
        except ET.ParseError as e:
            return None, "not XML: %s" % e
        if root.get("id") != root.tag or not root.get("version"):
            return None, "root element needs id (its own name) and version"
        iid = root.findtext("meta/instanceID")
        if not iid or not iid.startswith("uuid:"):
            return None, "no meta/instanceID"
        return (data, iid), None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--store")
    ap.add_argument("--mode", default="ok")
    ap.add_argument("--kobo", action="store_true")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--faults", default="",
                    help="e.g. 500=0.1,drop=0.1,drop_after=0.05,slow=0.02")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--slow", type=float, default=2.5)
    ap.add_argument("--lifetime", type=float, default=300)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"),
                    help="serve HTTPS with this certificate and key")
    opts = ap.parse_args()
    opts.faults = {k: float(v) for k, v in
                   (f.split("=") for f in opts.faults.split(",") if f)}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.opts = opts
    server.rng = random.Random(opts.seed)
    if opts.tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts.tls[0], opts.tls[1])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    tmp = opts.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, opts.port_file)
    threading.Timer(opts.lifetime, server.shutdown).start()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
