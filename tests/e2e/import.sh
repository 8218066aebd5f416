#!/bin/sh
# --import from the command line: a record the form does not allow is
# refused as FILE:LINE: reason on stderr, the others come in, and the exit
# status says that input was rejected; nothing from the file reaches the
# terminal raw; a hand-written file twice is "already here".
. tests/e2e/lib.sh

mkdir -p "$WORK/forms"
cp tests/forms/import/strict.yaml "$WORK/forms/"
DB="$WORK/d.db"

run() {	# run ARGS...: stderr to $WORK/err, status in $rc
	"$BIN" --db "$DB" --forms "$WORK/forms" --lang en "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
}
has_err() { grep -qF -- "$1" "$WORK/err"; }
no_escape() { ! grep -q "$(printf '\033')" "$WORK/err"; }
records() { sqlite3 "$DB" "SELECT count(*) FROM records"; }

rec() {	# rec NN STATUS ANSWERS: one record of the test form
	printf '{"instance_id":"uuid:00000000-0000-4000-8000-0000000000%s","form":"strict","form_version":"1","status":"%s","household":"BJ-0001","round":"2020-R1","site":"beijing","interviewer":"liu","started_at":"2020-03-01T10:00:00+08:00","finalized_at":"2020-03-01T10:30:00+08:00","answers":%s}\n' "$1" "$2" "$3"
}

F="$WORK/mixed.jsonl"
{
	rec 01 finalized '{"consent":"yes","size":4,"phone":"13812345678"}'
	rec 02 finalized '{"consent":"yes","size":"abc"}'
	rec 03 finalized '{"consent":"yes","size":999}'
	rec 04 finalized '{"consent":"yes"}'
	rec 05 draft '{"consent":"yes","sise":4}'
	printf '{"instance_id":"uuid:\\u001b]0;pwned\\u0007\\u001b[2J","form":"strict","form_version":"1","status":"draft","answers":{}}\n'
	# A 2 MB line: refused, and not read whole.
	printf '{"instance_id":"uuid:00000000-0000-4000-8000-000000000007","form":"strict","form_version":"1","status":"draft","answers":{"consent":"yes","notes":"'
	head -c 2000000 /dev/zero | tr '\0' x
	printf '"}}\n'
	# Not JSON at all, with an escape sequence in it.
	printf 'not json \033[2J\033]0;pwned\007\n'
	rec 09 draft '{"consent":"no"}'
} > "$F"

run --import "$F"
check "a file with refused records exits 1" [ "$rc" -eq 1 ]
check "a number that is not one: FILE:LINE: question" has_err "$F:2: question 'size': enter a whole number, digits only; not imported"
check "out of the constraint: the form's message" has_err "$F:3: question 'size': Enter 1 to 20; not imported"
check "a finalized record without a required answer" has_err "$F:4: question 'size': this question needs an answer"
check "an unknown question is named" has_err "$F:5: unknown question 'sise'"
check "an instance ID with escape sequences is refused" has_err "$F:6: instance_id must be \"uuid:\" and a version 4 UUID"
check "a line too long is refused by its number" has_err "$F:7: the line is longer than 1048576 bytes"
check "a line that is not JSON is skipped" has_err "$F:8: not a doorstep record"
check "the summary counts the refused" has_err "2 imported, 0 already here, 0 conflict(s), 0 of unknown forms, 6 refused, 1 unreadable"
check "only the good records are stored" [ "$(records)" = 2 ]
check "no escape byte from the file reaches the terminal" no_escape

# A file name is text from outside too.
ODD="$WORK/$(printf 'odd\033[2Jname').jsonl"
rec 02 finalized '{"consent":"yes","size":"abc"}' > "$ODD"
run --import "$ODD"
check "a refused record in an oddly named file: exit 1" [ "$rc" -eq 1 ]
check "the file name is shown made safe" grep -qiF 'odd\x1b[2Jname.jsonl:1: question' "$WORK/err"
check "and without its escape byte" no_escape

# Written by hand: "2" for an integer, keys left out or null. Twice.
H="$WORK/hand.jsonl"
{
	rec 20 finalized '{"consent":"yes","size":"2","rent":"800.50","phone":null}'
	rec 21 draft '{"consent":"yes","visits":[{"visit_day":"2020-3-2"}]}'
} > "$H"
run --import "$H"
check "a good hand-written file exits 0" [ "$rc" -eq 0 ]
check "and comes in" has_err "2 imported, 0 already here, 0 conflict(s), 0 of unknown forms, 0 refused"
run --import "$H"
check "the same file twice exits 0" [ "$rc" -eq 0 ]
check "the same file twice is already here, not a conflict" has_err "0 imported, 2 already here, 0 conflict(s)"
"$BIN" --db "$DB" --export --all > "$WORK/export.jsonl" 2>/dev/null
grep -F 000000000020 "$WORK/export.jsonl" > "$WORK/again.jsonl"
grep -F 000000000021 "$WORK/export.jsonl" >> "$WORK/again.jsonl"
run --import "$WORK/again.jsonl"
check "its export, imported back, is already here too" has_err "0 imported, 2 already here, 0 conflict(s)"
check "the export holds the normalized answers" grep -qF '"size":2,"visit_date":null,"phone":null,"rent":800.5' "$WORK/export.jsonl"
check "a date as typed comes in as YYYY-MM-DD" grep -qF '"visits":[{"visit_day":"2020-03-02"}]' "$WORK/export.jsonl"
finish
