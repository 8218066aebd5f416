#!/bin/sh
# The command line as scripts and supervisors use it: exit statuses,
# located form errors, and clear messages for what cannot be done.
. tests/e2e/lib.sh

run() {	# run ARGS...: stdout to $WORK/out, stderr to $WORK/err, status in $rc
	"$BIN" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
}
has_out() { grep -qF -- "$1" "$WORK/out"; }
has_err() { grep -qF -- "$1" "$WORK/err"; }

run --help
check "--help exits 0" [ "$rc" -eq 0 ]
check "--help shows usage on stdout" has_out "Usage: doorstep [OPTIONS]"
check "--help names --check" has_out "--check FORM.yaml"
run --version
check "--version prints the version" has_out "doorstep 0."
run --frobnicate
check "an unknown option exits 2" [ "$rc" -eq 2 ]
check "an unknown option is named" has_err "unknown option '--frobnicate'"
run --lang fr --check forms/needs_assessment.yaml
check "--lang fr is refused" [ "$rc" -eq 2 ]

run --check forms/needs_assessment.yaml
check "the bundled form passes --check" [ "$rc" -eq 0 ]
check "--check says what it found" has_out "ok: form needs_assessment version 2020-02, 52 questions"
run --forms forms --check
check "--check without files checks the forms folder" [ "$rc" -eq 0 ]

run --check tests/forms/broken.yaml
check "a broken form exits 1" [ "$rc" -eq 1 ]
check "unknown type, located" has_err "tests/forms/broken.yaml:11:11: error: unknown type 'interger' (did you mean 'integer'?)"
check "missing list, located" has_err "tests/forms/broken.yaml:15:14: error: choice list 'yesno' is not defined under 'choices:' (did you mean 'yes_no'?)"
check "duplicate name, located" has_err "tests/forms/broken.yaml:17:11: error: duplicate name 'age' (first used at line 10)"
check "unknown key, located" has_err "tests/forms/broken.yaml:19:5: error: unknown key 'lable' in a question (did you mean 'label'?)"
check "every problem reported (5 lines)" [ "$(wc -l < "$WORK/err")" -eq 5 ]

run --check tests/forms/tab.yaml
check "tab: exit 1" [ "$rc" -eq 1 ]
check "tab: says to use spaces" has_err "tests/forms/tab.yaml:5:1: error: a tab is used here; YAML indents with spaces only"
run --check tests/forms/flow-colon.yaml
check "': ' inside { }: says to quote" has_err "must be quoted, as in {en: \"Why? Because: money\"}"
run --check tests/forms/empty.yaml
check "empty form: located message" has_err "tests/forms/empty.yaml:1:1: error: the file is empty"
run --check /nonexistent.yaml
check "missing file: exit 1" [ "$rc" -eq 1 ]
check "missing file: says so, with no made-up position" has_err "/nonexistent.yaml: error: cannot open: No such file or directory"
check "missing file: no :0:0:" sh -c "! grep -q ':0:0:' $WORK/err"
run --check tests/forms/escape.yaml
check "escape sequences in a label: a warning, not an error" [ "$rc" -eq 0 ]
check "the warning reaches stderr without the escape byte" has_err "holds a control character"
check "no raw ESC written" sh -c "! grep -q \"$(printf '\033')\" $WORK/err $WORK/out"

# Forms as supervisors save them, and forms that would exhaust the machine
# (issue 11, items 9 and 10). Each --check is bounded: a hang fails.
bounded() {	# bounded ARGS...: run, killed after 30 s (status 124)
	timeout 30 "$BIN" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
}
bounded --check tests/forms/bom.yaml
check "a byte-order mark before form: passes --check" [ "$rc" -eq 0 ]
check "and the form is read" has_out "ok: form bom version 1"
bounded --xform tests/forms/bom.yaml
check "--xform loads a form with a byte-order mark" has_out '<bom id="bom" version="1">'
bounded --check tests/forms/unclosed-quote.yaml
check "an unclosed quote: exit 1" [ "$rc" -eq 1 ]
check "an unclosed quote: located where it opens" has_err "tests/forms/unclosed-quote.yaml:7:12: error: this quoted text is never closed"
bounded --check tests/forms/two-documents.yaml
check "a second YAML document: exit 1" [ "$rc" -eq 1 ]
check "a second YAML document: located at its ---" has_err "tests/forms/two-documents.yaml:6:1: error: a second YAML document starts here"
bounded --check tests/forms/tab-after-chinese.yaml
check "a tab after Chinese text: says to use spaces" has_err "tests/forms/tab-after-chinese.yaml:4:1: error: a tab is used here"
bounded --check tests/forms/unused-language.yaml
check "a language no text uses: still ok" [ "$rc" -eq 0 ]
check "a language no text uses: a located warning" has_err "tests/forms/unused-language.yaml:4:21: warning: language 'ug' is in 'languages:' but no label"
bounded --check tests/forms/regex-hostile.yaml
check "a pattern of 32767 copies: refused, not run (exit 1)" [ "$rc" -eq 1 ]
check "a pattern of 32767 copies: located at its count" has_err "tests/forms/regex-hostile.yaml:8:30: error: in constraint: the pattern '(a{1,32767})' is refused: a count may be at most 255"
check "a pattern from an answer: refused where it is written" has_err "tests/forms/regex-hostile.yaml:15:27: error: in constraint: regex() takes its pattern as a quoted text"
mkdir -p "$WORK/fifo"
cp forms/needs_assessment.yaml "$WORK/fifo/"
mkfifo "$WORK/fifo/pipe.yaml"
bounded --check "$WORK/fifo/pipe.yaml"
check "a FIFO named *.yaml: --check does not hang" [ "$rc" -eq 1 ]
check "and names the file" has_err "$WORK/fifo/pipe.yaml: error: this is a named pipe (FIFO), not a form file"
bounded --forms "$WORK/fifo" --check
check "a FIFO in the forms folder: --check of the folder ends (exit 1)" [ "$rc" -eq 1 ]
check "and still checks the real form" has_out "needs_assessment.yaml: ok"
: > "$WORK/empty.jsonl"
bounded --db "$WORK/fifo.db" --forms "$WORK/fifo" --import "$WORK/empty.jsonl"
check "a FIFO in the forms folder: --import does not hang" [ "$rc" -ne 124 ]

# Several files: each checked, status 1 if any fails.
run --check forms/needs_assessment.yaml tests/forms/tab.yaml
check "several files: exit 1 when one fails" [ "$rc" -eq 1 ]
check "several files: the good one is reported ok" has_out "forms/needs_assessment.yaml: ok"

# The database: private, and refused when it cannot be used.
run --db "$WORK/new/dir/x.db" --export
check "export of an empty database exits 0" [ "$rc" -eq 0 ]
check "export of an empty database writes nothing" [ ! -s "$WORK/out" ]
check "a new database is 0600" [ "$(stat -c %a "$WORK/new/dir/x.db")" = 600 ]
check "its folder is 0700" [ "$(stat -c %a "$WORK/new/dir")" = 700 ]
run --export --format xml --db "$WORK/new/dir/x.db"
check "unknown --format exits 2" [ "$rc" -eq 2 ]
touch "$WORK/file"
run --db "$WORK/file/x.db" --export
check "an unusable database path exits 2" [ "$rc" -eq 2 ]
check "and says why" has_err "cannot open the database $WORK/file/x.db: Not a directory"
sqlite3 "$WORK/new/dir/x.db" "PRAGMA user_version = 42"
run --db "$WORK/new/dir/x.db" --export
check "a database from a newer doorstep is refused" [ "$rc" -eq 2 ]
check "and the message says to use the newer one" has_err "written by a newer doorstep (data schema 42"
check "and leaves it as it was" [ "$(sqlite3 "$WORK/new/dir/x.db" 'PRAGMA user_version')" = 42 ]
DOORSTEP_DB="$WORK/env.db" "$BIN" --export >/dev/null 2>&1
check "DOORSTEP_DB chooses the database" [ -f "$WORK/env.db" ]
HOME="$WORK/home" XDG_DATA_HOME= "$BIN" --export >/dev/null 2>&1
check "the default database is under ~/.local/share/doorstep" [ -f "$WORK/home/.local/share/doorstep/doorstep.db" ]

# The report from the command line: formats, a bad round name, no data.
run --db "$WORK/rep.db" --report
check "--report on an empty database exits 0" [ "$rc" -eq 0 ]
check "and says there is nothing to count" has_out "No finalized interview matches."
run --db "$WORK/rep.db" --report --format html --out "$WORK/r.html"
check "--report --format html writes a private file" [ "$(stat -c %a "$WORK/r.html")" = 600 ]
check "an HTML page" grep -q "<!DOCTYPE html>" "$WORK/r.html"
run --db "$WORK/rep.db" --report --format csv
check "--report --format csv has its header" has_out "section,site,item,detail,count,base,share"
run --db "$WORK/rep.db" --report --round "2020 R2"
check "a round name with a space is refused" [ "$rc" -eq 2 ]
check "and the message says what a round name is" has_err "--round '2020 R2': a round name is one word, such as 2020-R2, with no spaces or slashes"
run --db "$WORK/rep.db" --report --format pdf
check "--report --format pdf is refused" [ "$rc" -eq 2 ]

# The interview program needs a terminal.
"$BIN" --db "$WORK/x.db" </dev/null >"$WORK/out" 2>"$WORK/err"
rc=$?
check "no terminal: exit 2" [ "$rc" -eq 2 ]
check "no terminal: says to use the flags" has_err "needs a terminal"

# A broken config is reported with its place.
mkdir -p "$WORK/config/doorstep"
printf 'site: [beijing\n' > "$WORK/config/doorstep/config.yaml"
run --export --db "$WORK/x.db"
check "a broken config exits 2" [ "$rc" -eq 2 ]
check "and is located" has_err "config.yaml:2:1:"
# Settings the household register relies on are checked before use.
printf 'round: 2020/R2\n' > "$WORK/config/doorstep/config.yaml"
run --export --db "$WORK/x.db"
check "a config round with a slash exits 2" [ "$rc" -eq 2 ]
check "and says why" has_err "the config's round '2020/R2': a round name is one word"
printf 'code_prefix: "B J"\n' > "$WORK/config/doorstep/config.yaml"
run --export --db "$WORK/x.db"
check "a code prefix with a space exits 2" [ "$rc" -eq 2 ]
check "and says what it must be" has_err "code_prefix 'B J' must be a few letters or digits"
rm -f "$WORK/config/doorstep/config.yaml"
finish
