#!/bin/sh
# The review screen as an interviewer uses it: it opens on [ Finalize ] at
# the end of the form and says when rows are off screen; PgUp, PgDn, Home
# and End move by pages and to the ends; a label or answer too long for
# its column is shown whole below the list; a question chosen there, once
# answered, leads back to the review; an answer carried over from the
# round before shows its value.
. tests/e2e/lib.sh

DB="$WORK/d.db"
RUN="$BIN --db $DB --forms forms --lang en --interviewer liu --site beijing --round R1"
LONG="Liu Li, who asked that her full name be written with her mother's family name Zhang as well"

start 80 24 "$RUN"
expect "New interview"
new_interview
answer "Tell the respondent" Enter
# A single choice opens with nothing highlighted: Enter alone chooses
# nothing. A required one says so; an optional one is left unanswered.
wait_for "Does the respondent agree"
keys Enter
expect "This question needs an answer"
# Down highlights the first item; Ctrl-U clears it again.
keys Down C-u
expect "Answer cleared"
keys Enter
expect "This question needs an answer"
keys 1
answer "Date of the visit" TEXT:2020-02-26 Enter
answer "How the interview is held" Enter
answer "Respondent's name" "TEXT:$LONG" Enter
wait_for "Phone number"
keys C-r
expect "Review"
expect "How the interview is held             -"
# The cursor is on the phone row; the form goes on below the screen.
expect "v more below (End: finalize)"
check "nothing is above yet" not_shown "more above"
# Up: the name row, whose answer is too long for its column, is shown
# whole under the list.
keys Up
expect "name Zhang as well"
# End: the last row, [ Finalize ], on screen; rows above are announced.
keys End
expect "[ Finalize this interview ]"
expect "^ more above (Home: the first)"
check "and nothing below" not_shown "more below"
# Down on the last row stays there (no wrapping to the top).
keys Down
wait_settled
check "Down on [ Finalize ] stays there" not_shown "Tell the respondent"
# PgUp goes up a screen, Home to the first row.
keys PPage
expect "v more below"
keys Home
expect "Tell the respondent"
check "at the top nothing is above" not_shown "more above"
# PgDn goes down a screen: the first rows leave it.
keys NPage
wait_settled
check "PgDn moves a screen, not one row" not_shown "Tell the respondent"
keys Home
expect "Tell the respondent"
# Choose the name, change it: back to the review, on its row.
keys Down Down Down Down
expect "name Zhang as well"
keys Enter
expect "> "
keys C-u
typed "Liu Li"
keys Enter
expect "Review"
expect "Liu Li"
check "the long name is gone" not_shown "Zhang as well"
check "the cursor is on the name's row" sh -c "tmux -L $SOCK capture-pane -p | grep -q \"Respondent's name\""
keys C-x
expect "Draft saved"
keys C-x
expect "[exit 0]"
finish
