#!/bin/sh
# Terminals as field workers have them: too small, unknown, vt100, and
# forms with hostile text in them.
. tests/e2e/lib.sh

DB="$WORK/d.db"

# Too small: a notice, then the home screen once the window grows.
start 30 10 "$BIN --round R1 --db $DB --forms forms --lang en"
expect "Terminal too small: 30x10"
tm resize-window -x 80 -y 24
expect "New interview"
# Shrinking mid-answer keeps what was typed.
keys Enter
expect "which household?"
# Ctrl-U and Ctrl-W in a field not yet typed in: nothing to delete, and
# the program goes on (UBSan once aborted it here).
keys C-u C-w
typed "SD-7"
# Resize only once the keys are taken: while too small, keys are ignored.
expect "> SD-7"
tm resize-window -x 30 -y 10
expect "Terminal too small"
tm resize-window -x 40 -y 15
expect "> SD-7"
keys Enter
expect "Register a household"
# ^X would only save it: the last row starts the interview.
keys Up Up Enter
expect "Tell the respondent"
keys Enter
expect "Does the respondent"
# One answer, so that the draft is kept; back to it, and leave.
keys 1
expect "Date of the visit"
keys C-p
wait_gone "Date of the visit"
keys C-x
expect "Draft saved"
keys C-x
expect "[exit 0]"

# No TERM, or one this machine does not know: one clear line, exit 2.
start 80 24 "env -u TERM $BIN --round R1 --db $DB --forms forms"
expect "TERM is not set"
expect "[exit 2]"
start 80 24 "env TERM=no-such-terminal $BIN --round R1 --db $DB --forms forms"
expect "cannot use the terminal type 'no-such-terminal'"
expect "[exit 2]"

# vt100: no colour, the same interview works.
start 80 24 "env TERM=vt100 $BIN --round R1 --db $DB --forms forms --lang en"
expect "Resume a draft (1)"
keys 2 Enter
expect "Does the respondent"
keys 1
expect "Date of the visit"
keys C-x
expect "Draft saved: 1 of "
keys C-x
expect "[exit 0]"

# Chinese labels, at 40 columns, wrapped by display width.
start 40 15 "$BIN --round R1 --db $WORK/zh.db --forms forms --lang zh"
expect "新访谈"
keys Enter
typed "BJ-1"
# Registered with the code typed (^X saves and opens its page, where
# Enter starts an interview), at 40 columns in Chinese.
keys Enter
expect "登记家庭"
keys C-x
keys Enter Enter
expect "受访者是否同意接受访谈？"
keys 1
# "Tell the respondent..." in Chinese is 36 wide characters: 72 columns,
# which at 38 columns wide must wrap after 19 characters.
keys C-p C-p
expect "请向受访者说明：本次访谈用于了解家庭困"
check "the Chinese line is cut at 19 characters (38 columns)" \
    wait_line ' 请向受访者说明：本次访谈用于了解家庭困'
keys C-x
expect "草稿已保存"
keys C-x

# The cursor after mixed Chinese and ASCII, and after moving left over a
# wide character: on the column a user expects, not a byte count.
start 80 24 "$BIN --round R1 --db $WORK/c.db --forms forms --lang en"
expect "New interview"
new_interview BJ-9
keys Enter 1
answer "Date of the visit" TEXT:2020-02-26 Enter
answer "How the interview is held" 1
wait_for "Respondent's name"
typed "刘a丽b"
expect "> 刘a丽b"
check "cursor after 刘a丽b (6 columns)" wait_cursor_x 9
keys Left Left
check "cursor before 丽 after two lefts" wait_cursor_x 6
keys BSpace
expect "> 刘丽b"
check "backspace took all of 'a'" wait_cursor_x 5
# A resize mid-answer keeps it.
tm resize-window -x 40 -y 15
expect "> 刘丽b"
tm resize-window -x 80 -y 24
# A paste with a newline becomes one line; it does not answer the question.
keys End
tm set-buffer "$(printf ' Liu\nLi')"
tm paste-buffer -p
expect "> 刘丽b Liu Li"
check "still on the same question after the paste" not_shown "Phone number"
check "and its label still shows" wait_for "Respondent's name"
keys Enter
expect "Phone number"
keys C-x
expect "Draft saved"
keys C-x

# TERM=linux (the Linux console): the same screens work.
start 80 24 "env TERM=linux $BIN --round R1 --db $WORK/c.db --forms forms --lang en"
expect "Resume a draft (1)"
keys 2 Enter
expect "Phone number"
keys C-x
expect "Draft saved"
keys C-x

# The other terminal types field workers meet: each draws the home screen
# and a question, and takes keys.
for t in xterm xterm-256color tmux-256color vt220; do
	start 80 24 "env TERM=$t $BIN --round R1 --db $WORK/c.db --forms forms --lang en"
	if wait_for "Resume a draft (1)"; then
		keys 2 Enter
		if wait_for "Phone number"; then
			keys C-x
			if wait_for "Draft saved"; then ok "TERM=$t"; else not_ok "TERM=$t: leave"; fi
		else
			not_ok "TERM=$t: question"
		fi
	else
		not_ok "TERM=$t: home"
	fi
done

# A locale that is not UTF-8: Chinese was asked for, so the program says
# it needs a UTF-8 locale and how, and goes on in English; no '?' in place
# of Chinese text, and no raw UTF-8.
start 80 24 "env LANG=C LC_ALL=C $BIN --round R1 --db $WORK/c.db --forms forms --lang zh"
expect "Chinese needs a UTF-8 locale"
keys 2 Enter
expect "Needs assessment of migrant-worker households"
check "no raw UTF-8 reaches a non-UTF-8 terminal" not_shown '困'
check "no question marks in place of Chinese" not_shown '???'
keys C-x
keys C-x

# A label holding escape sequences is shown inert.
mkdir -p "$WORK/hostile"
cp tests/forms/escape.yaml "$WORK/hostile/"
start 80 24 "$BIN --round R1 --db $WORK/h.db --forms $WORK/hostile --lang en"
expect "New interview"
new_interview
expect '\x1B[2J\x1B]0;pwned\x07'
check "the window title was not changed" [ "$(tm display -p '#{pane_title}')" != "pwned" ]
keys C-x
expect "the draft was not kept"
finish
