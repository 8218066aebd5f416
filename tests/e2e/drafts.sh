#!/bin/sh
# One draft, two sessions on one database (the same interviewer logged in
# twice, as a phone that reconnects does): the second is told where the
# draft is open and takes it over; the first is stopped at its next key
# and overwrites nothing; the finalized record's XML holds every answer.
# Then a session killed with kill -9 does not lock its draft.
. tests/e2e/lib.sh

DB="$WORK/d.db"
mkdir -p "$WORK/forms"
cat > "$WORK/forms/eight.yaml" <<'EOF'
form: eight
version: "1"
title: Eight questions
body:
  - {name: q1, type: text, label: Question one}
  - {name: q2, type: text, label: Question two}
  - {name: q3, type: text, label: Question three}
  - {name: q4, type: text, label: Question four}
  - {name: q5, type: text, label: Question five}
  - {name: q6, type: text, label: Question six}
  - {name: q7, type: text, label: Question seven}
  - {name: q8, type: text, label: Question eight}
EOF
RUN="$BIN --db $DB --forms $WORK/forms --lang en --interviewer liu --round R1"
ME=$(id -un)

# lib.sh's start() ends the session before; here two live side by side,
# each on a tmux server of its own (numbered, so that cleanup ends them).
STARTS=2
session() {	# session 1|2: the one that keys, typed and screen talk to
	SOCK="doorstep-test-$$-$1"
}
open_session() {	# open_session 1|2
	session "$1"
	tm new-session -d -x 80 -y 24 \
	    "env ASAN_OPTIONS=log_path=$WORK/asan:detect_leaks=1 \
	     UBSAN_OPTIONS=log_path=$WORK/ubsan:halt_on_error=1 $RUN; \
	     echo \"[exit \$?]\"; sleep 30"
}
program_pid() {	# the doorstep process of the current session
	pgrep -P "$(tm display -p '#{pane_pid}')" | head -n 1
}
sql() { sqlite3 "$DB" "$1"; }

# Session 1 begins the interview and stays on question four.
open_session 1
expect "New interview"
new_interview
answer "Question one" TEXT:a1 Enter
answer "Question two" TEXT:a2 Enter
answer "Question three" TEXT:a3 Enter
expect "Question four"

# Session 2 resumes the same draft: told where it is open, by whom.
open_session 2
expect "Resume a draft (1)"
keys 2
expect "Resume a draft"
keys Enter
expect "Draft open elsewhere"
expect "This draft is open in another session: $ME, terminal"
expect "since 20"
expect "y: take it over here"
keys n
expect "Not resumed: the draft stays with the other session."
keys Enter
expect "Draft open elsewhere"
keys y
expect "The draft is yours now"
expect "Question four"
answer "Question four" TEXT:b4 Enter
answer "Question five" TEXT:b5 Enter
answer "Question six" TEXT:b6 Enter
answer "Question seven" TEXT:b7 Enter

# Session 1, still showing question four empty, presses Enter: before,
# this saved an empty answer over b4. It is told, and saves nothing.
session 1
keys Enter
expect "Draft taken over"
expect "Another session has taken this draft over."
expect "It is open now in: $ME, terminal"
got=$(sql "SELECT value FROM answers WHERE name = 'q4'")
check "the first session overwrote nothing (q4=$got)" [ "$got" = b4 ]
keys Enter
expect "Resume a draft (1)"

# Session 2 answers the last question and finalizes.
session 2
# (The review lists every label: answer() would wait for it to go.)
wait_for "Question eight" && typed b8 && keys Enter
expect "Review"
keys Down
expect "[ Finalize this interview ]"
keys Enter
expect "Finalize? Answers cannot change afterwards."
keys y
expect "Interview finalized with 8 answers"

xml=$(sql "SELECT xml FROM records WHERE status = 'finalized'")
missing=""
for pair in q1:a1 q2:a2 q3:a3 q4:b4 q5:b5 q6:b6 q7:b7 q8:b8; do
	case $xml in
	*"<${pair%%:*}>${pair#*:}</${pair%%:*}>"*) ;;
	*) missing="$missing ${pair%%:*}" ;;
	esac
done
check "the stored XML holds every answer (missing:${missing:- none})" \
    [ -z "$missing" ]
got=$(sql "SELECT count(*) FROM draft_holders")
check "no session holds the finalized record ($got)" [ "$got" = 0 ]

# Session 1 begins another draft and is killed with kill -9 on question
# two: its hold must not lock the draft.
session 1
new_interview
answer "Question one" TEXT:c1 Enter
expect "Question two"
pid=$(program_pid)
kill -9 "$pid"
expect "[exit 137]"
got=$(sql "SELECT count(*) FROM draft_holders WHERE pid = $pid")
check "the killed session still holds its draft in the database ($got)" \
    [ "$got" = 1 ]
session 2
keys 2
expect "1. (no household)"
keys Enter
expect "left open by a session that has ended"
expect "Question two"
answer "Question two" TEXT:c2 Enter
got=$(sql "SELECT value FROM answers WHERE name = 'q2' AND value = 'c2'")
check "the draft took the answer ($got)" [ "$got" = c2 ]
keys C-x
expect "Draft saved"
got=$(sql "SELECT count(*) FROM draft_holders")
check "leaving lets the draft go ($got)" [ "$got" = 0 ]
keys C-x
expect "[exit 0]"
session 1
finish
