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
--hold-after N answers the first N submissions and holds every later one
unanswered, as a link that died would, until GET /control?release: then
it drops them, having taken nothing (so that a test can kill the client
while it waits).

Forms as Central knows them: --forms mini=v1,other=1:2 publishes those
versions (a form not listed does not exist: 404); --closed mini,other
closes forms (409 "not currently accepting submissions"). While it runs,
GET /control?close=FORM, ?closing=FORM, ?open=FORM, ?publish=FORM:VERSION
and ?delete=INSTANCEID change that, as an administrator would in Central.
Without --forms every form and version exists. Files sent beside the XML
(audit.csv) are kept under --store as INSTANCEID__NAME.

Entity Lists (ODK Central v2024.3 and later; central-backend
lib/model/query/entities.js and lib/data/dataset.js): --xform FILE
publishes a form as Central does, reading its entities-version, its
<meta><entity> (dataset, create, update) and its entities:saveto binds,
and refusing what Central refuses. An accepted submission of such a form
then creates or updates its entity as Central's worker does (update before
create; baseVersion, trunkVersion and branchId as Central reads them; a
stale base version applied with a soft or hard conflict). Central answers
the submission 201 whatever the entity's fate, and logs an entity error
in the submission's audits: here they are in /entities ("errors") with
Central's problem codes and messages. GET .../formList lists the published
forms with a manifestUrl, .../forms/ID/manifest lists DATASET.csv, and
.../forms/ID/attachments/DATASET.csv is the list as Central serves it to
an app user: name,label,__version and the properties. /control?entity=UUID
&label=TEXT&set=PROP:VALUE edits an entity as a project manager does in
Central's web pages (a new version).

It writes its port to --port-file, keeps what it received under --store,
counts the POSTs of each instanceID (/stats: sent_twice, max_posts) and
the bytes of the request bodies (body_bytes) and the requests that asked
"Expect: 100-continue" (expect), and stops by itself after
--lifetime seconds.
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
         "attachments": 0, "xforms": {}, "datasets": {}, "entity_errors": [],
         "body_bytes": 0, "expect": 0}
RELEASED = threading.Event()   # --hold-after: the held requests go

ENT_NS = "{http://www.opendatakit.org/xforms/entities}"
XF_NS = "{http://www.w3.org/2002/xforms}"
H_NS = "{http://www.w3.org/1999/xhtml}"

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
        path = self.path.split("?", 1)[0]
        if path.endswith("/formList") or "/forms/" in path:
            return self.openrosa_get(path)
        if self.path == "/entities":
            with LOCK:
                body = json.dumps({"datasets": STATE["datasets"],
                                   "errors": STATE["entity_errors"]})
            return self.reply(200, body.encode(), "application/json")
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
                elif key == "release":
                    RELEASED.set()
                elif key == "delete":
                    STATE["deleted"].add(value)
                    STATE["stored"].pop(value, None)
            pairs = parse_qsl(query, keep_blank_values=True)
            uuid = dict(pairs).get("entity")
            if uuid:
                data, label = {}, None
                for key, value in pairs:
                    if key == "label":
                        label = value
                    elif key == "set":
                        name, _, v = value.partition(":")
                        data[name] = v
                for ds in STATE["datasets"].values():
                    if uuid in ds["entities"]:
                        entity_api_update(ds, uuid, data, label)
        self.reply(200, b"{}", "application/json")

    def openrosa_get(self, path):
        """The form list, a form's manifest and its attachments, as Central
        serves them to Collect (FL-1 in central-replies.md)."""
        opts = self.server.opts
        if path.endswith("/formList") and \
                self.headers.get("X-OpenRosa-Version") != "1.0":
            return self.reply(400, response(MSG_HEADER), openrosa=False)
        if opts.user and not self.authorized():
            return self.reply(401, response(MSG_AUTH), openrosa=False)
        base = "http://%s%s" % (self.headers.get("Host"),
                                path.rsplit("/formList", 1)[0]
                                if path.endswith("/formList")
                                else path.split("/forms/", 1)[0])
        with LOCK:
            xforms = dict(STATE["xforms"])
            closed = set(STATE["closed"])
        if path.endswith("/formList"):
            items = []
            for fid, xf in xforms.items():
                if fid in closed:
                    continue
                item = ("    <xform>\n      <formID>%s</formID>\n"
                        "      <name>%s</name>\n      <version>%s</version>\n"
                        "      <hash>md5:%s</hash>\n      <downloadUrl>%s/forms/"
                        "%s.xml</downloadUrl>\n" % (
                            fid, html_escape(xf["title"]), xf["version"],
                            xf["hash"], base, fid))
                if xf["attachments"]:
                    item += ("      <manifestUrl>%s/forms/%s/manifest"
                             "</manifestUrl>\n" % (base, fid))
                items.append(item + "    </xform>\n")
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n  <xforms '
                    'xmlns="http://openrosa.org/xforms/xformsList">\n%s'
                    '  </xforms>' % "".join(items))
            return self.reply(200, body.encode())
        rest = path.split("/forms/", 1)[1]
        fid, _, tail = rest.partition("/")
        xf = xforms.get(fid)
        if xf is None or fid in closed:
            return self.reply(404, response(MSG_NOT_FOUND))
        if tail == "manifest":
            files = []
            for name in xf["attachments"]:
                data = self.attachment(xf, name)
                files.append(
                    "    <mediaFile>\n      <filename>%s</filename>\n"
                    "      <hash>md5:%s</hash>\n      <downloadUrl>%s/forms/%s/"
                    "attachments/%s</downloadUrl>\n    </mediaFile>\n" % (
                        name, hashlib.md5(data).hexdigest(), base, fid, name))
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n  <manifest '
                    'xmlns="http://openrosa.org/xforms/xformsManifest">\n%s'
                    '  </manifest>' % "".join(files))
            return self.reply(200, body.encode())
        if tail.startswith("attachments/") and \
                tail[len("attachments/"):] in xf["attachments"]:
            data = self.attachment(xf, tail[len("attachments/"):])
            return self.reply(200, data, "text/csv; charset=utf-8")
        return self.reply(404, response(MSG_NOT_FOUND))

    def attachment(self, xf, name):
        """A form's attachment: the Entity List it is linked to, as CSV."""
        with LOCK:
            ds = STATE["datasets"].get(name[:-len(".csv")])
            if ds is None:
                return b""
            return entity_csv(ds).encode()

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
            held = opts.hold_after is not None and \
                STATE["requests"] > opts.hold_after and not RELEASED.is_set()
        length = int(self.headers.get("Content-Length", "0"))
        with LOCK:
            STATE["body_bytes"] += length
            # libcurl asks before a large body, then waits up to a second
            # for an answer a proxy may never give.
            if self.headers.get("Expect"):
                STATE["expect"] += 1
        if held:
            self.rfile.read(length)
            RELEASED.wait(opts.lifetime)
            return self.drop()
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
                process_entity(xml[2], xml[0], iid)
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


def csv_field(v):
    """csv-stringify, as Central uses it: quoted when needed."""
    v = "" if v is None else str(v)
    if any(c in v for c in ',"\n\r'):
        return '"%s"' % v.replace('"', '""')
    return v


def entity_csv(ds):
    """The list as Central serves it to an app user (the form's
    attachment): name, label, __version, then the properties."""
    rows = [["name", "label", "__version"] + ds["properties"]]
    for uuid, e in ds["entities"].items():
        rows.append([uuid, e["label"], str(e["version"])] +
                    [e["data"].get(p, "") for p in ds["properties"]])
    return "".join(",".join(csv_field(v) for v in r) + "\n" for r in rows)


PROPERTY_RE = __import__("re").compile(r"^(?!__)(?!name$)(?!label$)[^\W\d]"
                                       r"[\w.-]*$", __import__("re").UNICODE)
DATASET_RE = __import__("re").compile(r"^(?!__)[^\W\d:][\w:-]*$",
                                      __import__("re").UNICODE)


def publish_xform(path):
    """What Central checks when a form is published, and what it keeps."""
    data = open(path, "rb").read()
    root = ET.fromstring(data)
    model = root.find(H_NS + "head/" + XF_NS + "model")
    title = root.findtext(H_NS + "head/" + H_NS + "title") or ""
    main = model.find(XF_NS + "instance")[0]
    fid = main.get("id")
    xf = {"title": title, "version": main.get("version") or "",
          "hash": hashlib.md5(data).hexdigest(), "dataset": None,
          "actions": [], "saveto": {}, "attachments": []}
    entity = main.find(XF_NS + "meta/" + XF_NS + "entity")
    if entity is not None:
        spec = model.get(ENT_NS + "entities-version")
        if not spec:
            sys.exit("400.25 The entity definition within the form is "
                     "invalid. Entities specification version is missing.")
        y, m = (int(x) for x in spec.split(".")[:2])
        if (y, m) < (2022, 1) or (y, m) > (2025, 1):
            sys.exit("400.25 The entity definition within the form is "
                     "invalid. Entities specification version [%s] is not "
                     "supported." % spec)
        name = (entity.get("dataset") or "").strip()
        if not DATASET_RE.match(name) or "." in name:
            sys.exit("400.25 The entity definition within the form is "
                     "invalid. Invalid dataset name.")
        actions = [a for a in ("create", "update") if entity.get(a) is not None]
        if not actions:
            sys.exit("400.25 The entity definition within the form is "
                     "invalid. The form must specify at least one entity "
                     "action, for example, create or update.")
        xf["dataset"], xf["actions"] = name, actions
        ds = STATE["datasets"].setdefault(name, {"properties": [],
                                                 "entities": {}})
        for bind in model.findall(XF_NS + "bind"):
            prop = bind.get(ENT_NS + "saveto")
            if prop is None:
                continue
            if not PROPERTY_RE.match(prop.lower()):
                sys.exit("400.25 The entity definition within the form is "
                         "invalid. Invalid entity property name.")
            xf["saveto"][bind.get("nodeset")] = prop
            if prop not in ds["properties"]:
                ds["properties"].append(prop)
    for inst in model.findall(XF_NS + "instance"):
        src = inst.get("src") or ""
        if src.startswith("jr://file-csv/"):
            xf["attachments"].append(src[len("jr://file-csv/"):])
    STATE["xforms"][fid] = xf


class EntityProblem(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


UUID_RE = __import__("re").compile(
    r"^(uuid:)?([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
    r"[0-9a-f]{12})$", __import__("re").I)


def entity_api_update(ds, uuid, data, label):
    """PATCH .../entities/UUID?force=true by a project manager."""
    e = ds["entities"][uuid]
    new = dict(e["data"])
    new.update(data)
    e["version"] += 1
    e["data"] = new
    if label is not None:
        e["label"] = label
    e["defs"].append({"version": e["version"], "data": dict(new),
                      "label": e["label"], "branchId": None,
                      "branchBaseVersion": None})


def process_entity(fid, xml, iid):
    """Central's worker on a new submission (called with LOCK held):
    errors are logged, the submission stays accepted."""
    xf = STATE["xforms"].get(fid)
    if xf is None or not xf["dataset"]:
        return
    try:
        root = ET.fromstring(xml)
        el = root.find("meta/entity")
        if el is None:
            return
        name = el.get("dataset") or ""
        if not name.strip():
            raise EntityProblem(400.2, "Required parameter dataset missing.")
        ds = STATE["datasets"].get(name)
        if ds is None or name != xf["dataset"]:
            raise EntityProblem(404.7, "The dataset (%s) specified in the "
                                "submission does not exist." % name)
        create = el.get("create") in ("1", "true")
        update = el.get("update") in ("1", "true")
        for action, wanted in (("create", create), ("update", update)):
            if wanted and action not in xf["actions"]:
                raise EntityProblem(403.2, "The submission attempts an entity "
                                    "%s, but the form does not permit that "
                                    "action. The form permits the following "
                                    "actions: %s." % (action,
                                                      ", ".join(xf["actions"])))
        m = UUID_RE.match(el.get("id") or "")
        if m is None:
            raise EntityProblem(409.14, "There was a problem with entity "
                                "processing: ID [%s] is not a valid UUID."
                                % el.get("id"))
        uuid = m.group(2).lower()
        label = el.findtext("label")
        data = {}
        for path, prop in xf["saveto"].items():
            node = root.find(path.split("/", 2)[2])
            if node is not None:
                data[prop] = node.text or ""
        if update:
            try:
                return entity_update(ds, name, uuid, el, label, data)
            except EntityProblem as p:
                if not (create and (p.code == 404.8 or (
                        p.code == 400.2 and "baseVersion" in str(p)))):
                    raise
        if create:
            if uuid in ds["entities"]:
                raise EntityProblem(409.3, "A resource already exists with "
                                    "uuid value(s) of %s." % uuid)
            if not label or not label.strip():
                raise EntityProblem(409.14, "There was a problem with entity "
                                    "processing: Label empty or missing.")
            ds["entities"][uuid] = {
                "label": label, "version": 1, "data": data, "conflict": None,
                "defs": [{"version": 1, "data": dict(data), "label": label,
                          "branchId": None, "branchBaseVersion": None}]}
    except EntityProblem as p:
        STATE["entity_errors"].append({"instanceId": iid, "code": p.code,
                                       "message": str(p)})


def entity_update(ds, name, uuid, el, label, data):
    """Entities._updateEntity and _computeBaseVersion."""
    base_text = el.get("baseVersion") or ""
    if not base_text:
        raise EntityProblem(400.2, "Required parameter baseVersion missing.")
    base_v = int(base_text)
    branch = el.get("branchId") or None
    trunk = int(el.get("trunkVersion")) if el.get("trunkVersion") else None
    e = ds["entities"].get(uuid)
    if e is None:
        raise EntityProblem(404.8, "The entity with UUID (%s) specified in "
                            "the submission does not exist in the dataset "
                            "(%s)." % (uuid, name))
    if branch is None:
        base = [d for d in e["defs"] if d["version"] == base_v]
        if not base:
            raise EntityProblem(404.9, "Base version (%s) does not exist for "
                                "entity UUID (%s) in dataset (%s)."
                                % (base_v, uuid, name))
    else:
        if base_v == 1 or base_v == trunk:
            base = [d for d in e["defs"] if d["version"] == base_v]
        else:
            base = [d for d in e["defs"] if d["branchId"] == branch and
                    d["branchBaseVersion"] == base_v - 1]
        if not base:
            # Central holds it in its backlog until the base arrives.
            STATE.setdefault("backlog", []).append(uuid)
            return None
    base = base[0]
    if trunk is not None and trunk > e["version"]:
        raise EntityProblem(404.9, "Base version (trunkVersion=%s) does not "
                            "exist for entity UUID (%s) in dataset (%s)."
                            % (trunk, uuid, name))
    if base["version"] != e["version"]:
        diff = {k: v for k, v in e["data"].items()
                if base["data"].get(k) != v}
        if e["label"] != base["label"]:
            diff["label"] = e["label"]
        clash = [k for k in data if k in diff and data[k] != diff[k]]
        if e["conflict"] != "hard":
            e["conflict"] = "hard" if clash else "soft"
    merged = dict(e["data"])
    merged.update(data)
    e["version"] += 1
    e["data"] = merged
    if label:
        e["label"] = label
    e["defs"].append({"version": e["version"], "data": dict(merged),
                      "label": e["label"], "branchId": branch,
                      "branchBaseVersion": base_v if branch else None})
    return e


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
    ap.add_argument("--hold-after", type=int, default=None,
                    help="answer this many submissions, hold the rest")
    ap.add_argument("--forms", default=None,
                    help="published forms: mini=v1,other=1:2")
    ap.add_argument("--closed", default="", help="closed forms: mini,other")
    ap.add_argument("--lifetime", type=float, default=300)
    ap.add_argument("--xform", action="append", default=[],
                    help="publish this XForm (its Entity List too)")
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
    for path in opts.xform:
        publish_xform(path)
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
