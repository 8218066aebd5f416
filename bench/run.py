#!/usr/bin/env python3
"""make bench: doorstep's costs in the field, each against a baseline
measured in the same run. Prints a table and writes bench/results.md.
Never fails for being slow: figures that miss a target stay in the table."""
import datetime
import fcntl
import os
import platform
import pty
import re
import select
import shutil
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "doorstep")
CORE = os.path.join(ROOT, "build", "bench", "bench_core")
FORM = os.path.join(ROOT, "forms", "needs_assessment.yaml")
WORK = tempfile.mkdtemp(prefix="doorstep-bench-")
ROWS = []


def row(figure, mine, base, target, met, unit=""):
    ratio = (mine / base) if base else float("nan")
    ROWS.append((figure, mine, base, ratio, target, met, unit))


class Term:
    """A program on a pseudo-terminal of a given size; counts its bytes."""

    def __init__(self, argv, env, cols=80, rows=24):
        pid, fd = pty.fork()
        if pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execvpe(argv[0], argv, env)
        self.pid, self.fd, self.total, self.buf = pid, fd, 0, b""
        self.started = time.monotonic()

    def read_quiet(self, quiet=0.08, limit=10.0):
        """Reads until nothing comes for `quiet` seconds; returns the bytes."""
        got = b""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            r, _, _ = select.select([self.fd], [], [], quiet)
            if not r:
                break
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                break
            if not data:
                break
            got += data
        self.total += len(got)
        self.buf += got
        return got

    def wait_for(self, needle, limit=10.0):
        """Reads until the output holds needle; returns seconds since start."""
        end = time.monotonic() + limit
        while needle not in self.buf and time.monotonic() < end:
            r, _, _ = select.select([self.fd], [], [], 0.01)
            if r:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    break
                self.total += len(data)
                self.buf += data
        return time.monotonic() - self.started

    def send(self, data):
        os.write(self.fd, data)

    def peak_rss(self):
        """The program's peak resident set so far, in KB (VmHWM, which
        starts again at exec, unlike the rusage of a forked child)."""
        try:
            with open("/proc/%d/status" % self.pid) as f:
                return int(re.search(r"VmHWM:\s*(\d+)", f.read()).group(1))
        except (OSError, AttributeError):
            return 0

    def finish(self):
        """Waits for the program; returns its peak RSS in KB."""
        for _ in range(200):
            pid, status, usage = os.wait4(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return usage.ru_maxrss
            self.read_quiet(0.02, 0.1)
        os.kill(self.pid, signal.SIGKILL)
        _, _, usage = os.wait4(self.pid, 0)
        os.close(self.fd)
        return usage.ru_maxrss


def env_for(term):
    e = {k: v for k, v in os.environ.items() if not k.startswith("DOORSTEP")}
    e.update(TERM=term, LANG="C.UTF-8", LC_ALL="C.UTF-8", HOME=WORK,
             XDG_CONFIG_HOME=os.path.join(WORK, "cfg"), XDG_DATA_HOME=WORK)
    return e


# The scripted interview: (question name, keys); "T:" types text one
# character a keystroke, anything else is one key.
ENTER, CTRL_X = b"\r", b"\x18"
SCRIPT = [
    ("consent_note", [ENTER]), ("consent", [b"1"]),
    ("visit_date", ["T:2020-02-26", ENTER]), ("visit_mode", [b"1"]),
    ("respondent_name", ["T:刘丽 Liu", ENTER]),
    ("respondent_phone", ["T:13812345678", ENTER]),
    ("size", ["T:2", ENTER]), ("children", ["T:1", ENTER]),
    ("hometown", ["T:河南 周口", ENTER]), ("location_now", [b"1"]),
    ("member_relation", [b"1"]), ("member_age", ["T:34", ENTER]),
    ("member_working", [b"1"]),
    ("member_relation", [b"3"]), ("member_age", ["T:8", ENTER]),
    ("member_in_school", [b"1"]),
    ("masks", [b"2"]), ("masks_reused", [b"1"]), ("disinfectant", [b"3"]),
    ("protection_knowledge", [b"2"]),
    ("info_sources", [b"1", b"5", ENTER]), ("rumours", [b"4", ENTER]),
    ("knows_policies", [b"2"]), ("income_change", [b"2"]),
    ("food_weeks", ["T:1", ENTER]), ("debts", [b"2", b"4", ENTER]),
    ("rent", ["T:1200", ENTER]), ("housing", [b"2"]), ("can_return", [b"3"]),
    ("employer_letter", [b"2"]), ("health_rating", [b"2"]),
    ("serious_illness", [b"1"]), ("medical_cost", [ENTER]),
    ("labour_contract", [b"2"]), ("benefits_received", [b"4", ENTER]),
    ("school_children", ["T:1", ENTER]), ("online_device", [b"2"]),
    ("network", [b"2"]), ("parents_help", [b"2"]),
    ("skills_wanted", [b"1", ENTER]), ("worry", [b"3"]), ("sleep", [b"2"]),
    ("wants_talk", [b"1"]), ("plans", [b"1"]),
    ("hopes", ["T:孩子能上学", ENTER]), ("volunteer", [b"1"]),
    ("urgent_need", ["T:rent money", ENTER]),
    ("next_visit", ["T:2020-03-10", ENTER]), ("notes", [ENTER]),
    ("thanks_note", [ENTER]),
]


def form_texts():
    """Labels, hints, choices and sections in English, from the XForm."""
    xml = subprocess.run([BIN, "--xform", FORM], capture_output=True, check=True).stdout
    root = ET.fromstring(xml)
    x = "{http://www.w3.org/2002/xforms}"
    texts = {}
    for tr in root.iter(x + "translation"):
        if tr.get("lang") == "en":
            for t in tr.iter(x + "text"):
                texts[t.get("id")] = "".join(t.find(x + "value").itertext())
    return texts


def question_texts(texts, name):
    """What must newly appear for a question: label, hint, choice labels."""
    label = hint = ""
    choices = []
    for key, value in texts.items():
        path, _, kind = key.partition(":")
        parts = path.split("/")
        if parts[-1] == name and kind == "label":
            label = value
        elif parts[-1] == name and kind == "hint":
            hint = value
        elif len(parts) > 2 and parts[-2] == name and kind == "label":
            choices.append(value)
    return label, hint, choices


def keystrokes(keys):
    for k in keys:
        if isinstance(k, str) and k.startswith("T:"):
            for ch in k[2:]:
                yield True, ch.encode()
        else:
            yield False, k


def run_doorstep(term):
    db = os.path.join(WORK, "bytes-%s.db" % term)
    t = Term([BIN, "--db", db, "--forms", os.path.join(ROOT, "forms"),
              "--lang", "en"], env_for(term))
    t.wait_for(b"Quit")
    t.read_quiet()
    t.send(ENTER)
    t.read_quiet()
    for ch in b"BJ-0042":
        t.send(bytes([ch]))
        t.read_quiet()
    t.send(ENTER)       # "+ Register a new household: BJ-0042"
    t.read_quiet()
    t.send(CTRL_X)      # registered with that code; the interview starts
    t.read_quiet()
    transitions, typing = [], []
    for _, keys in SCRIPT:
        steps = list(keystrokes(keys))
        for i, (typed, k) in enumerate(steps):
            t.send(k)
            n = len(t.read_quiet())
            if i == len(steps) - 1:
                transitions.append(n)
            elif typed:
                typing.append(n)
    t.send(b"\x1b[B")
    t.read_quiet()
    t.send(ENTER)
    t.read_quiet()
    t.send(b"y")
    t.read_quiet()
    t.send(CTRL_X)      # no next visit
    t.read_quiet()
    t.send(CTRL_X)
    t.finish()
    return t.total, transitions, typing


def minimum_bytes(texts):
    """The UTF-8 bytes that must newly appear, and one echo a character."""
    total = 0
    for name, keys in SCRIPT:
        label, hint, choices = question_texts(texts, name)
        total += len(label.encode()) + len(hint.encode())
        total += sum(len(c.encode()) + 4 for c in choices)  # "1. ( ) "
        total += len("12/48")
        for typed, k in keystrokes(keys):
            if typed:
                total += len(k)
    return total


def dialog_script(texts):
    """The same questions as dialog(1) boxes, one a question."""
    lines = ["#!/bin/sh"]
    for name, keys in SCRIPT:
        label, hint, choices = question_texts(texts, name)
        text = (label + ("\n" + hint if hint else "")).replace("'", "'\\''")
        if choices and any(k == ENTER for k in keys) and len(keys) > 1 and \
                all(not (isinstance(k, str)) for k in keys):
            items = " ".join("%d '%s' off" % (i + 1, c.replace("'", "'\\''"))
                             for i, c in enumerate(choices))
            lines.append("dialog --checklist '%s' 20 76 10 %s 2>/dev/null" % (text, items))
        elif choices:
            items = " ".join("%d '%s'" % (i + 1, c.replace("'", "'\\''"))
                             for i, c in enumerate(choices))
            lines.append("dialog --menu '%s' 20 76 10 %s 2>/dev/null" % (text, items))
        elif any(isinstance(k, str) for k in keys) or name in ("medical_cost", "notes"):
            lines.append("dialog --inputbox '%s' 10 76 2>/dev/null" % text)
        else:
            lines.append("dialog --msgbox '%s' 10 76" % text)
    path = os.path.join(WORK, "dialog.sh")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def run_dialog(term, script):
    t = Term(["sh", script], env_for(term))
    t.read_quiet(0.3)
    for name, keys in SCRIPT:
        multi = len([k for k in keys if not isinstance(k, str)]) > 1 and ENTER in keys \
            and all(not isinstance(k, str) for k in keys)
        for typed, k in keystrokes(keys):
            if multi and k != ENTER:
                t.send(k)      # moves to the item with that tag
                t.read_quiet()
                k = b" "       # and ticks it
            t.send(k)
            t.read_quiet(0.12)
    t.finish()
    return t.total


def bench_terminal_bytes():
    texts = form_texts()
    minimum = minimum_bytes(texts)
    script = dialog_script(texts)
    for term in ("xterm-256color", "vt100"):
        total, trans, typing = run_doorstep(term)
        dlg = run_dialog(term, script)
        row("bytes, whole interview (%s)" % term, total, minimum,
            "<= 2x minimum", total <= 2 * minimum, "B")
        row("bytes vs dialog(1) (%s)" % term, total, dlg, "<= 0.1x dialog",
            total <= 0.1 * dlg, "B")
        row("bytes per question, median (%s)" % term, statistics.median(trans),
            None, "-", True, "B")
        row("bytes per question, max (%s)" % term, max(trans), None, "-", True, "B")
        row("bytes per keystroke, median (%s)" % term, statistics.median(typing),
            None, "-", True, "B")
        row("whole interview under 16 KB (%s)" % term, total, 16384,
            "< 16384 B", total < 16384, "B")


def gen_form(n, path):
    with open(path, "w") as f:
        f.write('form: gen%d\nversion: "1"\ntitle: Generated\nbody:\n' % n)
        f.write("  - {name: gate, type: integer, label: Gate}\n")
        for i in range(n - 1):
            if i % 3 == 0:
                f.write('  - {name: q%d, type: integer, label: "Question %d", '
                        'constraint: ". < 100", relevant: "${gate} > %d"}\n' % (i, i, i % 7))
            elif i % 3 == 1:
                f.write('  - {name: q%d, type: calculate, calculation: '
                        '"coalesce(${q%d}, 0) * 2"}\n' % (i, i - 1))
            else:
                f.write('  - {name: q%d, type: text, label: "Question %d", '
                        'relevant: "${q%d} > 3"}\n' % (i, i, i - 1))


def timed(argv, runs=5):
    times, rss = [], 0
    for _ in range(runs):
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        times.append(time.monotonic() - t0)
        rss = max(rss, usage.ru_maxrss)
    return statistics.median(times), rss


def bench_form_scale():
    results = {}
    for n in (100, 1000, 10000):
        path = os.path.join(WORK, "gen-%d.yaml" % n)
        gen_form(n, path)
        t, _ = timed([BIN, "--check", path])
        out = subprocess.run([CORE, "check", path], capture_output=True, text=True,
                             check=True).stdout.split()
        results[n] = (t, int(out[1]) - int(out[0]))
    base = timed(["true"])[0]
    for n, (t, rss) in results.items():
        row("--check %d questions" % n, t * 1000, None,
            "< 1000 ms" if n == 10000 else "-", n != 10000 or t < 1.0, "ms")
        row("memory to load %d questions" % n, rss, None, "-", True, "KB")
    growth = (results[10000][0] - base) / max(results[1000][0] - base, 1e-6)
    row("--check time growth 1,000 -> 10,000", growth, 10.0, "<= 10x (linear)",
        growth <= 12.0, "x")


def bench_startup():
    db = os.path.join(WORK, "startup.db")
    subprocess.run([CORE, "records", db, FORM, "100"], check=True)
    con = sqlite3.connect(db)
    for k in range(99):  # 100 records become 10,000
        con.execute("INSERT INTO records (instance_id, form_version_id, household, "
                    "round, site, interviewer, status, started_at, updated_at, "
                    "finalized_at, xml) SELECT instance_id || '-%d', form_version_id, "
                    "household, round, site, interviewer, status, started_at, "
                    "updated_at, finalized_at, xml FROM records WHERE id <= 100" % k)
    # 5,000 households, one in 12 due: the home screen lists those due.
    con.execute("INSERT INTO households (code, head, next_visit, created_at, "
                "updated_at) SELECT printf('BJ-%05d', n), '张伟' || n, "
                "date('now', (n % 60 - 5) || ' days'), 'x', 'x' FROM (WITH "
                "RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c "
                "WHERE n < 5000) SELECT n FROM c)")
    con.commit()
    con.close()
    forms = os.path.join(WORK, "forms")
    os.makedirs(forms, exist_ok=True)
    shutil.copy(FORM, forms)
    gen_form(500, os.path.join(forms, "gen500.yaml"))
    mine, rss_mine, base, rss_base = [], 0, [], 0
    for _ in range(5):
        t = Term([BIN, "--db", db, "--forms", forms, "--lang", "en"], env_for("xterm-256color"))
        mine.append(t.wait_for(b"save+leave"))  # the home screen's last row
        t.read_quiet()
        rss_mine = max(rss_mine, t.peak_rss())
        t.send(CTRL_X)
        t.finish()
        t = Term(["dialog", "--msgbox", "doorstep-ready", "6", "30"],
                 env_for("xterm-256color"))
        base.append(t.wait_for(b"doorstep-ready"))
        t.read_quiet()
        rss_base = max(rss_base, t.peak_rss())
        t.send(ENTER)
        t.finish()
    row("start-up to home screen (10,000 records, 5,000 households)",
        statistics.median(mine) * 1000,
        statistics.median(base) * 1000, "<= 2x dialog --msgbox",
        statistics.median(mine) <= 2 * statistics.median(base), "ms")
    row("start-up peak RSS", rss_mine, rss_base, "< 8192 KB", rss_mine < 8192, "KB")


def bench_core():
    out = subprocess.run([CORE, WORK], capture_output=True, text=True, check=True).stdout
    vals = {l.split()[0]: (float(l.split()[1]), float(l.split()[2]))
            for l in out.splitlines()}
    m, b = vals["store_commit_median_us"]
    row("answer commit, median (100,000 records)", m, b, "<= 2x sqlite3 INSERT",
        m <= 2 * b, "us")
    m, b = vals["store_commit_p99_us"]
    row("answer commit, p99", m, b, "-", True, "us")
    m, b = vals["repeat_answer_us"]
    row("answer in a 500-entry repeat vs 5", m, b, "about the same (<= 2x)",
        m <= 2 * b, "us")


def start_server(mode="ok"):
    """The test receiver; "fast" answers 201 without parsing, so that the
    clients, not the Python server, are what is measured."""
    port_file = os.path.join(WORK, "port")
    if os.path.exists(port_file):
        os.unlink(port_file)
    p = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "fake_openrosa.py"),
                          "--port-file", port_file, "--lifetime", "300",
                          "--mode", mode])
    for _ in range(400):
        if os.path.exists(port_file):
            break
        time.sleep(0.02)
    with open(port_file) as f:
        return p, "http://127.0.0.1:%s/v1/projects/1/submission" % f.read().strip()


def bench_upload():
    db = os.path.join(WORK, "upload.db")
    subprocess.run([CORE, "records", db, FORM, "1000"], check=True)
    xmldir = os.path.join(WORK, "xml")
    os.makedirs(xmldir, exist_ok=True)
    con = sqlite3.connect(db)
    body = 0
    for i, (x,) in enumerate(con.execute("SELECT xml FROM records")):
        with open(os.path.join(xmldir, "%04d.xml" % i), "w") as f:
            f.write(x)
        body += len(x.encode())
    con.close()
    server, url = start_server("fast")
    env = dict(os.environ, HOME=WORK)
    t0 = time.monotonic()
    subprocess.run([BIN, "--db", db, "--upload", url], env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    mine = 1000 / (time.monotonic() - t0)
    server.terminate()
    server.wait()
    server, url = start_server("fast")
    loop = ('for f in %s/*.xml; do curl -s -o /dev/null -H "X-OpenRosa-Version: 1.0" '
            '-F "xml_submission_file=@$f;type=text/xml" "%s"; done' % (xmldir, url))
    t0 = time.monotonic()
    subprocess.run(["sh", "-c", loop], check=False)
    base = 1000 / (time.monotonic() - t0)
    server.terminate()
    server.wait()
    row("upload 1,000 records, records/s", mine, base, ">= 5x a curl loop",
        mine >= 5 * base, "rec/s")
    row("upload body bytes per record", body / 1000, None, "-", True, "B")


REPORT_SQL = """
WITH p AS (
  SELECT record_id,
    max(CASE WHEN name = 'masks' THEN value END) AS masks,
    max(CASE WHEN name = 'disinfectant' THEN value END) AS disinfectant,
    max(CASE WHEN name = 'protection_knowledge' THEN value END) AS knowledge,
    max(CASE WHEN name = 'knows_policies' THEN value END) AS policies,
    ' ' || max(CASE WHEN name = 'rumours' THEN value END) || ' ' AS rumours,
    max(CASE WHEN name = 'food_weeks' THEN CAST(value AS INTEGER) END) AS food,
    ' ' || max(CASE WHEN name = 'debts' THEN value END) || ' ' AS debts,
    max(CASE WHEN name = 'housing' THEN value END) AS housing,
    max(CASE WHEN name = 'health_rating' THEN value END) AS health,
    max(CASE WHEN name = 'serious_illness' THEN value END) AS serious,
    max(CASE WHEN name = 'labour_contract' THEN value END) AS contract,
    max(CASE WHEN name = 'medical_insurance' THEN value END) AS insurance,
    max(CASE WHEN name = 'online_device' THEN value END) AS device,
    max(CASE WHEN name = 'network' THEN value END) AS network,
    max(CASE WHEN name = 'parents_help' THEN value END) AS help,
    ' ' || max(CASE WHEN name = 'skills_wanted' THEN value END) || ' ' AS skills,
    max(CASE WHEN name = 'worry' THEN value END) AS worry,
    max(CASE WHEN name = 'sleep' THEN value END) AS sleep,
    max(CASE WHEN name = 'plans' THEN value END) AS plans,
    max(CASE WHEN name = 'volunteer' THEN value END) AS volunteer
  FROM answers WHERE entry = 0 GROUP BY record_id),
latest AS (
  SELECT id, site FROM (SELECT id, site, row_number() OVER (PARTITION BY
    household ORDER BY round DESC, started_at DESC, id DESC) AS k
    FROM records WHERE status <> 'draft') WHERE k = 1)
SELECT l.site, count(*),
  sum(p.masks IN ('few_days', 'none') OR p.disinfectant = 'none' OR p.knowledge = 'poor'),
  sum(p.policies IN ('no', 'unsure') OR p.rumours LIKE '% garlic %' OR
      p.rumours LIKE '% sesame_oil %' OR p.rumours LIKE '% alcohol %'),
  sum(p.food < 4 OR p.debts LIKE '% online_loan %' OR p.debts LIKE '% credit_card %'
      OR p.housing IN ('blocked', 'vehicle')),
  sum(p.health = 'poor' OR p.serious = 'yes'),
  sum(p.contract = 'no' OR p.insurance = 'no'),
  sum(p.device = 'none' OR p.network = 'no' OR p.help = 'never' OR
      (p.skills NOT LIKE '% none %' AND length(trim(p.skills)) > 0)),
  sum(p.worry IN ('often', 'always') OR p.sleep IN ('often', 'always')),
  sum(p.plans = 'stay' AND p.volunteer = 'yes')
FROM latest l JOIN p ON p.record_id = l.id GROUP BY l.site;
"""


def bench_report():
    db = os.path.join(WORK, "report.db")
    subprocess.run([CORE, "records", db, FORM, "1000"], check=True)
    con = sqlite3.connect(db)
    con.executescript("""
      CREATE TEMP TABLE k AS WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL
        SELECT n + 1 FROM c WHERE n < 99) SELECT n FROM c;
      INSERT INTO records (id, instance_id, form_version_id, household, round,
        site, interviewer, status, started_at, updated_at, finalized_at)
        SELECT 1000 * k.n + r.id, r.instance_id || '-' || k.n, r.form_version_id,
        r.household, r.round, r.site, r.interviewer, r.status, r.started_at,
        r.updated_at, r.finalized_at FROM records r, k WHERE r.id <= 1000;
      INSERT INTO answers (record_id, name, entry, value)
        SELECT 1000 * k.n + a.record_id, a.name, a.entry, a.value
        FROM answers a, k WHERE a.record_id <= 1000;
      UPDATE records SET household = 'H' || (id / 2),
        round = CASE id % 2 WHEN 0 THEN '2020-R1' ELSE '2020-R2' END,
        site = CASE id % 3 WHEN 0 THEN 'beijing' WHEN 1 THEN 'jiangxi'
          ELSE 'shandong' END;
      UPDATE answers SET value = CAST(record_id % 8 AS TEXT)
        WHERE name = 'food_weeks';
      UPDATE answers SET value = CASE record_id % 3 WHEN 0 THEN 'good'
        WHEN 1 THEN 'fair' ELSE 'poor' END WHERE name = 'health_rating';
    """)
    con.commit()
    n = con.execute("SELECT count(*) FROM records").fetchone()[0]
    con.close()
    mine = timed([BIN, "--db", db, "--report", "--lang", "en"], runs=3)[0]
    base = timed(["sqlite3", db, REPORT_SQL], runs=3)[0]
    row("--report over %d records, two rounds" % n, mine * 1000, base * 1000,
        "<= 2x one SQL query", mine <= 2 * base, "ms")


def bench_households():
    n = 20000
    out = subprocess.run([CORE, "households", WORK, FORM, str(n)], capture_output=True,
                         text=True, check=True).stdout
    vals = {l.split()[0]: (float(l.split()[1]), float(l.split()[2]))
            for l in out.splitlines()}
    m, b = vals["household_search_ms"]
    row("household search among %d (part of a phone number)" % n, m, b,
        "<= 2x a bare SQL LIKE", m <= 2 * b, "ms")
    m, b = vals["carry_over_ms"]
    row("start a 2nd-round interview (carries answers) vs a 1st", m, b,
        "<= 2x", m <= 2 * b, "ms")


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float) and v != v:
        return "-"
    return "%.1f" % v if isinstance(v, float) and abs(v) < 100 else "%d" % round(v)


def main():
    started = time.monotonic()
    steps = [bench_terminal_bytes, bench_startup, bench_form_scale, bench_core,
             bench_upload, bench_report, bench_households]
    if len(sys.argv) > 1:  # bench/run.py terminal ...: only those
        steps = [s for s in steps if any(a in s.__name__ for a in sys.argv[1:])]
    for step in steps:
        print("bench: %s ..." % step.__name__, file=sys.stderr)
        try:
            step()
        except Exception as e:  # a broken figure is reported, not hidden
            ROWS.append((step.__name__ + " FAILED: %s" % e, float("nan"), None,
                         float("nan"), "-", False, ""))
    if len(sys.argv) > 1:
        print("\n".join(str(r) for r in ROWS))
        return
    head = "| figure | doorstep | baseline | ratio | target | met? |"
    lines = [head, "|---|---:|---:|---:|---|---|"]
    for figure, mine, base, ratio, target, met, unit in ROWS:
        lines.append("| %s | %s %s | %s | %s | %s | %s |" % (
            figure, fmt(mine), unit if unit != "x" else "", fmt(base),
            "-" if ratio != ratio else "%.2f" % ratio, target, "yes" if met else "**no**"))
    table = "\n".join(lines)
    print(table)
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = re.search(r"model name\s*:\s*(.*)", f.read()).group(1)
    except (OSError, AttributeError):
        pass
    with open(os.path.join(ROOT, "bench", "results.md"), "w") as f:
        f.write("# doorstep benchmarks\n\n")
        f.write("Measured %s on %s, %s, %d cores (%s); `make bench` took %.0f s.\n\n"
                % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), platform.node()
                   and "this machine", platform.platform(), os.cpu_count(), cpu,
                   time.monotonic() - started))
        f.write("Each figure is compared with a baseline measured in the same run; "
                "times are medians. The minimum terminal bytes are the UTF-8 bytes of "
                "the text that must newly appear on each screen plus one echo per typed "
                "character; dialog(1) runs the same questions one box each, typed the "
                "same way.\n\n")
        f.write(table + "\n")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
