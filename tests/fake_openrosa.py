#!/usr/bin/env python3
"""A small OpenRosa submission receiver for doorstep's tests, on 127.0.0.1.

It behaves as ODK Central does: it parses the multipart body, checks the
headers and the XML, keeps submissions by instanceID, answers an identical
resend with 201 (or 202 "Duplicate Instance" as KoboToolbox, with --kobo)
and a different body under a known instanceID with 409. It can be told to
fail, always (--mode) or at random with a fixed seed (--faults).

Its replies are those of ODK Central (see central-replies.md): the same
body template, natures, messages and headers; 401 without WWW-Authenticate.
Hostile modes stand for servers that misbehave: --mode trickle answers 2
bytes a second for ever, --mode nothttp writes something that is not HTTP
and closes, --mode escape puts terminal escape sequences in its <message>.
--delay makes every submission take that long, so that two clients overlap.

Forms as Central knows them: --forms mini=v1,other=1:2 publishes those
versions (a form not listed does not exist: 404); --closed mini,other
closes forms (409 "not currently accepting submissions"). While it runs,
GET /control?close=FORM, ?closing=FORM, ?open=FORM, ?publish=FORM:VERSION
and ?delete=INSTANCEID change that, as an administrator would in Central.
Without --forms every form and version exists. Files sent beside the XML
(audit.csv) are kept under --store as INSTANCEID__NAME.

It writes its port to --port-file, keeps what it received under --store,
counts the POSTs of each instanceID (/stats: sent_twice, max_posts), and
stops by itself after --lifetime seconds.
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
         "faults": {}, "bad": [], "connections": set(), "posts": {},
         "forms": None, "closed": set(), "deleted": set(), "refused": 0,
         "attachments": 0}

# Central's messages (central-replies.md), by the problem they stand for.
MSG_OK = "full submission upload was successful!"
MSG_HEADER = ("An expected header field (X-OpenRosa-Version) did not match "
              "the expected format.")
MSG_AUTH = "Could not authenticate with the provided credentials."
MSG_NOT_FOUND = "Could not find the resource you were looking for."
MSG_NO_PART = "Required multipart POST field xml_submission_file missing."
MSG_NO_FORM_ID = "Required parameter form ID xml attribute missing."
MSG_CONFLICT = ("A submission already exists with this ID, but with different "
                "XML. Resubmissions to attach additional multimedia must "
                "resubmit an identical xml_submission_file.")
MSG_CLOSED = ("This form is not currently accepting submissions. Please talk "
              "to your program staff if this is unexpected.")
MSG_VERSION = "The form version specified in this submission '%s' does not exist."
MSG_DELETED = "This submission has been deleted. You may not resubmit it."
# What a hostile server may put in a message: a window title, a clear
# screen, a C1 CSI, a bell.
MSG_ESCAPE = "Form \x1b]0;pwned\x07\x1b[2J\u009b31m closed\x07"


def html_escape(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;")
            .replace("'", "&#39;"))


def response(message, nature="error"):
    """Central's OpenRosa reply body: no XML declaration, a leading newline,
    no trailing one; nature "" on success and "error" otherwise."""
    return ('\n  <OpenRosaResponse xmlns="http://openrosa.org/http/response" '
            'items="0">\n    <message nature="%s">%s</message>\n  '
            '</OpenRosaResponse>' % (nature, html_escape(message))).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's
        # algorithm and the client's delayed ACK add 40 ms to each reply.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def reply(self, code, body=b"", ctype="text/xml; charset=utf-8",
              openrosa=True):
        """openrosa: the request passed the header check and authentication
        (Central sends its X-OpenRosa headers only then)."""
        self.send_response(code)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Vary", "*")
        if openrosa:
            self.send_header("Content-Language", "en")
            self.send_header("X-OpenRosa-Version", "1.0")
            self.send_header("X-OpenRosa-Accept-Content-Length", "100000000")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "keep-alive")
        self.send_header("Keep-Alive", "timeout=5")
        self.end_headers()
        self.wfile.write(body)

    def trickle(self):
        """A reply that never ends: 2 bytes a second until the client
        hangs up or the server's lifetime is over."""
        data = b"HTTP/1.1 201 Created\r\nX-Slow: "
        i = 0
        try:
            while True:
                chunk = data[i:i + 2] if i < len(data) else b"ab"
                i += 2
                self.wfile.write(chunk)
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            self.close_connection = True

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
                     if k not in ("stored", "connections", "posts", "forms",
                                  "closed", "deleted")}
                s["instances"] = len(STATE["stored"])
                s["sent_twice"] = sum(1 for n in STATE["posts"].values()
                                      if n > 1)
                s["max_posts"] = max(STATE["posts"].values(), default=0)
                s["connections"] = len(STATE["connections"])
            self.reply(200, json.dumps(s).encode(), "application/json")
        elif self.path.startswith("/control?"):
            self.control(self.path[len("/control?"):])
        else:
            self.reply(404, response(MSG_NOT_FOUND))

    def control(self, query):
        """What an administrator does in Central's web pages."""
        from urllib.parse import parse_qsl
        with LOCK:
            for key, value in parse_qsl(query):
                if key == "close":
                    STATE["closed"].add(value)
                elif key in ("open", "closing"):   # closing still accepts
                    STATE["closed"].discard(value)
                elif key == "publish":
                    form, version = value.split(":", 1)
                    if STATE["forms"] is None:
                        STATE["forms"] = {}
                    STATE["forms"].setdefault(form, set()).add(version)
                elif key == "delete":
                    STATE["deleted"].add(value)
                    STATE["stored"].pop(value, None)
        self.reply(200, b"{}", "application/json")

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
            return self.reply(201, response(MSG_OK, ""))
        if mode == "trickle":
            return self.trickle()
        if mode == "nothttp":          # an SSH server on the port, say
            self.wfile.write(b"SSH-2.0-OpenSSH_9.2\r\n\x00\xff garbage\r\n")
            return self.drop()
        if self.headers.get("X-OpenRosa-Version") != "1.0":
            with LOCK:
                STATE["bad"].append("missing header X-OpenRosa-Version: 1.0")
            return self.reply(400, response(MSG_HEADER), openrosa=False)
        if mode == "401" or (opts.user and not self.authorized()):
            # Central: no WWW-Authenticate, no X-OpenRosa headers.
            return self.reply(401, response(MSG_AUTH), openrosa=False)
        if mode == "413":
            return self.reply(413, response("Submission too large"))
        if mode == "404":              # Central: an unknown project
            return self.reply(404, response(MSG_NOT_FOUND))
        if mode == "404html":          # not Central at all: a web server
            return self.reply(404, b"<html><body>Not Found</body></html>",
                              "text/html", openrosa=False)
        if mode == "escape":
            return self.reply(400, response(MSG_ESCAPE))
        if mode == "html200":          # a captive portal
            return self.reply(200, b"<html><body>Log in to Wi-Fi</body></html>",
                              "text/html")
        if mode == "500" or fault == "500":
            return self.reply(500, b"<html>Internal error</html>", "text/html")
        problem = self.check_headers()
        if problem:
            with LOCK:
                STATE["bad"].append(problem)
            return self.reply(400, response(MSG_NO_PART))
        xml, problem = self.parse(body)
        if problem:
            with LOCK:
                STATE["bad"].append(problem)
            return self.reply(400, response(
                MSG_NO_PART if "part" in problem else MSG_NO_FORM_ID))
        iid = xml[1]
        digest = hashlib.sha256(xml[0]).hexdigest()
        with LOCK:
            STATE["posts"][iid] = STATE["posts"].get(iid, 0) + 1
        if opts.delay:
            time.sleep(opts.delay)
        # Central's order: the form, its state, a deleted record, one
        # already there (same or different), then the version of a new one.
        with LOCK:
            forms = STATE["forms"]
            refusal = None
            if forms is not None and xml[2] not in forms:
                refusal = (404, MSG_NOT_FOUND)
            elif xml[2] in STATE["closed"]:
                refusal = (409, MSG_CLOSED)
            elif iid in STATE["deleted"]:
                refusal = (409, MSG_DELETED)
            known = STATE["stored"].get(iid)
            if refusal is None and known is None and (
                    not xml[3] or (forms is not None and
                                   xml[3] not in forms[xml[2]])):
                refusal = (404, MSG_VERSION % xml[3])
            if refusal is not None:
                STATE["refused"] += 1
                code = refusal[0]
            elif known is None:
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
            if code in (201, 202) and opts.store:
                for name, data in xml[4]:
                    STATE["attachments"] += 1
                    with open(os.path.join(opts.store, "%s__%s" % (
                            iid.replace(":", "_"), name)), "wb") as f:
                        f.write(data)
        if refusal is not None:
            return self.reply(refusal[0], response(refusal[1]))
        if fault == "drop_after":     # stored, but the answer never comes
            return self.drop()
        if fault == "slow":           # stored, answered after the timeout
            time.sleep(opts.slow)
        if code == 409:
            return self.reply(409, response(MSG_CONFLICT))
        if code == 202:
            return self.reply(202, response("Duplicate submission", ""))
        return self.reply(201, response(MSG_OK, ""))

    def authorized(self):
        auth = self.headers.get("Authorization", "")
        want = base64.b64encode(("%s:%s" % (self.server.opts.user,
                                            self.server.opts.password))
                                .encode()).decode()
        return auth == "Basic " + want

    def check_headers(self):
        # Central does not need a Date; the OpenRosa API asks clients for
        # one, so its absence is kept as a fault of doorstep's.
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
        files = []
        for p in msg.iter_parts():
            name = p.get_param("name", header="content-disposition")
            if name != "xml_submission_file":
                files.append((p.get_filename() or name,
                              p.get_payload(decode=True)))
        if part.get_content_type() != "text/xml":
            return None, "xml_submission_file is not text/xml"
        data = part.get_payload(decode=True)
        try:
            root = ET.fromstring(data)
        except ET.ParseError as e:
            return None, "not XML: %s" % e
        if root.get("encrypted") == "yes":
            return self.parse_encrypted(msg, root, data)
        if root.get("id") != root.tag:
            return None, "root element needs id (its own name)"
        iid = root.findtext("meta/instanceID")
        if not iid or not iid.startswith("uuid:"):
            return None, "no meta/instanceID"
        return (data, iid, root.get("id"), root.get("version") or "",
                files), None


    def parse_encrypted(self, msg, root, data):
        """An encrypted submission (ODK XForms encryption spec): the
        manifest as xml_submission_file, the encrypted instance as the
        part its <encryptedXmlFile> names. With --store, the parts are
        kept beside the manifest (IID.enc, and IID.parts: one line each,
        name filename content-type)."""
        sub = "{http://opendatakit.org/submissions}"
        orx = "{http://openrosa.org/xforms}"
        if root.tag != sub + "data" or not root.get("id") or \
                not root.get("version"):
            return None, "encrypted: root must be data with id and version"
        iid = root.findtext(orx + "meta/" + orx + "instanceID")
        if not iid or not iid.startswith("uuid:"):
            return None, "encrypted: no meta/instanceID"
        name = root.findtext(sub + "encryptedXmlFile")
        if not root.findtext(sub + "base64EncryptedKey") or not name:
            return None, "encrypted: no base64EncryptedKey or encryptedXmlFile"
        parts = [(p.get_param("name", header="content-disposition"),
                  p.get_filename(), p.get_content_type())
                 for p in msg.iter_parts()]
        enc = [p for p in msg.iter_parts() if p.get_filename() == name]
        if not enc:
            return None, "encrypted: no part named %s" % name
        if self.server.opts.store:
            base = os.path.join(self.server.opts.store, iid.replace(":", "_"))
            with open(base + ".enc", "wb") as f:
                f.write(enc[0].get_payload(decode=True))
            with open(base + ".parts", "w") as f:
                for p in parts:
                    f.write("%s %s %s\n" % p)
        return (data, iid, root.get("id"), root.get("version"), []), None


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
    ap.add_argument("--delay", type=float, default=0,
                    help="seconds every submission takes")
    ap.add_argument("--forms", default=None,
                    help="published forms: mini=v1,other=1:2")
    ap.add_argument("--closed", default="", help="closed forms: mini,other")
    ap.add_argument("--lifetime", type=float, default=300)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"),
                    help="serve HTTPS with this certificate and key")
    opts = ap.parse_args()
    opts.faults = {k: float(v) for k, v in
                   (f.split("=") for f in opts.faults.split(",") if f)}
    if opts.forms is not None:
        STATE["forms"] = {}
        for f in opts.forms.split(","):
            if f:
                name, _, versions = f.partition("=")
                STATE["forms"][name] = set(versions.split(":"))
    STATE["closed"] = set(c for c in opts.closed.split(",") if c)
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
