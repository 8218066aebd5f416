#!/bin/sh
# Leaving and fitting: Ctrl-X leaves even when the typed answer fails its
# check, and so does a hang-up, keeping the answer stored before; messages
# wider than the screen wrap above the key bar; at 40x15 the key bar shows
# its most important keys (^X, ^R, ^G) and the help lines are whole, in
# English and in Chinese.
. tests/e2e/lib.sh

DB="$WORK/d.db"
RUN="$BIN --db $DB --forms forms --lang en --interviewer liu --site beijing --round R1"

# Whether the screen shows text whole, wrapped or not: screen and text
# are compared without spaces and line ends.
shown_whole() {
	want=$(printf '%s' "$1" | tr -d ' \n')
	i=0
	while [ $i -lt "$POLLS" ]; do
		screen | tr -d ' \n' | grep -qF -- "$want" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# Whether the key bar (the last line) shows text.
bar_shows() {
	i=0
	while [ $i -lt "$POLLS" ]; do
		screen | tail -n 1 | grep -qF -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

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
check "the message is whole, wrapped above the key bar" shown_whole \
    "The text typed in the last question was not kept (Enter an 11-digit mobile number starting with 1); its answer stays as it was. Resume the draft from the home screen."
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

# At 40x15, in English and in Chinese: a form of one question.
mkdir -p "$WORK/forms"
cat >"$WORK/forms/fit.yaml" <<'YAML'
form: fit
version: "1"
title: Fit
body:
  - {name: only, type: text, label: Only answer}
YAML
FIT="$BIN --round R1 --db $WORK/fit.db --forms $WORK/forms --interviewer liu --site beijing"

start 40 15 "$FIT --lang en"
expect "New interview"
new_interview
answer "Only answer" TEXT:yes Enter
# The review opens on [ Finalize ] at the end; the key bar keeps ^X, ^R
# and ^G, which do not all fit after Enter, ^P and ^N.
expect "[ Finalize this interview ]"
keys Home Enter
expect "> yes"
check "40 columns: the bar shows ^X" bar_shows "^X save+leave"
check "40 columns: the bar shows ^R" bar_shows "^R review"
check "40 columns: the bar shows ^G" bar_shows "^G help"
keys C-r
expect "[ Finalize this interview ]"
keys End Enter
check "40 columns: the finalize question is whole" shown_whole \
    "Finalize? Answers cannot change afterwards. y: finalize, n: not yet"
check "and the key bar is still there" bar_shows "^X"
keys n
wait_gone "Finalize?"
keys C-g
expect "Help: keys"
check "40 columns: a help line wraps, whole" shown_whole \
    "Enter accept the answer and go on; in a list, choose the highlighted item"
keys Enter
wait_gone "Help: keys"
keys C-x
expect "Draft saved"
keys C-x
expect "[exit 0]"

start 40 15 "$FIT --lang zh"
expect "新访谈"
keys 2 Enter
expect "Only answer"
check "40 columns, Chinese: the bar shows ^X" bar_shows "^X 保存离开"
check "40 columns, Chinese: the bar shows ^R" bar_shows "^R 查看"
check "40 columns, Chinese: the bar shows ^G" bar_shows "^G 帮助"
keys C-r
expect "[ "
keys End Enter
check "40 columns, Chinese: the finalize question is whole" shown_whole \
    "确认完成？完成后答案不能修改。y：完成，n：暂不"
keys n
wait_settled
keys C-g
check "40 columns, Chinese: a help line wraps, whole" shown_whole \
    "Enter 确认答案并继续；在列表中选择高亮的选项"
keys Enter
wait_settled
keys C-x
wait_settled
keys C-x
expect "[exit 0]"

finish
