#!/bin/sh
# The plain look, for slow links (--plain, or look: plain in the config):
# no colour and no highlight; the cursor marks the choice instead.
. tests/e2e/lib.sh

ESC=$(printf '\033')
# The screen with its attributes: tmux writes an escape sequence where a
# cell has colour, bold, reverse or any other attribute.
has_attrs() { tm capture-pane -p -e 2>/dev/null | grep -q "$ESC\["; }
no_attrs() { ! has_attrs; }
wait_attrs() {
	i=0
	while ! has_attrs; do
		[ $i -lt "$POLLS" ] || return 1
		sleep 0.05
		i=$((i + 1))
	done
}
# Waits until the cursor shows at column X of row Y.
cursor_at() {	# cursor_at Y X
	i=0
	while [ "$(tm display -p '#{cursor_y} #{cursor_x} #{cursor_flag}' 2>/dev/null)" \
	    != "$1 $2 1" ]; do
		[ $i -lt "$POLLS" ] || return 1
		sleep 0.05
		i=$((i + 1))
	done
}

# The usual look highlights the choice (so the test below can tell).
start 80 24 "$BIN --round R1 --db $WORK/a.db --forms forms --lang en"
expect "8. Quit"
check "the usual look draws the highlighted choice" wait_attrs
keys C-x
expect "[exit 0]"

# --plain: the same screen, no attribute anywhere; the cursor is on the
# chosen line and moves with the choice.
start 80 24 "$BIN --plain --round R1 --db $WORK/a.db --forms forms --lang en"
expect "8. Quit"
check "the plain look: the cursor marks the first choice" cursor_at 2 2
check "the plain look: no colour, no highlight" no_attrs
keys Down
check "the cursor follows the choice" cursor_at 3 2
keys Up
check "and comes back" cursor_at 2 2
# In a question, the cursor marks the choice among the answers.
new_interview BJ-1
expect "Tell the respondent"
keys Enter
expect "2. ( ) No"
check "a question's choice in the plain look: no highlight" no_attrs
keys Down
check "Down: the cursor marks the first answer" cursor_at 5 1
keys Down
check "Down again: the second" cursor_at 6 1
keys C-x
expect "Nothing was answered"
check "the message in the plain look: no highlight" no_attrs
keys C-x
expect "[exit 0]"

# look: plain in the config does the same.
mkdir -p "$WORK/config/doorstep"
printf 'look: plain\n' > "$WORK/config/doorstep/config.yaml"
start 80 24 "$BIN --round R1 --db $WORK/a.db --forms forms --lang en"
expect "8. Quit"
check "look: plain in the config" cursor_at 2 2
check "and nothing highlighted" no_attrs
keys C-x
expect "[exit 0]"

# Any other look is a mistake, said as such.
printf 'look: dark\n' > "$WORK/config/doorstep/config.yaml"
start 80 24 "$BIN --round R1 --db $WORK/a.db --forms forms --lang en"
expect "the config's look is 'dark'; it may be colour or plain"
expect "[exit 2]"

finish
