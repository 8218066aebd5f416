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
import shlex
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
BIN = os.environ.get("BENCH_BIN", os.path.join(ROOT, "doorstep"))
CORE = os.path.join(ROOT, "build", "bench", "bench_core")
FORM = os.path.join(ROOT, "forms", "needs_assessment.yaml")
WORK = tempfile.mkdtemp(prefix="doorstep-bench-")
ROWS = []


def row(figure, mine, base, target, met, unit="", check=None):
    """One figure. target None: a figure with no target (met says so).
    check: what the bench verified about the run (the baseline did its
    work); a failed check makes the row FAILED whatever the figures."""
    ratio = (mine / base) if base else float("nan")
    if target is None or target == "-":
        target, met = "-", None
    if check is not None and check is not True:
        met = False
        figure += " (CHECK FAILED: %s)" % check
    ROWS.append((figure, mine, base, ratio, target, met, unit))


def verdict(met):
    return "no target" if met is None else "yes" if met else "**no**"


class Term:
    """A program on a pseudo-terminal of a given size; counts its bytes."""

    def __init__(self, argv, env, cols=80, rows=24):
        pid, fd = pty.fork()
        if pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execvpe(argv[0], argv, env)
        self.pid, self.fd, self.total, self.buf = pid, fd, 0, b""
        self.started = time.monotonic()
        self.last_byte = self.started

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
            self.last_byte = time.monotonic()
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

    def settle(self, data, quiet=0.25, limit=30.0):
        """Sends data and reads until the screen has stopped changing for
        `quiet` seconds; returns the seconds from the key to the last byte
        drawn (what the user waits for)."""
        self.read_quiet(0.05, 1.0)
        t0 = time.monotonic()
        self.last_byte = t0
        self.send(data)
        select.select([self.fd], [], [], limit)   # the first byte drawn
        self.read_quiet(quiet, limit)
        return self.last_byte - t0

    def peak_rss(self):
        """The program's peak resident set so far, in KB (VmHWM, which
        starts again at exec, unlike the rusage of a forked child)."""
        try:
            with open("/proc/%d/status" % self.pid) as f:
                return int(re.search(r"VmHWM:\s*(\d+)", f.read()).group(1))
        except (OSError, AttributeError):
            return 0

    def exited(self):
        """Whether the program has ended (it is then reaped by finish)."""
        if getattr(self, "status", None) is not None:
            return True
        pid, status, usage = os.wait4(self.pid, os.WNOHANG)
        if pid:
            self.status, self.usage = status, usage
        return bool(pid)

    def finish(self):
        """Waits for the program; returns its peak RSS in KB."""
        if getattr(self, "status", None) is not None:
            os.close(self.fd)
            return self.usage.ru_maxrss
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


def key_sequence(term, cap):
    """What the terminal's keypad sends for a key in keypad-transmit mode
    (the mode curses puts it in): kcud1 is ESC O B, not ESC [ B, on
    xterm and vt100 alike."""
    out = subprocess.run(["tput", "-T", term, cap], capture_output=True, check=True)
    return out.stdout


def register_bj0042(t):
    """From the home screen: the chooser, the code BJ-0042 typed a key at a
    time, "+ Register a new household: BJ-0042", and ^X: registered with
    that code, its page opens."""
    t.send(ENTER)
    t.read_quiet()
    for ch in b"BJ-0042":
        t.send(bytes([ch]))
        t.read_quiet()
    t.send(ENTER)
    t.read_quiet()
    t.send(CTRL_X)


def run_doorstep(term, args=(), wrap=None, mark=None):
    """The scripted interview, registered, answered and finalized. Returns
    the bytes, those of each question and each keystroke, and what the
    bench checked: True when the record is finalized in the database with
    every scripted question answered, else what went wrong. args: more
    flags; wrap(argv, env) gives the command that runs doorstep (under
    strace, through ssh); mark(what) is called as the first question is
    shown ("first") and once the last is answered ("last")."""
    db = os.path.join(WORK, "bytes-%s%s.db" % (term, "".join(args)))
    if os.path.exists(db):
        os.unlink(db)
    down, up = key_sequence(term, "kcud1"), key_sequence(term, "kcuu1")
    argv = [BIN, "--db", db, "--forms", os.path.join(ROOT, "forms"),
            "--lang", "en"] + list(args)
    env = env_for(term)
    if wrap is not None:
        argv = wrap(argv, env)
    t = Term(argv, env)
    t.wait_for(b"Quit")
    t.read_quiet()
    register_bj0042(t)
    t.wait_for(b"New interview")
    t.read_quiet()
    t.send(ENTER)       # 1. New interview
    t.wait_for(b"Which round")
    t.read_quiet()
    t.send(ENTER)       # no round
    t.wait_for(b"Tell the respondent")
    t.read_quiet()
    if mark:
        mark("first")
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
    # After the last question the review opens on its last line, [ Finalize
    # this interview ]: Up and Down (the keypad's own sequences) leave it
    # and come back, then Enter and y finalize.
    t.wait_for(b"Finalize this interview")
    t.read_quiet()
    if mark:
        mark("last")
    t.send(up)
    t.read_quiet()
    t.send(down)
    t.read_quiet()
    t.send(ENTER)
    t.wait_for(b"y: finalize")
    t.read_quiet()
    t.send(b"y")
    t.wait_for(b"Next visit")
    t.read_quiet()
    t.send(CTRL_X)      # no next visit
    t.read_quiet()
    total = t.total     # the interview's bytes; what follows is leaving
    global LAST_OUTPUT
    LAST_OUTPUT = t.buf[:total]
    # Back from the household's page, the chooser, the home screen: quit.
    for _ in range(4):
        t.send(CTRL_X)
        t.read_quiet()
        if t.exited():
            break
    t.finish()
    con = sqlite3.connect(db)
    status = con.execute("SELECT group_concat(status) FROM records").fetchone()[0]
    answered = {n for (n,) in con.execute(
        "SELECT DISTINCT name FROM answers WHERE value IS NOT NULL")}
    con.close()
    missing = [n for n, keys in SCRIPT if keys != [ENTER] and n not in answered]
    check = True
    if status != "finalized":
        check = "the interview ended %s, not finalized" % status
    elif missing:
        check = "not answered: %s" % " ".join(missing)
    return total, transitions, typing, check


# The screens the scripted run passes through besides its questions, in
# order, each with the program's English texts a user must read there, as
# shown (menu items, prompts, field names, the review's rows as they open,
# messages), once each, and one key hint ("Enter accept"). Not counted:
# titles, the key bar beyond that one hint, help lines, paths, counts
# and decoration. The run's total stops at the household's page after
# the interview (leaving it is not counted), and so does this list.
HINT = "Enter accept"
SCREENS = [
    ("home", ["1. New interview", "2. Resume a draft (0)",
              "3. Households (0 open)", "4. Visits due (0)",
              "5. Round: none chosen", "6. Needs report", "7. Help", "8. Quit",
              HINT]),
    ("chooser", ["Search by code, name, phone or address:",
                 "+ Register a new household", "- Interview without a household",
                 HINT]),
    ("register", ["Code", "BJ-0042", "Head of household", "Phone",
                  "Community / address", "Site", "Next visit (YYYY-MM-DD)",
                  "Notes", "[ Save and start interview ]", HINT]),
    ("household", ["BJ-0042", "Status", "open", "Next visit", "not set",
                   "1. New interview", "2. Edit details and next visit",
                   "3. Timeline (0 interviews)", "4. Close the case",
                   "5. Delete (registered by mistake)", "6. Trail: who did what",
                   "Household BJ-0042 saved.", HINT]),
    ("round", ["Which round is this interview of? Type one of the rounds below "
               "or a new one, such as 2020-R2; Enter on an empty line: no round.",
               "No interview has a round yet.", HINT]),
    ("review", ["How many children are in school?", "1",
                "What device do the children use for o", "A parent's phone, shared",
                "Is the home internet good enough for", "No",
                "Can the parents help with schoolwork?", "Sometimes",
                "Which skills would the adults like to",
                "Computer and phone skills", "7. Emotional well-being",
                "Have they felt worried or afraid late", "Often",
                "Have they been sleeping badly?", "Sometimes",
                "Would they like to talk with a social", "Yes",
                "8. Self-realisation",
                "What do they plan to do after the epi", "Stay in the city",
                "What do they hope for?", "孩子能上学",
                "Would they like to volunteer?", "Yes", "Closing",
                "What is the most urgent need?", "rent money",
                "Date of the next visit", "2020-03-10",
                "Social worker's notes", "-",
                "Thank the respondent and say when you",
                "[ Finalize this interview ]", HINT]),
    ("finalize", ["Finalize? Answers cannot change afterwards. y: finalize, "
                  "n: not yet"]),
    ("next visit", ["Next visit to BJ-0042 (YYYY-MM-DD), or empty for none:",
                    "2020-03-10",
                    "Interview finalized with 46 answers; it waits for upload.",
                    HINT]),
    ("household after", ["BJ-0042", "Head", "刘丽 Liu", "Phone", "13812345678",
                         "Status", "open", "Next visit", "not set", "Last visit",
                         "YYYY-MM-DD", "1. New interview",
                         "2. Edit details and next visit",
                         "3. Timeline (1 interview)", "4. Close the case",
                         "5. Trail: who did what", HINT]),
]


def screen_texts_shown(out):
    """The SCREENS texts doorstep's output does not hold (none: the
    minimum counts what doorstep showed). The output with its control
    sequences taken out; "Last visit" is followed by today's date."""
    text = re.sub(rb"\x1b(\[[0-9;?]*[A-Za-z@]|\([0B]|[=>]|\][^\x07]*\x07)|[\x00-\x1f]",
                  b"", out).decode("utf-8", "replace")
    text = "".join(text.split())    # wrapped lines, padded columns
    return [t for _, texts in SCREENS for t in texts
            if t != "YYYY-MM-DD" and "".join(t.split()) not in text]


def minimum_bytes(texts, screens=True):
    """The UTF-8 bytes that must newly appear, and one echo a character:
    each question's label, hint, choices ("1. ( ) " counted as 4 B) and
    its counter; with screens, the SCREENS texts and one space between
    two texts of a screen."""
    total = 0
    for name, keys in SCRIPT:
        label, hint, choices = question_texts(texts, name)
        total += len(label.encode()) + len(hint.encode())
        total += sum(len(c.encode()) + 4 for c in choices)  # "1. ( ) "
        total += len("12/48")
        for typed, k in keystrokes(keys):
            if typed:
                total += len(k)
    if screens:
        # The code typed in the chooser: one echo a character.
        total += len("BJ-0042")
        for _, shown in SCREENS:
            total += sum(len(t.encode()) for t in shown) + len(shown) - 1
    return total


def box_kind(name, keys):
    """The dialog(1) box that asks what a scripted question asks."""
    if any(isinstance(k, str) for k in keys) or name in ("medical_cost", "notes"):
        return "inputbox"
    if len(keys) > 1 and keys[-1] == ENTER:
        return "checklist"
    if keys == [ENTER]:
        return "msgbox"
    return "menu"


def dialog_script(texts):
    """The same questions as dialog(1) boxes, one a question. Each box's
    exit status and answer go to a log, so the bench can check that every
    box was answered as scripted and that the run reached its end."""
    log = os.path.join(WORK, "dialog.log")
    lines = ["#!/bin/sh", ": > '%s'" % log]
    for name, keys in SCRIPT:
        label, hint, choices = question_texts(texts, name)
        text = (label + ("\n" + hint if hint else "")).replace("'", "'\\''")
        kind = box_kind(name, keys)
        items = ""
        if kind == "checklist":
            items = " ".join("%d '%s' off" % (i + 1, c.replace("'", "'\\''"))
                             for i, c in enumerate(choices))
            box = "dialog --checklist '%s' 20 76 10 %s" % (text, items)
        elif kind == "menu":
            items = " ".join("%d '%s'" % (i + 1, c.replace("'", "'\\''"))
                             for i, c in enumerate(choices))
            box = "dialog --menu '%s' 20 76 10 %s" % (text, items)
        elif kind == "inputbox":
            box = "dialog --inputbox '%s' 10 76" % text
        else:
            box = "dialog --msgbox '%s' 10 76" % text
        lines.append("a=$(%s 3>&1 1>&2 2>&3); echo \"%s $? $a\" >> '%s'"
                     % (box, name, log))
    lines.append("echo END >> '%s'" % log)
    path = os.path.join(WORK, "dialog.sh")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path, log


def expected_dialog_answer(name, keys):
    """What dialog prints for a box answered with the scripted keys."""
    kind = box_kind(name, keys)
    if kind == "inputbox":
        return "".join(k[2:] for k in keys if isinstance(k, str))
    if kind == "menu":
        return keys[0].decode()
    if kind == "checklist":
        return " ".join(k.decode() for k in keys[:-1])
    return ""


def log_lines(log):
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()
    except OSError:
        return []


def run_dialog(term, script):
    """dialog(1) answers every box with the same choices as doorstep: a
    menu takes the item's tag and Enter (a tag alone only moves the
    highlight), a checklist the tag and Space for each item ticked, then
    Enter. Returns the bytes and the check (True, or what went wrong)."""
    path, log = script
    t = Term(["sh", path], env_for(term))
    texts = form_texts()
    mark = 0
    for i, (name, keys) in enumerate(SCRIPT):
        kind = box_kind(name, keys)
        # The box is drawn (its label's first word is out) before keys go.
        word = (question_texts(texts, name)[0].split() or [""])[0].encode()
        end = time.monotonic() + 10
        while word not in t.buf[mark:] and time.monotonic() < end:
            t.read_quiet(0.02, 0.05)
        t.read_quiet(0.1)
        mark = len(t.buf)
        for typed, k in keystrokes(keys):
            t.send(k)
            t.read_quiet()
            if kind == "checklist" and k != ENTER:
                t.send(b" ")   # the tag moved to the item; Space ticks it
                t.read_quiet()
        if kind == "menu":
            t.send(ENTER)
            t.read_quiet()
        end = time.monotonic() + 10
        while len(log_lines(log)) < i + 1 and time.monotonic() < end:
            t.read_quiet(0.02, 0.05)
    t.finish()
    got = log_lines(log)
    check = True
    if got[-1:] != ["END"]:
        check = "dialog's run did not reach its end (%d of %d boxes)" % (
            len(got), len(SCRIPT))
    else:
        for (name, keys), line in zip(SCRIPT, got):
            want = "%s 0 %s" % (name, expected_dialog_answer(name, keys))
            if line.rstrip() != want.rstrip():
                check = "box %s answered %r, not %r" % (name, line, want)
                break
    return t.total, check


LAST_OUTPUT = b""


def bench_terminal_bytes():
    texts = form_texts()
    minimum = minimum_bytes(texts)
    script = dialog_script(texts)
    print("bench: the minimum is %d B: %d B of questions (label, hint, choices, "
          "counter, typed echo) and %d B of the other screens' texts (SCREENS)"
          % (minimum, minimum_bytes(texts, False),
             minimum - minimum_bytes(texts, False)), file=sys.stderr)
    for term in ("xterm-256color", "vt100"):
        total, trans, typing, done = run_doorstep(term)
        missing = screen_texts_shown(LAST_OUTPUT)
        if done is True and missing:
            done = "the minimum counts texts doorstep did not show: %s" % (
                "; ".join(missing))
        dlg, dlg_done = run_dialog(term, script)
        plain, _, _, plain_done = run_doorstep(term, ("--plain",))
        row("bytes, whole interview, plain look (%s)" % term, plain, minimum,
            "<= 2x minimum", plain <= 2 * minimum, "B", check=plain_done)
        row("bytes, whole interview (%s)" % term, total, minimum,
            "<= 2x minimum", total <= 2 * minimum, "B", check=done)
        row("bytes vs dialog(1) (%s)" % term, total, dlg, "<= 0.1x dialog",
            total <= 0.1 * dlg, "B",
            check=done if done is not True else dlg_done)
        row("bytes per question, median (%s)" % term, statistics.median(trans),
            None, "-", True, "B")
        row("bytes per question, max (%s)" % term, max(trans), None, "-", True, "B")
        row("bytes per keystroke, median (%s)" % term, statistics.median(typing),
            None, "-", True, "B")
        row("whole interview under 16 KB (%s)" % term, total, 16384,
            "< 16384 B", total < 16384, "B")


def strace_writes(path):
    """The writes to the terminal (fd 1) in an strace -o file so far."""
    try:
        with open(path, errors="replace") as f:
            return sum(1 for line in f if re.match(r"(\d+ +)?write\(1,", line))
    except OSError:
        return 0


def keys_in_script():
    return sum(len(list(keystrokes(keys))) for _, keys in SCRIPT)


class Sshd:
    """An sshd of the bench's own on 127.0.0.1: its own host key, config
    and authorized key, for this user; stopped by stop()."""

    def __init__(self):
        d = tempfile.mkdtemp(prefix="ssh-", dir=WORK)
        for k in ("host", "client"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "",
                            "-f", os.path.join(d, k)], check=True)
        shutil.copy(os.path.join(d, "client.pub"), os.path.join(d, "keys"))
        os.makedirs("/run/sshd", exist_ok=True)
        self.port = 20000 + int.from_bytes(os.urandom(2), "big") % 30000
        conf = os.path.join(d, "sshd_config")
        with open(conf, "w") as f:
            f.write("ListenAddress 127.0.0.1\nHostKey %s\nPidFile %s\n"
                    "AuthorizedKeysFile %s\nStrictModes no\nUsePAM no\n"
                    "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                    "PubkeyAuthentication yes\nPermitRootLogin prohibit-password\n"
                    % (os.path.join(d, "host"), os.path.join(d, "sshd.pid"),
                       os.path.join(d, "keys")))
        log = open(os.path.join(d, "sshd.log"), "w")
        self.proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", conf,
                                      "-p", str(self.port)], stderr=log)
        end = time.monotonic() + 10
        while time.monotonic() < end:
            with open(os.path.join(d, "sshd.log")) as f:
                if "Server listening" in f.read():
                    break
            time.sleep(0.05)
        self.client = os.path.join(d, "client")

    def wrap(self, argv, env):
        """ssh -t to this sshd running argv with the bench's environment."""
        keep = " ".join("%s=%s" % (k, shlex.quote(env[k])) for k in
                        ("LANG", "LC_ALL", "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"))
        return ["ssh", "-F", "/dev/null", "-i", self.client, "-o",
                "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-t", "-p",
                str(self.port), "127.0.0.1",
                "cd %s && env %s %s" % (shlex.quote(ROOT), keep,
                                        " ".join(shlex.quote(a) for a in argv))]

    def segments_out(self):
        """TCP segments carrying data that the sshd has sent on its
        connections (ss -ti data_segs_out; pure ACKs are TCP's, not ours)."""
        out = subprocess.run(["ss", "-tinH", "state", "established", "(",
                              "sport", "=", ":%d" % self.port, ")"],
                             capture_output=True, text=True).stdout
        return sum(int(n) for n in re.findall(r"data_segs_out:(\d+)", out))

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def bench_writes(args=(), look="colour"):
    """Writes to the terminal and TCP segments over a real ssh session on
    loopback, for the scripted interview. The baseline is one write (and
    one segment) a key pressed: what "one write a key" would give."""
    questions = len(SCRIPT)
    keys = keys_in_script()
    for term in ("xterm-256color", "vt100"):
        if shutil.which("strace"):
            trace = os.path.join(WORK, "writes-%s.txt" % term)
            seen = {}
            _, _, _, done = run_doorstep(
                term, args, wrap=lambda argv, env: ["strace", "-f", "-e",
                                                    "trace=write", "-e", "signal=none",
                                                    "-o", trace] + argv,
                mark=lambda what: seen.__setitem__(what, strace_writes(trace)))
            n = seen.get("last", 0) - seen.get("first", 0)
            row("writes per question (%s, %s look; %d questions, %d keys)"
                % (term, look, questions, keys), n / questions, keys / questions,
                "<= 1.5 a key (one a key, and one when the cursor is shown or hidden)",
                n <= 1.5 * keys, "", check=done)
            row("writes per key (%s, %s look)" % (term, look), n / keys, 1,
                "-", True, "", check=done)
        else:
            row("writes per question (%s)" % term, float("nan"), None, "-", True,
                "", check="strace is not installed")
        if not (os.path.exists("/usr/sbin/sshd") and shutil.which("ssh")
                and shutil.which("ss")):
            row("TCP segments per question over ssh (%s)" % term, float("nan"),
                None, "-", True, "", check="sshd, ssh or ss is not installed")
            continue
        sshd = Sshd()
        try:
            seen = {}
            _, _, _, done = run_doorstep(
                term, args, wrap=sshd.wrap,
                mark=lambda what: seen.__setitem__(what, sshd.segments_out()))
        finally:
            sshd.stop()
        n = seen.get("last", 0) - seen.get("first", 0)
        row("TCP data segments per question, sshd to client, loopback (%s, %s look)"
            % (term, look), n / questions, keys / questions,
            "<= 1.5 a key", n <= 1.5 * keys, "", check=done)


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
    """Median seconds and peak RSS (KB) of a command. The RSS comes from
    GNU time when there is one: a child forked from this Python process
    counts Python's own pages in its ru_maxrss before it execs, which
    made every figure under about 30 MB read as Python's size."""
    times, rss = [], 0
    gnu_time = shutil.which("time") if os.path.exists("/usr/bin/time") else None
    out = os.path.join(WORK, "time.out")
    for _ in range(runs):
        cmd = ["/usr/bin/time", "-f", "%M", "-o", out] + argv if gnu_time else argv
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        times.append(time.monotonic() - t0)
        if gnu_time:
            with open(out) as f:
                rss = max(rss, int(f.read().split()[-1]))
        else:
            rss = max(rss, usage.ru_maxrss)
    return statistics.median(times), rss


def cpu_timed(argv, runs=5):
    """Median CPU seconds (user + system) of a command: what it costs,
    whatever else the machine runs beside it (on a shared machine the
    wall time of a run of 30 ms is mostly waiting for a core)."""
    cpu = []
    for _ in range(runs):
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(p.pid, 0)
        cpu.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(cpu)


def bench_form_scale():
    results, cpu = {}, {}
    for n in (100, 1000, 10000, 50000):
        path = os.path.join(WORK, "gen-%d.yaml" % n)
        gen_form(n, path)
        cpu[n] = cpu_timed([BIN, "--check", path])
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
        growth <= 10.0, "x")
    for a, b in ((1000, 10000), (10000, 50000)):
        g = cpu[b] / max(cpu[a], 1e-6)
        row("--check CPU time growth %s -> %s (%.0f -> %.0f ms)" % (
            format(a, ","), format(b, ","), cpu[a] * 1000, cpu[b] * 1000),
            g, b / a, "<= %dx (linear)" % (b // a), g <= b / a, "x")
    form_answer_rows()
    interview_start_rows()


FORM_SIZES = (500, 5000, 50000)


def form_answer_rows():
    """An answer (taken, and the next question shown) on generated forms of
    500, 5,000 and 50,000 questions, each against the 500 figure: the
    form logic's cost, so the database lies in memory (/dev/shm) where
    there is one, not behind a disk's fsync."""
    where = "/dev/shm" if os.path.isdir("/dev/shm") else WORK
    d = tempfile.mkdtemp(prefix="doorstep-bench-form-", dir=where)
    got = {}
    try:
        for n in FORM_SIZES:
            out = subprocess.run([CORE, "form", d, str(n)], capture_output=True,
                                 text=True, check=True).stdout
            vals = {l.split()[0]: l.split()[1:] for l in out.splitlines()}
            us, k = vals["form_answer_us_%d" % n]
            rss, steps = vals["form_answer_rss_kb_%d" % n]
            got[n] = (float(us), int(k), int(rss), int(steps))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    base = got[FORM_SIZES[0]][0]
    for n in FORM_SIZES:
        us, k, rss, steps = got[n]
        row("answer on a %d-question form, median (answer + next shown; "
            "database in %s)" % (n, "memory" if where == "/dev/shm" else "files"),
            us, base, "<= 2x the %d-question figure" % FORM_SIZES[0],
            us <= 2 * base, "us", check=True if k == 200 and steps > n // 3 else
            "%d answers given, %d steps laid out" % (k, steps))
        row("memory held by a %d-question interview (form, answers, steps)" % n,
            rss, None, "-", True, "KB")


def start_interview(forms, pick):
    """Seconds from Enter on "New interview" (and, with pick, the key
    choosing the small form in the list) to its first question drawn, and
    the peak RSS then (KB)."""
    db = os.path.join(WORK, "start.db")
    for f in (db, db + "-wal", db + "-shm"):
        if os.path.exists(f):
            os.unlink(f)
    t = Term([BIN, "--db", db, "--forms", forms, "--lang", "en", "--round", "R1",
              "--interviewer", "liu"], env_for("xterm-256color"))
    t.wait_for(b"save+leave")
    t.read_quiet()
    register_bj0042(t)
    t.wait_for(b"New interview")
    t.read_quiet()
    t.buf = b""
    spent = 0.0
    t0 = time.monotonic()
    t.send(ENTER)       # 1. New interview
    if pick is not None:
        t.wait_for(b"Needs assessment of migrant")
        spent += time.monotonic() - t0
        t.read_quiet()
        t0 = time.monotonic()
        t.send(pick)
    t.wait_for(b"Tell the respondent", 60)
    spent += time.monotonic() - t0
    ok = b"Tell the respondent" in t.buf
    t.read_quiet()
    rss = t.peak_rss()
    t.send(CTRL_X)
    t.read_quiet()
    t.send(CTRL_X)
    t.finish()
    return spent, rss, ok


def interview_start_rows():
    """Starting an interview of the bundled form with a 50,000-question
    form lying in the forms folder (chosen from the list), against the
    bundled form alone in its folder."""
    alone = os.path.join(WORK, "forms-alone")
    beside = os.path.join(WORK, "forms-beside")
    for d in (alone, beside):
        os.makedirs(d, exist_ok=True)
        shutil.copy(FORM, d)
    gen_form(50000, os.path.join(beside, "gen50000.yaml"))  # listed first
    mine, base, rss_mine, rss_base, ok = [], [], 0, 0, True
    for _ in range(5):
        t, rss, done = start_interview(beside, b"2")
        mine.append(t)
        rss_mine = max(rss_mine, rss)
        ok = ok and done
        t, rss, done = start_interview(alone, None)
        base.append(t)
        rss_base = max(rss_base, rss)
        ok = ok and done
    m, b = median_ms(mine), median_ms(base)
    row("start an interview with a 50,000-question form beside it in the "
        "folder, vs alone", m, b, "<= 2x alone", m <= 2 * b, "ms",
        check=True if ok else "the first question was not drawn")
    row("peak RSS starting it beside the 50,000-question form, vs alone",
        rss_mine, rss_base, "<= 2x alone", rss_mine <= 2 * rss_base, "KB")


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
    row("whole answer (answer + move on, every commit), median (100,000 records)",
        m, b, "<= 2x sqlite3 INSERT", m <= 2 * b, "us")
    m, b = vals["store_commit_p99_us"]
    row("whole answer, p99", m, b, "-", True, "us")
    m, b = vals["repeat_answer_us"]
    big, small = vals["repeat_entries"]
    row("answer in a %d-entry repeat vs %d (500 asked; at most FORM_MAX_ENTRIES)"
        % (big, small), m, b, "about the same (<= 2x)", m <= 2 * b, "us",
        check=True if small == 5 and big >= 100 else
        "the repeats have %d and %d entries" % (big, small))


def bench_fsyncs():
    """Durable commits (fsync and fdatasync calls, counted by strace) in one
    interview of the bundled form as the runner gives it: each question
    shown, answered, and so on, then finalized."""
    if not shutil.which("strace"):
        row("fsyncs per question answered", float("nan"), None, "-", True, "",
            check="strace is not installed")
        return
    db = os.path.join(WORK, "fsync.db")
    out = os.path.join(WORK, "strace.txt")
    # A first interview makes the database; the second one is counted.
    subprocess.run([CORE, "interview", db, FORM], check=True,
                   stdout=subprocess.DEVNULL)
    p = subprocess.run(["strace", "-f", "-c", "-e", "trace=fsync,fdatasync", "-o",
                        out, CORE, "interview", db, FORM], capture_output=True,
                       text=True)
    answered, shown = (int(v) for v in p.stdout.split()) if p.returncode == 0 \
        else (0, 0)
    calls = 0
    with open(out) as f:
        for line in f:
            m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?f(data)?sync$",
                         line)
            if m:
                calls += int(m.group(1))
    con = sqlite3.connect(db)
    status = con.execute("SELECT status FROM records ORDER BY id DESC").fetchone()[0]
    con.close()
    row("fsyncs per question shown (%d shown, %d answered, %d fsyncs)"
        % (shown, answered, calls), calls / max(shown, 1), None,
        "<= 1 a question + 8 an interview (open, begin, finalize, leave)",
        calls <= shown + 8, "",
        check=True if status == "finalized" else "the interview is " + status)


def bench_seal():
    """Finalize with and without sealing on the bundled form (a copy with
    public_key: added), the same answers both sides, in-process
    (bench_core seal): the finalize the interviewer waits for, then the
    scrub the program runs before it reads the next key (the log that
    held the typed answers copied into the database and cut to nothing;
    nothing to do for a plain record). The check: every record finalized;
    sealed, no answer left, its submission.xml.enc kept, the typed text in
    neither the database file nor its log; plain, the answers there."""
    key = open(os.path.join(ROOT, "tests", "seal", "org.pub.b64")).read().strip()
    sealed = os.path.join(WORK, "needs_assessment_sealed.yaml")
    with open(FORM) as f, open(sealed, "w") as out:
        for line in f:
            out.write(line)
            if line.startswith("version:"):
                out.write("public_key: %s\n" % key)
    out = subprocess.run([CORE, "seal", WORK, FORM, sealed, "50"],
                         capture_output=True, text=True, check=True).stdout
    vals = {l.split()[0]: l.split()[1:] for l in out.splitlines()}
    s_bad, p_bad = vals["seal_check"]
    check = True if s_bad == p_bad == "ok" else \
        "sealed: %s; plain: %s" % (s_bad, p_bad)
    m, b = (float(v) for v in vals["seal_finalize_wall_ms"])
    row("finalize a record of the bundled form, sealed vs plain, as the "
        "interviewer waits (median of 50)", m, b, "sealed < 10 ms", m < 10, "ms",
        check=check)
    m, b = (float(v) for v in vals["seal_total_cpu_ms"])
    row("CPU of a sealed finalize and its scrub vs a plain finalize", m, b,
        "sealed < 10 ms", m < 10, "ms", check=check)
    m, b = (float(v) for v in vals["seal_scrub_wall_ms"])
    row("the scrub after a sealed finalize, before the next key (log into "
        "the database, log cut to nothing: 2 fdatasync, 2 ftruncate); plain: "
        "none", m, b, "-", True, "ms", check=check)
    m, b = (float(v) for v in vals["seal_total_wall_ms"])
    row("sealed finalize + scrub vs plain finalize, wall", m, b, "-", True, "ms",
        check=check)


WRITER = os.path.join(ROOT, "build", "bench", "writer")


def bench_writers():
    """Commit latency with 1, 5 and 20 interviewers answering at the same
    moment on one database (tests/stress/writer.c, the interview code as
    the program runs it): each answer, the move to its question included.
    The check: every writer exited 0 and every answer it was told was
    saved is in the database."""
    form = os.path.join(ROOT, "tests", "stress", "stress.yaml")
    for n in (1, 5, 20):
        db = os.path.join(WORK, "writers-%d.db" % n)
        times = os.path.join(WORK, "writers-%d.times" % n)
        env = dict(os.environ, WRITER_TIMES=times)
        procs = [subprocess.Popen([WRITER, db, form, str(w), str(max(2, 40 // n))],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=env) for w in range(1, n + 1)]
        outs = [p.communicate() for p in procs]
        bad = sum(1 for p in procs if p.returncode != 0)
        acked = [l.split(None, 3)[1:] for o, _ in outs for l in
                 o.decode().splitlines() if l.startswith("answer ")]
        con = sqlite3.connect(db)
        stored = {(i, k, v) for i, k, v in con.execute(
            "SELECT r.instance_id, a.name, a.value FROM answers a JOIN records r "
            "ON r.id = a.record_id")}
        con.close()
        lost = sum(1 for a in acked if tuple(a) not in stored)
        locked = sum(1 for _, e in outs if b"locked" in e)
        with open(times) as f:
            lat = sorted(float(l) for l in f)
        check = True
        if bad or lost or locked or not lat:
            check = "%d writers failed, %d answers lost, %d met a lock" % (
                bad, lost, locked)
        p99 = lat[int(0.99 * (len(lat) - 1))] if lat else float("nan")
        med = statistics.median(lat) if lat else float("nan")
        row("commit latency, %d writer(s) at once, median (%d answers)"
            % (n, len(lat)), med / 1000, None, "-", True, "ms", check=check)
        row("commit latency, %d writer(s) at once, p99" % n, p99 / 1000, None,
            "< 300 ms (\"a few hundred\")", p99 < 300000, "ms", check=check)


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


def server_stats(url):
    """The receiver's /stats: requests (POSTs), connections, body_bytes."""
    import json
    import urllib.request
    base = url.split("/v1/")[0]
    with urllib.request.urlopen(base + "/stats") as f:
        return json.load(f)


def same_work(name, got, want, n, connections):
    """Whether a client's run did the work: n POSTs at the receiver, the
    same request bodies in bytes as want's, on that many connections (None:
    not counted; the receiver tells connections apart by the client's port,
    which a loop of 1,000 processes reuses)."""
    if got["requests"] != n:
        return "%s sent %d POSTs of %d" % (name, got["requests"], n)
    if want is not None and got["body_bytes"] != want["body_bytes"]:
        return "%s sent %d body bytes, doorstep %d" % (
            name, got["body_bytes"], want["body_bytes"])
    if connections is not None and got["connections"] != connections:
        return "%s used %d connections, not %d" % (
            name, got["connections"], connections)
    return True


# A curl form part that is doorstep's: the same part name, file name and
# type, so that both send bodies of the same bytes (only the boundary's
# random digits differ).
CURL_FORM = 'form = "xml_submission_file=@%s;filename=submission.xml;type=text/xml"\n'


def bench_upload():
    """--upload of 1,000 records against the receiver in its "fast" mode,
    median of UPLOAD_RUNS runs, each on a fresh copy of the queue: against
    one curl process sending the same bodies on one kept-alive connection
    (curl -K, runs interleaved with doorstep's), and against a loop of one
    curl process a record (one run: it takes minutes)."""
    runs = int(os.environ.get("UPLOAD_RUNS", "5"))
    src = os.path.join(WORK, "upload-src.db")
    db = os.path.join(WORK, "upload.db")
    subprocess.run([CORE, "records", src, FORM, "1000"], check=True)
    xmldir = os.path.join(WORK, "xml")
    os.makedirs(xmldir, exist_ok=True)
    con = sqlite3.connect(src)
    body = 0
    for i, (x,) in enumerate(con.execute("SELECT xml FROM records")):
        with open(os.path.join(xmldir, "%04d.xml" % i), "w") as f:
            f.write(x)
        body += len(x.encode())
    con.close()
    files = sorted(os.listdir(xmldir))

    def run(argv, shell=False):
        """Starts a fresh receiver, runs argv; records/s and the
        receiver's /stats."""
        server, url = start_server("fast")
        cmd = argv(url)
        t0 = time.monotonic()
        subprocess.run(cmd, shell=shell, check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env=dict(os.environ, HOME=WORK))
        rate = len(files) / (time.monotonic() - t0)
        got = server_stats(url)
        server.terminate()
        server.wait()
        return rate, got

    # One curl process for every record, the connection kept alive: a
    # config file of one url and one form part a record, "next" between.
    cfg = os.path.join(WORK, "curl.cfg")

    def keepalive(url):
        with open(cfg, "w") as f:
            for i, name in enumerate(files):
                if i:
                    f.write("next\n")
                f.write('url = "%s"\nheader = "X-OpenRosa-Version: 1.0"\n'
                        'output = "/dev/null"\nsilent\n' % url)
                f.write(CURL_FORM % os.path.join(xmldir, name))
        return ["curl", "-K", cfg]

    mine, one, ok, ok_one = [], [], True, True
    for _ in range(runs):
        shutil.copy(src, db)
        rate, got = run(lambda url: [BIN, "--db", db, "--upload", url])
        mine.append(rate)
        con = sqlite3.connect(db)
        uploaded = con.execute("SELECT count(*) FROM records WHERE status = "
                               "'uploaded'").fetchone()[0]
        con.close()
        if ok is True:
            ok = same_work("doorstep", got, None, len(files), 1)
            if ok is True and uploaded != len(files):
                ok = "doorstep marked %d uploaded of %d" % (uploaded, len(files))
        mine_got = got
        rate, got = run(keepalive)
        one.append(rate)
        if ok_one is True:
            ok_one = same_work("the keep-alive curl", got, mine_got, len(files), 1)
    mine, one = statistics.median(mine), statistics.median(one)
    loop, got_loop = run(lambda url: (
        'for f in %s/*.xml; do curl -s -o /dev/null -H "X-OpenRosa-Version: 1.0" '
        '-F "xml_submission_file=@$f;filename=submission.xml;type=text/xml" '
        '"%s"; done' % (xmldir, url)), shell=True)
    ok_loop = same_work("the curl loop", got_loop, mine_got, len(files), None)
    row("upload %d records, records/s, vs a curl loop (1 run)" % len(files),
        mine, loop, ">= 5x a curl loop", mine >= 5 * loop, "rec/s",
        check=ok if ok is not True else ok_loop)
    row("upload %d records, records/s, vs one keep-alive curl (median of %d)"
        % (len(files), runs), mine, one, ">= 1x one curl process", mine >= one,
        "rec/s", check=ok if ok is not True else ok_one)
    row("upload body bytes per record", body / 1000, None, "-", True, "B")


def bench_upload_at(db, n):
    """--upload of every queued record of db: time and peak RSS, against
    one keep-alive curl process POSTing the same XML."""
    con = sqlite3.connect(db)
    xmls = [x for (x,) in con.execute(
        "SELECT xml FROM records WHERE status = 'finalized' ORDER BY started_at, id")]
    con.close()
    xmldir = os.path.join(WORK, "xml-%d" % n)
    os.makedirs(xmldir, exist_ok=True)
    cfg = os.path.join(WORK, "curl-%d.cfg" % n)
    with open(cfg, "w") as f:
        for i, x in enumerate(xmls):
            path = os.path.join(xmldir, "%07d.xml" % i)
            with open(path, "w") as g:
                g.write(x)
            f.write('%surl = "URL"\nheader = "X-OpenRosa-Version: 1.0"\n'
                    'output = "/dev/null"\nsilent\n' % ("next\n" if i else ""))
            f.write(CURL_FORM % path)
    server, url = start_server("fast")
    mine, rss = timed(["env", "HOME=" + WORK, BIN, "--db", db, "--upload", url],
                      runs=1)
    got = server_stats(url)
    server.terminate()
    server.wait()
    sent = sqlite3.connect(db).execute(
        "SELECT count(*) FROM records WHERE status = 'finalized'").fetchone()[0]
    with open(cfg) as f:
        text = f.read()
    server, url = start_server("fast")
    with open(cfg, "w") as f:
        f.write(text.replace('"URL"', '"%s"' % url))
    base, base_rss = timed(["curl", "-K", cfg], runs=1)
    got_base = server_stats(url)
    server.terminate()
    server.wait()
    shutil.rmtree(xmldir, ignore_errors=True)
    check = same_work("doorstep", got, None, len(xmls), 1)
    if check is True and sent != 0:
        check = "doorstep left %d queued" % sent
    if check is True:
        check = same_work("curl", got_base, got, len(xmls), 1)
    row("--upload of %d queued (%d records), vs one keep-alive curl"
        % (len(xmls), n), mine * 1000, base * 1000, "-", True, "ms", check=check)
    row("--upload peak RSS (%d records), vs curl's" % n, rss, base_rss,
        "< 32768 KB", rss < 32768, "KB")


def import_baseline(src_jsonl, src_db, db):
    """The same-transaction importer: every record of the JSONL file, its
    household (with the history and trail entries doorstep writes for a
    household registered) and answers (values as doorstep keeps them), and
    an XML instance the size of doorstep's, inserted in one transaction
    through Python's sqlite3."""
    import json
    con = sqlite3.connect(db)
    con.execute("ATTACH ? AS src", (src_db,))
    xml = con.execute("SELECT xml FROM src.records WHERE xml IS NOT NULL "
                      "LIMIT 1").fetchone()[0]
    con.execute("BEGIN")
    con.execute("INSERT INTO form_versions SELECT * FROM src.form_versions")
    ref = con.execute("SELECT id FROM form_versions").fetchone()[0]
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")

    def text(v):
        if v is None:
            return None
        if isinstance(v, list):
            return " ".join(v)
        return str(v)

    with open(src_jsonl, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r.get("household"):
                h = con.execute("INSERT OR IGNORE INTO households (code, site, "
                                "created_at, updated_at) VALUES (?, ?, ?, ?)",
                                (r["household"], r["site"], now, now))
                if h.rowcount == 1:
                    con.execute("INSERT INTO household_events (household_id, at, "
                                "what, detail) VALUES (?, ?, 'registered', "
                                "'import')", (h.lastrowid, now))
                    con.execute("INSERT INTO trail (at, login, what, household, "
                                "detail) VALUES (?, 'bench', 'registered', ?, "
                                "'import')", (now, r["household"]))
            cur = con.execute(
                "INSERT INTO records (instance_id, form_version_id, household, "
                "round, site, interviewer, status, started_at, updated_at, "
                "finalized_at, xml) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (r["instance_id"], ref, r["household"], r["round"], r["site"],
                 r["interviewer"], r["status"], r["started_at"], now,
                 r["finalized_at"], xml))
            rows = []
            for k, v in r["answers"].items():
                if isinstance(v, list) and v and isinstance(v[0], dict):
                    for e, entry in enumerate(v, 1):
                        rows += [(cur.lastrowid, ek, e, text(ev))
                                 for ek, ev in entry.items()]
                else:
                    rows.append((cur.lastrowid, k, 0, text(v)))
            con.executemany("INSERT INTO answers (record_id, name, entry, value) "
                            "VALUES (?, ?, ?, ?)", rows)
    con.commit()
    con.close()


def import_rows_of(db):
    """What an import wrote besides the answers: records, households,
    their history and trail entries, and the XML's size in KB."""
    con = sqlite3.connect(db)
    got = con.execute(
        "SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM households), "
        "(SELECT count(*) FROM household_events), (SELECT count(*) FROM trail "
        "WHERE what = 'registered'), (SELECT sum(length(xml)) / 1024 FROM records)"
    ).fetchone()
    con.close()
    return got


def answers_of(db):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT r.instance_id, a.name, a.entry, a.value FROM answers a "
                       "JOIN records r ON r.id = a.record_id").fetchall()
    con.close()
    return sorted(rows, key=lambda t: tuple("" if v is None else str(v) for v in t))


def bench_import():
    """--import of a JSONL export (new instance IDs) into an empty database,
    against the same inserts in one transaction; both must then hold the
    same answers."""
    import json
    import uuid
    n = min(SIZES_ANSWERS)
    src = scale_db(n, True)
    exported = os.path.join(WORK, "import-src.jsonl")
    subprocess.run([BIN, "--db", src, "--export", "--out", exported], check=True,
                   stderr=subprocess.DEVNULL)
    data = os.path.join(WORK, "import.jsonl")
    with open(exported, encoding="utf-8") as f, open(data, "w", encoding="utf-8") as o:
        for i, line in enumerate(f):
            r = json.loads(line)
            r["instance_id"] = "uuid:" + str(uuid.UUID(int=(0xd00 << 64) + i, version=4))
            o.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    os.unlink(exported)
    mine, base, ok = [], [], True
    for _ in range(3):
        for side in ("doorstep", "baseline"):
            db = os.path.join(WORK, "import-%s.db" % side)
            for ext in ("", "-wal", "-shm"):
                if os.path.exists(db + ext):
                    os.unlink(db + ext)
            # An empty database of this schema, made by doorstep.
            subprocess.run([BIN, "--db", db, "--report"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            t0 = time.monotonic()
            if side == "doorstep":
                subprocess.run([BIN, "--db", db, "--forms", os.path.dirname(FORM),
                                "--import", data], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                mine.append(time.monotonic() - t0)
            else:
                import_baseline(data, src, db)
                base.append(time.monotonic() - t0)
        if ok is True and answers_of(os.path.join(WORK, "import-doorstep.db")) != \
                answers_of(os.path.join(WORK, "import-baseline.db")):
            ok = "the two databases hold different answers"
        rows = [import_rows_of(os.path.join(WORK, "import-%s.db" % side))
                for side in ("doorstep", "baseline")]
        if ok is True and (rows[0][:4] != rows[1][:4] or
                           abs(rows[0][4] - rows[1][4]) > rows[0][4] / 100):
            ok = "records, households, history, trail, XML KB differ: %s" % rows
    m, b = median_ms(mine), median_ms(base)
    row("--import %d records, vs the same inserts in one transaction" % n, m, b,
        "<= 1.5x", m <= 1.5 * b, "ms", check=ok)
    os.unlink(data)


def report_sql_figures(db):
    """The report's figures by SQL alone, as a set of (section, site, item,
    detail, count, base) like doorstep's CSV: households by site, each
    need area overall and by site, the change between the last two
    rounds, and each choice of each select question outside repeats
    among the answers that count (the question relevant)."""
    texts = form_texts()
    xml = subprocess.run([BIN, "--xform", FORM], capture_output=True, check=True).stdout
    root = ET.fromstring(xml)
    x = "{http://www.w3.org/2002/xforms}"
    labels = {l: texts.get(l) for l in texts}
    needs = [("protection", "Protection"), ("information", "Information"),
             ("livelihood", "Livelihood"), ("health", "Health"),
             ("social_security", "Social security"), ("education", "Education"),
             ("emotional", "Emotional"), ("self_realisation", "Self-realisation")]
    choices = []        # (question name, value, question label, choice label)
    repeats = [r.get("nodeset") for r in root.iter(x + "repeat")]
    for tag in ("select1", "select"):
        for sel in root.iter(x + tag):
            ref = sel.get("ref")
            if any(ref.startswith(r + "/") for r in repeats):
                continue
            name = ref.split("/")[-1]
            for item in sel.iter(x + "item"):
                value = item.find(x + "value").text
                choices.append((name, value, labels[ref + ":label"],
                                labels["%s/%s:label" % (ref, value)]))
    names = sorted({c[0] for c in choices} | {
        "masks", "disinfectant", "protection_knowledge", "knows_policies",
        "rumours", "food_weeks", "debts", "housing", "health_rating",
        "serious_illness", "labour_contract", "medical_insurance",
        "online_device", "network", "parents_help", "skills_wanted", "worry",
        "sleep", "plans", "volunteer", "income_change"})
    con = sqlite3.connect(db)
    con.execute("CREATE TEMP TABLE c (q TEXT, v TEXT, ql TEXT, cl TEXT)")
    con.executemany("INSERT INTO c VALUES (?, ?, ?, ?)", choices)
    # One row a counted record: its answers as columns; a question left
    # irrelevant by the answers (debts: relevant when food_weeks < 4 or
    # income_change = 'none') has no value.
    cols = ",\n".join("max(CASE WHEN name = '%s' THEN value END) AS \"%s\"" % (n, n)
                      for n in names)
    con.executescript("""
      CREATE TEMP TABLE latest AS
        SELECT id, household, round, site FROM (SELECT id, household, round,
          site, row_number() OVER (PARTITION BY household ORDER BY round DESC,
          started_at DESC, id DESC) AS k FROM records WHERE status <> 'draft')
        WHERE k = 1;
      CREATE TEMP TABLE rr AS SELECT DISTINCT round FROM records
        WHERE status <> 'draft' AND coalesce(round, '') <> '' ORDER BY round;
      CREATE TEMP TABLE a AS SELECT record_id, %s FROM answers
        WHERE entry = 0 GROUP BY record_id;
      UPDATE a SET debts = NULL WHERE NOT (CAST(food_weeks AS INTEGER) < 4
        OR income_change = 'none');
      CREATE TEMP TABLE f AS SELECT record_id,
        (masks IN ('few_days', 'none') OR disinfectant = 'none' OR
         protection_knowledge = 'poor') AS protection,
        (knows_policies IN ('no', 'unsure') OR ' ' || rumours || ' ' LIKE '%% garlic %%'
         OR ' ' || rumours || ' ' LIKE '%% sesame_oil %%' OR
         ' ' || rumours || ' ' LIKE '%% alcohol %%') AS information,
        (CAST(food_weeks AS INTEGER) < 4 OR ' ' || debts || ' ' LIKE '%% online_loan %%'
         OR ' ' || debts || ' ' LIKE '%% credit_card %%' OR
         housing IN ('blocked', 'vehicle')) AS livelihood,
        (health_rating = 'poor' OR serious_illness = 'yes') AS health,
        (labour_contract = 'no' OR medical_insurance = 'no') AS social_security,
        (online_device = 'none' OR network = 'no' OR parents_help = 'never' OR
         (length(trim(coalesce(skills_wanted, ''))) > 0 AND
          ' ' || skills_wanted || ' ' NOT LIKE '%% none %%')) AS education,
        (worry IN ('often', 'always') OR sleep IN ('often', 'always')) AS emotional,
        (plans = 'stay' AND volunteer = 'yes') AS self_realisation
        FROM a;
    """ % cols)
    out = set()
    total = con.execute("SELECT count(*) FROM latest").fetchone()[0]
    out.add(("households", "all", "", "", str(total), str(total)))
    for site, n in con.execute("SELECT coalesce(site, '-'), count(*) FROM latest "
                               "GROUP BY 1"):
        out.add(("households", site, "", "", str(n), str(total)))
    last = [r for (r,) in con.execute("SELECT round FROM rr")][-2:]
    sums = ", ".join("sum(coalesce(f.%s, 0))" % nid for nid, _ in needs)
    by_site = con.execute("SELECT coalesce(site, '-'), count(*), %s FROM latest l "
                          "JOIN f ON f.record_id = l.id GROUP BY 1" % sums).fetchall()
    for k, (nid, label) in enumerate(needs):
        out.add(("need", "all", nid, label, str(sum(r[2 + k] for r in by_site)),
                 str(total)))
        for r in by_site:
            out.add(("need", r[0], nid, label, str(r[2 + k]), str(r[1])))
    if len(last) == 2:
        three = ", ".join(
            "sum(NOT coalesce(fa.{0}, 0) AND coalesce(fb.{0}, 0)), "
            "sum(coalesce(fa.{0}, 0) AND NOT coalesce(fb.{0}, 0)), "
            "sum(coalesce(fa.{0}, 0) AND coalesce(fb.{0}, 0))".format(nid)
            for nid, _ in needs)
        r = con.execute("""
          WITH p AS (SELECT household, round, id FROM (SELECT household, round, id,
            row_number() OVER (PARTITION BY household, round ORDER BY
            started_at DESC, id DESC) AS k FROM records WHERE status <> 'draft'
            AND round IN (?, ?)) WHERE k = 1)
          SELECT count(*), %s
          FROM p pa JOIN p pb ON pb.household = pa.household AND pb.round = ?
          JOIN f fa ON fa.record_id = pa.id JOIN f fb ON fb.record_id = pb.id
          WHERE pa.round = ?""" % three, (last[0], last[1], last[1],
                                          last[0])).fetchone()
        for k, (nid, label) in enumerate(needs):
            out.add(("change", "all", nid, "gained/lost/kept %s..%s" % tuple(last),
                     "%d/%d/%d" % tuple(v or 0 for v in r[1 + 3 * k:4 + 3 * k]),
                     str(r[0])))
    for ql, cl, n, base in con.execute("""
        SELECT c.ql, c.cl, sum(' ' || v.value || ' ' LIKE '% ' || c.v || ' %'),
          count(v.value)
        FROM (SELECT ans.name, CASE WHEN ans.name = 'debts' THEN a.debts
                ELSE ans.value END AS value
              FROM latest l JOIN answers ans ON ans.record_id = l.id AND
                ans.entry = 0 JOIN a ON a.record_id = l.id) v
        JOIN c ON c.q = v.name GROUP BY c.q, c.v"""):
        if base:
            out.add(("choice", "all", ql, cl, str(n or 0), str(base)))
    con.close()
    return out


def report_csv_figures(text):
    import csv
    import io
    rows = list(csv.reader(io.StringIO(text)))[1:]
    # A change row has its round pair as detail and its three counts in
    # the gained, lost and kept columns: the form the SQL gives them.
    return {(r[0], r[1], r[2], "gained/lost/kept " + r[3],
             "%s/%s/%s" % tuple(r[7:10]), r[5]) if r[0] == "change"
            else tuple(r[:6]) for r in rows if r}


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
    t0 = time.monotonic()
    want = report_sql_figures(db)
    base = time.monotonic() - t0
    got = report_csv_figures(subprocess.run(
        [BIN, "--db", db, "--report", "--format", "csv", "--lang", "en"],
        capture_output=True, text=True, check=True).stdout)
    check = True
    if got != want:
        diff = sorted(got ^ want)[:3]
        check = "%d figures differ, e.g. %s" % (len(got ^ want), diff)
    row("--report over %d records, two rounds, vs SQL giving the same %d figures"
        % (n, len(want)), mine * 1000, base * 1000, "<= 2x the SQL",
        mine <= 2 * base, "ms", check=check)


def bench_households():
    n = 20000
    out = subprocess.run([CORE, "households", WORK, FORM, str(n)], capture_output=True,
                         text=True, check=True).stdout
    vals = {l.split()[0]: (float(l.split()[1]), float(l.split()[2]))
            for l in out.splitlines()}
    # Both baselines return the list doorstep returns (the same households,
    # columns and order, compared for each of the 21 searches).
    same_like, same_index = vals["household_search_same"]
    m, b = vals["household_search_ms"]
    row("household search among %d (part of a phone number)" % n, m, b,
        "<= 2x a bare SQL LIKE", m <= 2 * b, "ms",
        check=True if same_like == 21 else
        "the LIKE returned doorstep's list in %d of 21 searches" % same_like)
    # The fair baseline since the search has an index: the same matching
    # by the same index, bare (the households found, in the list's order).
    m, b = vals["household_search_fts_ms"]
    mine_n, base_n = vals["household_search_found"]
    row("household search among %d (part of a phone number) vs the bare FTS5 "
        "query" % n, m, b, "<= 2x the bare FTS5 query", m <= 2 * b, "ms",
        check=True if mine_n == base_n and same_index == 21 else
        "doorstep found %d, the query %d (the same list in %d of 21 searches)"
        % (mine_n, base_n, same_index))
    m, b = vals["carry_over_ms"]
    row("start a 2nd-round interview (carries answers) vs a 1st", m, b,
        "<= 2x", m <= 2 * b, "ms")


def sql_condition(expr, table):
    """A form's relevance or need condition as SQL over the pivoted
    answers of `table` (a value left empty is '' in comparisons, and no
    number)."""
    expr = re.sub(r"selected\(\$\{(\w+)\}, *'([^']*)'\)",
                  r"(' ' || coalesce(%s.\1, '') || ' ' LIKE '%% \2 %%')" % table, expr)
    expr = re.sub(r"count-selected\(\$\{(\w+)\}\)",
                  r"(CASE WHEN trim(coalesce({t}.\1, '')) = '' THEN 0 ELSE "
                  r"length(trim({t}.\1)) - length(replace(trim({t}.\1), ' ', '')) "
                  r"+ 1 END)".replace("{t}", table), expr)
    expr = re.sub(r"\$\{(\w+)\} *(<=|>=|<|>) *(\d+)",
                  r"CAST(%s.\1 AS REAL) \2 \3" % table, expr)
    expr = re.sub(r"\$\{(\w+)\} *!= *'", r"coalesce(%s.\1, '') <> '" % table, expr)
    expr = re.sub(r"\$\{(\w+)\} *= *'", r"coalesce(%s.\1, '') = '" % table, expr)
    return "(%s)" % re.sub(r"\$\{(\w+)\}", r"%s.\1" % table, expr)


def export_sql(form_path):
    """The hand-written query that gives the same lines as `doorstep
    --export` (JSONL) for the records of the bundled form: each record's
    answers pivoted by an index lookup, typed, the questions not relevant
    removed, its repeat entries as an array, its need areas flagged by the
    form's conditions; SQLite's json_object writes the line."""
    xml = subprocess.run([BIN, "--xform", form_path], capture_output=True,
                         check=True).stdout
    root = ET.fromstring(xml)
    x = "{http://www.w3.org/2002/xforms}"
    top = "/" + root.find(".//" + x + "instance")[0].tag.split("}")[-1] + "/"
    repeats = {r.get("nodeset") for r in root.iter(x + "repeat")}
    multiple = {e.get("ref") for e in root.iter(x + "select")}

    def cond(xpath):
        """An XForm's XPath condition in the form's ${name} words."""
        return sql_condition(re.sub(r"/[\w/]*/(\w+)", r"${\1}", xpath), "{t}")

    rel = {}      # path -> relevance
    items = []    # (path, name, kind)
    for b in root.iter(x + "bind"):
        path = b.get("nodeset")
        if b.get("relevant"):
            rel[path] = cond(b.get("relevant"))
        if b.get("type") is None or path.startswith(top + "meta/") or (
                b.get("readonly") == "true()" and b.get("calculate") is None):
            continue
        kind = ("calculate" if b.get("calculate") else "select_multiple"
                if path in multiple else {"int": "integer", "decimal": "decimal"}
                .get(b.get("type"), "text"))
        items.append((path, path.split("/")[-1], kind))

    def relevance(path, t, stop):
        conds, p = [], path
        while p != stop:
            if p in rel:
                conds.append(rel[p].replace("{t}", t))
            p = p.rsplit("/", 1)[0]
        return " AND ".join(reversed(conds)) or None

    qs = []
    for path, name, kind in items:
        rep = next((r for r in repeats if path.startswith(r + "/")), None)
        if rep is None:
            qs.append((name, kind, relevance(path, "a", top[:-1]), None))
            continue
        if not qs or qs[-1][1] != "repeat" or qs[-1][0] != rep.split("/")[-1]:
            qs.append((rep.split("/")[-1], "repeat", relevance(rep, "a", top[:-1]), []))
        qs[-1][3].append((name, kind, relevance(path, "m", rep), None))
    with open(form_path) as f:
        text = f.read()
    form_needs = re.findall(r"- id: (\w+)\n(?:.*\n)*?\s*when: \"(.*)\"", text.split(
        "\nneeds:", 1)[1])

    def value(name, kind, t):
        v = "%s.%s" % (t, name)
        if kind == "integer":
            return "CAST(%s AS INTEGER)" % v
        if kind == "decimal":
            return "CAST(%s AS REAL)" % v
        if kind == "select_multiple":
            return ("CASE WHEN %s IS NULL THEN NULL ELSE json('[\"' || "
                    "replace(%s, ' ', '\",\"') || '\"]') END" % (v, v))
        if kind == "calculate":
            return ("CASE WHEN %s GLOB '[0-9]*' AND NOT %s GLOB '*[^0-9]*' "
                    "THEN CAST(%s AS INTEGER) ELSE %s END" % (v, v, v, v))
        return v

    def pivot(names):
        return ", ".join("max(CASE WHEN name = '%s' THEN value END) AS %s" % (n, n)
                         for n in names)

    def obj(items, t):
        pairs, paths = [], []
        for name, kind, rel, inner in items:
            if kind == "repeat":
                pairs.append("'%s', (SELECT json_group_array(json(%s)) FROM (SELECT "
                             "entry, %s FROM answers WHERE record_id = r.id AND "
                             "entry > 0 GROUP BY entry ORDER BY entry) m)" % (
                                 name, obj(inner, "m"), pivot(i[0] for i in inner)))
            else:
                pairs.append("'%s', %s" % (name, value(name, kind, t)))
            if rel:
                paths.append("CASE WHEN %s THEN '$.\"\"' ELSE '$.%s' END" % (rel, name))
        o = "json_object(%s)" % ", ".join(pairs)
        return "json_remove(%s, %s)" % (o, ", ".join(paths)) if paths else o

    names = [q[0] for q in qs if q[1] != "repeat"]
    needs = " || ".join("CASE WHEN %s THEN ',\"%s\"' ELSE '' END" % (
        sql_condition(when, "a"), nid) for nid, when in form_needs)
    return """
      SELECT (SELECT json_object('instance_id', r.instance_id, 'form', f.form_id,
          'form_version', f.version, 'status', r.status, 'household', r.household,
          'round', r.round, 'site', r.site, 'interviewer', r.interviewer,
          'started_at', r.started_at, 'finalized_at', r.finalized_at,
          'answers', json(%s), 'needs', json('[' || substr(%s, 2) || ']'))
        FROM (SELECT %s FROM answers WHERE record_id = r.id AND entry = 0) a)
      FROM records r JOIN form_versions f ON f.id = r.form_version_id
      WHERE r.status <> 'draft' ORDER BY r.started_at, r.id""" % (
        obj(qs, "a"), needs, pivot(names))


def export_baseline(db, out):
    """Runs export_sql through Python's sqlite3, a line a record; its
    seconds and peak RSS (by GNU time, as doorstep's)."""
    script = os.path.join(WORK, "export_sql.py")
    with open(script, "w") as f:
        f.write("import sqlite3, sys\n"
                "con = sqlite3.connect(sys.argv[1])\n"
                "with open(sys.argv[2], 'w', encoding='utf-8', newline='') as out:\n"
                "    for (line,) in con.execute(sys.stdin.read()):\n"
                "        out.write(line + '\\n')\n")
    sql_path = os.path.join(WORK, "export.sql")
    with open(sql_path, "w") as f:
        f.write(export_sql(FORM))
    return timed(["sh", "-c", 'exec python3 "$0" "$1" "$2" < "$3"', script, db, out,
                  sql_path], runs=3)


def same_file(a, b):
    """None when the two files are byte for byte the same, else where
    they first differ."""
    with open(a, "rb") as fa, open(b, "rb") as fb:
        for n, (la, lb) in enumerate(zip(fa, fb), 1):
            if la != lb:
                return "line %d differs" % n
        if fa.read(1) or fb.read(1):
            return "one has more lines"
    return None


# The scale rows: the program at SIZE records and SIZE / 2 households,
# generated with SQL in one transaction and kept under build/bench.
SIZES = [int(v) for v in os.environ.get("SIZES", "10000 100000 1000000").split()]
# The sizes of the report and export rows, whose databases hold every
# answer (about 50 rows a record): SIZES unless said.
SIZES_ANSWERS = [int(v) for v in os.environ.get(
    "SIZES_ANSWERS", " ".join(str(n) for n in SIZES)).split()]
CACHE = os.path.join(ROOT, "build", "bench")
SCALE_GEN = 1   # bump when the generated databases change


def scale_db(n, answers):
    """A database of n records (half round 1, half round 2 of n / 2
    households; 1 in 1,000 a draft, 1 in 100 waiting for upload, the rest
    uploaded), copies of one finalized interview of the bundled form. With
    answers, each record has that interview's answers too."""
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, "scale-g%d-%d%s.db" % (SCALE_GEN, n,
                                                      "-answers" if answers else ""))
    if os.path.exists(path):
        return path
    tmp = path + ".tmp"
    for f in (tmp, tmp + "-wal", tmp + "-shm"):
        if os.path.exists(f):
            os.unlink(f)
    if answers:
        shutil.copy(scale_db(n, False), tmp)
        con = sqlite3.connect(tmp)
        con.executescript("""
          BEGIN;
          INSERT INTO answers (record_id, name, entry, value)
            SELECT r.id, a.name, a.entry, CASE a.name
              WHEN 'food_weeks' THEN CAST(r.id % 8 AS TEXT)
              WHEN 'health_rating' THEN CASE r.id % 3 WHEN 0 THEN 'good'
                WHEN 1 THEN 'fair' ELSE 'poor' END
              ELSE a.value END
            FROM records r, answers a WHERE r.id > 1 AND a.record_id = 1;
          COMMIT;""")
        con.close()
        os.rename(tmp, path)
        return path
    subprocess.run([CORE, "records", tmp, FORM, "1"], check=True)
    con = sqlite3.connect(tmp)
    con.executescript("""
      BEGIN;
      INSERT INTO records (id, instance_id, form_version_id, household, round,
        site, interviewer, status, started_at, updated_at, finalized_at,
        uploaded_at, xml)
        WITH RECURSIVE c(k) AS (SELECT 2 UNION ALL SELECT k + 1 FROM c
          WHERE k < %d)
        SELECT k, 'uuid:scale-' || k, t.form_version_id,
          printf('H%%07d', k / 2),
          CASE k %% 2 WHEN 0 THEN '2020-R1' ELSE '2020-R2' END,
          CASE k %% 3 WHEN 0 THEN 'beijing' WHEN 1 THEN 'jiangxi'
            ELSE 'shandong' END,
          'liu', CASE WHEN k %% 1000 = 7 THEN 'draft' WHEN k %% 100 = 3
            THEN 'finalized' ELSE 'uploaded' END,
          t.started_at, t.updated_at,
          CASE WHEN k %% 1000 = 7 THEN NULL ELSE t.finalized_at END,
          CASE WHEN k %% 100 IN (3, 7) THEN NULL ELSE t.finalized_at END,
          CASE WHEN k %% 1000 = 7 THEN NULL ELSE t.xml END
        FROM c, records t WHERE t.id = 1;
      UPDATE records SET household = 'H0000000', round = '2020-R1',
        site = 'beijing' WHERE id = 1;
      DELETE FROM households;
      INSERT INTO households (code, site, head, phone, address, next_visit,
        created_at, updated_at)
        WITH RECURSIVE c(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM c
          WHERE k < %d)
        SELECT printf('H%%07d', k),
          CASE k %% 3 WHEN 0 THEN 'beijing' WHEN 1 THEN 'jiangxi'
            ELSE 'shandong' END,
          '张伟' || k, printf('138 %%04d %%04d', k / 10000, k %% 10000),
          '朝阳区东坝乡', CASE WHEN k %% 12 = 0 THEN
            date('now', (k %% 60 - 30) || ' days') END,
          '2020-02-01T10:00:00+08:00', '2020-02-01T10:00:00+08:00' FROM c;
      COMMIT;""" % (n, n // 2 - 1))
    con.close()
    os.rename(tmp, path)
    return path


def median_ms(v):
    return statistics.median(v) * 1000


def bench_at_size():
    forms = os.path.join(WORK, "forms-scale")
    os.makedirs(forms, exist_ok=True)
    shutil.copy(FORM, forms)
    env = env_for("xterm-256color")
    for n in SIZES:
        t0 = time.monotonic()
        db = scale_db(n, False)
        print("bench: %d records ready in %.0f s" % (n, time.monotonic() - t0),
              file=sys.stderr)
        homes = "%d records, %d households" % (n, n // 2)
        first_start(db, forms, env)  # an upgrade's migration, not timed
        mine, rss_mine, base, opened, keys, rss_list = [], 0, [], [], [], 0
        for _ in range(5):
            t = Term([BIN, "--db", db, "--forms", forms, "--lang", "en"], env)
            mine.append(t.wait_for(b"save+leave", 60))  # the home screen's last row
            t.read_quiet()
            rss_mine = max(rss_mine, t.peak_rss())
            # The chooser: opened, then one key typed (the list narrows).
            opened.append(t.settle(ENTER))
            for ch in b"H000":
                t.settle(bytes([ch]), 0.1)
            keys.append(t.settle(b"1"))
            rss_list = max(rss_list, t.peak_rss())
            t.send(CTRL_X)
            t.read_quiet()
            t.send(CTRL_X)
            t.finish()
            t = Term(["dialog", "--msgbox", "doorstep-ready", "6", "30"], env)
            base.append(t.wait_for(b"doorstep-ready"))
            t.read_quiet()
            t.send(ENTER)
            t.finish()
        m, b = median_ms(mine), median_ms(base)
        row("start-up to home screen (%s)" % homes, m, b, "<= 2x dialog --msgbox",
            m <= 2 * b, "ms")
        row("start-up peak RSS (%s)" % homes, rss_mine, None, "< 8192 KB",
            rss_mine < 8192, "KB")
        m = median_ms(opened)
        row("household chooser: open (%s)" % homes, m, None, "< 50 ms", m < 50, "ms")
        m = median_ms(keys)
        row("household chooser: a key typed (%s)" % homes, m, None, "< 50 ms",
            m < 50, "ms")
        row("household chooser: peak RSS (%s)" % homes, rss_list, None, "< 32768 KB",
            rss_list < 32768, "KB")
    for n in SIZES_ANSWERS:
        db = scale_db(n, True)
        # --report against the SQL giving the same figures.
        mine, rss = timed([BIN, "--db", db, "--report", "--lang", "en"], runs=3)
        t0 = time.monotonic()
        want = report_sql_figures(db)
        base = time.monotonic() - t0
        got = report_csv_figures(subprocess.run(
            [BIN, "--db", db, "--report", "--format", "csv", "--lang", "en"],
            capture_output=True, text=True, check=True).stdout)
        check = True if got == want else "%d figures differ" % len(got ^ want)
        row("--report (%d records), vs SQL giving the same %d figures"
            % (n, len(want)), mine * 1000, base * 1000, "<= 2x the SQL",
            mine <= 2 * base, "ms", check=check)
        row("--report peak RSS (%d records)" % n, rss, None, "< 32768 KB",
            rss < 32768, "KB")
        done = sqlite3.connect(db).execute(
            "SELECT count(*) FROM records WHERE status <> 'draft'").fetchone()[0]
        for fmt_ in ("jsonl", "csv"):
            out = os.path.join(WORK, "export." + fmt_)
            mine, rss = timed([BIN, "--db", db, "--export", "--format", fmt_,
                               "--out", out], runs=3)
            lines = sum(1 for _ in open(out, "rb"))
            want_lines = done + (1 if fmt_ == "csv" else 0)
            check = True if lines == want_lines else \
                "%d lines for %d records" % (lines, done)
            if fmt_ == "jsonl":
                # The hand-written query, its lines compared byte for byte.
                base_out = os.path.join(WORK, "export-sql.jsonl")
                base, base_rss = export_baseline(db, base_out)
                differ = same_file(out, base_out)
                row("--export jsonl (%d records), vs a hand-written query giving "
                    "the same lines" % n, mine * 1000, base * 1000,
                    "<= 1.5x the query", mine <= 1.5 * base, "ms",
                    check=check if check is not True else True if differ is None
                    else "the query's lines differ: %s" % differ)
                row("--export jsonl peak RSS (%d records), vs the query's"
                    % n, rss, base_rss, "< 32768 KB", rss < 32768, "KB")
                os.unlink(base_out)
            else:
                row("--export csv (%d records): time" % n, mine * 1000, None,
                    "-", True, "ms", check=check)
                row("--export csv peak RSS (%d records)" % n, rss, None,
                    "< 32768 KB", rss < 32768, "KB")
            os.unlink(out)
        # --upload of the queue (1 in 100 records) against one keep-alive
        # curl process sending the same XML, on a copy (it marks them sent).
        up = os.path.join(WORK, "upload-%d.db" % n)
        shutil.copy(db, up)
        bench_upload_at(up, n)
        os.unlink(up)


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float) and v != v:
        return "-"
    return "%.1f" % v if isinstance(v, float) and abs(v) < 100 else "%d" % round(v)


def first_start(db, forms, env):
    """Starts doorstep once on db and leaves: the first start after an
    upgrade migrates the database (not a start-up to time). Returns the
    seconds it took to the home screen."""
    t = Term([BIN, "--db", db, "--forms", forms, "--lang", "en"], env)
    took = t.wait_for(b"save+leave", 3600)
    t.read_quiet()
    # A search by pinyin, which keeps the keys of households registered
    # by another program (as this bench's generator).
    t.send(ENTER)
    t.read_quiet()
    t.settle(b"zha", 0.5, 600)
    t.send(CTRL_X)
    t.read_quiet()
    t.send(CTRL_X)
    t.finish()
    return took


# The household chooser, key by key: searches that find few households
# (a code, a name with digits, part of a phone number with a space), none
# (a name of two characters) and many (pinyin of every head, a site), typed one key at a time into the
# chooser, each key timed from the key to the last byte drawn.
CHOOSER_SEARCHES = [
    ("few: a code", "H0001"),
    ("few: a name", "张伟1234"),
    ("few: part of a phone number", "0012 34"),
    ("none: a name of two characters", "赵敏"),
    ("many: pinyin", "zhangwei"),
    ("many: a site", "beijing"),
]


def bench_chooser():
    forms = os.path.join(WORK, "forms-scale")
    os.makedirs(forms, exist_ok=True)
    shutil.copy(FORM, forms)
    env = env_for("xterm-256color")
    for n in SIZES:
        db = scale_db(n, False)
        took = first_start(db, forms, env)
        homes = "%d households" % (n // 2)
        # The bench's databases are made at this version's schema (or were
        # updated by an earlier run): nothing to update here. The update
        # from schema 8 at 1M records is measured apart (results.md,
        # "migrate").
        row("first start of the bench's database (%s; already at this "
            "schema: no update)" % homes,
            took * 1000, None, "-", None, "ms")
        opened, rss = [], 0
        for name, typed in CHOOSER_SEARCHES:
            keys = [[] for _ in typed]
            shown = True
            for _ in range(5):
                t = Term([BIN, "--db", db, "--forms", forms, "--lang", "en"], env)
                t.wait_for(b"save+leave", 60)
                t.read_quiet()
                opened.append(t.settle(ENTER))
                for i, ch in enumerate(typed):
                    keys[i].append(t.settle(ch.encode()))
                # The last key's list shows a household (the search found).
                # (A search that finds none is not checked here: the
                # screen's cells that stay are not drawn again.)
                shown = shown and (b"H0" in t.buf[-4000:] or name.startswith("none"))
                rss = max(rss, t.peak_rss())
                t.send(CTRL_X)
                t.read_quiet()
                t.send(CTRL_X)
                t.finish()
            per_key = [median_ms(k) for k in keys]
            print("bench: chooser %s %s: %s" % (homes, name, " ".join(
                "%.1f" % v for v in per_key)), file=sys.stderr)
            row("household chooser, slowest key of %r, %s (%s; keys: %s ms)" % (
                typed, name, homes, " / ".join("%.0f" % v for v in per_key)),
                max(per_key), None, "< 50 ms", max(per_key) < 50, "ms",
                check=True if shown else "no household shown")
        m = median_ms(opened)
        row("household chooser: open (%s)" % homes, m, None, "< 50 ms", m < 50, "ms")
        row("household chooser: peak RSS over the searches (%s)" % homes, rss,
            None, "< 32768 KB", rss < 32768, "KB")


def main():
    started = time.monotonic()
    steps = [bench_terminal_bytes, bench_writes, bench_startup, bench_form_scale, bench_core,
             bench_upload, bench_report, bench_households, bench_fsyncs, bench_seal, bench_writers,
             bench_at_size, bench_chooser, bench_import]
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
        shutil.rmtree(WORK, ignore_errors=True)
        return
    head = "| figure | doorstep | baseline | ratio | target | met? |"
    lines = [head, "|---|---:|---:|---:|---|---|"]
    for figure, mine, base, ratio, target, met, unit in ROWS:
        lines.append("| %s | %s %s | %s | %s | %s | %s |" % (
            figure, fmt(mine), unit if unit != "x" else "", fmt(base),
            "-" if ratio != ratio else "%.2f" % ratio, target, verdict(met)))
    table = "\n".join(lines)
    print(table)
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = re.search(r"model name\s*:\s*(.*)", f.read()).group(1)
    except (OSError, AttributeError):
        pass
    # The run's table replaces the part of results.md between the two
    # markers; what is outside them (the curves at each size, the history
    # of each figure, by hand) stays.
    out = []
    out.append("## The last full run of `make bench`\n\n")
    out.append("Measured %s on %s, %s, %d cores (%s); `make bench` took %.0f s.\n\n"
            % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), platform.node()
               and "this machine", platform.platform(), os.cpu_count(), cpu,
               time.monotonic() - started))
    out.append("Each figure is compared with a baseline measured in the same run; "
            "times are medians. The minimum terminal bytes are the UTF-8 bytes of "
            "the text that must newly appear on every screen the scripted run "
            "passes through, once each, plus one echo per typed character: each "
            "question's label, hint, choices (4 B of numbering each) and counter; "
            "on the other screens (home, chooser, register, household page, round, "
            "review as it opens, finalize, next visit, the household page after) "
            "their menu items, prompts, field names, the review's rows and "
            "messages as shown, and one key hint (bench/run.py SCREENS; the bench "
            "checks that doorstep showed each). Not counted: titles, decoration, "
            "help lines, and leaving after the interview (on neither side); "
            "dialog(1) runs the same questions one box each, typed the same way.\n\n")
    out.append(table + "\n")
    path = os.path.join(ROOT, "bench", "results.md")
    try:
        with open(path, encoding="utf-8") as f:
            old = f.read()
    except OSError:
        old = ""
    begin, end = "<!-- make bench: from here -->\n", "<!-- make bench: to here -->\n"
    head, tail = old, ""
    if begin in old and end in old:
        head = old[:old.index(begin)]
        tail = old[old.index(end) + len(end):]
    elif old:
        head, tail = "", "\n" + old
    with open(path, "w", encoding="utf-8") as f:
        f.write(head + begin + "".join(out) + end + tail)
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
