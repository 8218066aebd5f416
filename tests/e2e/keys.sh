#!/bin/sh
# Keys as real terminals send them, whatever TERM says; Ctrl-C sent from
# outside; windows too small, and resize storms while typing. What is
# checked is what an interviewer would see: the answer on screen and in the
# database holds what was typed, in the question it was typed in, and
# nothing else.
. tests/e2e/lib.sh

mkdir -p "$WORK/forms"
cat >"$WORK/forms/keys.yaml" <<'EOF'
form: keys
version: "1"
title: Keys
body:
  - {name: first, type: text, label: First answer}
  - {name: second, type: text, label: Second answer}
  - {name: third, type: text, label: Third answer}
EOF

# Bytes as a terminal sends them, given as a printf format (\033 is ESC).
send() { tm send-keys -l -- "$(printf "$1")"; }

# Waits until a line of the screen is exactly $1 (10 s at most).
wait_line() {
	i=0
	while [ $i -lt 200 ]; do
		if screen | grep -qxF -- "$1"; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# The answer field shows exactly TEXT.
field_is() {	# field_is "what" TEXT
	if wait_line " > $2"; then ok "$1"; else not_ok "$1"; fi
}

# Waits until the cursor shows: the program takes keys again.
wait_cursor() {
	i=0
	while [ $i -lt 200 ]; do
		if [ "$(tm display -p '#{cursor_flag}')" = 1 ]; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# The stored answer to a question of the one interview in database $1.
stored() { sqlite3 "$1" "SELECT value FROM answers WHERE name = '$2'"; }

answer_is() {	# answer_is "what" DB NAME VALUE
	got=$(stored "$2" "$3")
	if [ "$got" = "$4" ]; then
		ok "$1"
	else
		not_ok "$1 (stored: '$got')"
	fi
}

the_pid() { pgrep -P "$PANE_PID"; }

# Starts the program on database $3 with TERM=$1 at size $2 (COLSxROWS),
# and opens a new interview of the keys form at its first question.
open_first() {	# open_first TERM COLSxROWS DB
	start "${2%x*}" "${2#*x}" "env TERM=$1 $BIN --round R1 --db $3 --forms $WORK/forms --lang en"
	wait_for "New interview"
	new_interview
	expect "First answer"
}

# Home, End, Insert, Delete, PgUp, PgDn, the arrows and F1 as each client
# sends them (printf formats), or as tmux sends its own keys. vt100
# keyboards have no Home, End, Insert, Delete or page keys: Ctrl-A, Ctrl-E,
# Ctrl-D, Ctrl-P and Ctrl-N stand in, and Insert is left out.
client() {
	CLIENT=$1
	case $1 in
	putty)	# PuTTY's default, and many phone SSH clients
		K_Up='\033[A' K_Down='\033[B' K_Right='\033[C' K_Left='\033[D'
		K_Home='\033[1~' K_End='\033[4~' K_IC='\033[2~' K_DC='\033[3~'
		K_PPage='\033[5~' K_NPage='\033[6~' K_F1='\033[11~' ;;
	termux)	# JuiceSSH, Termux: xterm-like, here with Ctrl and Shift held
		K_Up='\033[1;2A' K_Down='\033[B' K_Right='\033[1;5C'
		K_Left='\033[1;2D' K_Home='\033[H' K_End='\033[1;5F'
		K_IC='\033[2;5~' K_DC='\033[3;2~' K_PPage='\033[5~'
		K_NPage='\033[6;5~' K_F1='\033OP' ;;
	xterm)	# xterm in application cursor mode (SS3)
		K_Up='\033OA' K_Down='\033OB' K_Right='\033OC' K_Left='\033OD'
		K_Home='\033OH' K_End='\033OF' K_IC='\033[2~' K_DC='\033[3~'
		K_PPage='\033[5~' K_NPage='\033[6~' K_F1='\033[1;2P' ;;
	linux)	# the Linux console
		K_Up='\033[A' K_Down='\033[B' K_Right='\033[C' K_Left='\033[D'
		K_Home='\033[1~' K_End='\033[4~' K_IC='\033[2~' K_DC='\033[3~'
		K_PPage='\033[5~' K_NPage='\033[6~' K_F1='\033[[A' ;;
	rxvt)
		K_Up='\033[A' K_Down='\033[B' K_Right='\033[C' K_Left='\033[D'
		K_Home='\033[7~' K_End='\033[8~' K_IC='\033[2~' K_DC='\033[3~'
		K_PPage='\033[5~' K_NPage='\033[6~' K_F1='\033[11~' ;;
	vt100)
		K_Up='\033OA' K_Down='\033OB' K_Right='\033OC' K_Left='\033OD'
		K_Home='\001' K_End='\005' K_IC='' K_DC='\004'
		K_PPage='\020' K_NPage='\016' K_F1='\033OP' ;;
	tmux) ;;
	esac
}

# Sends keys as the current client does: each a name (Home, NPage: tmux's
# names) or a character, all at once, as a fast typist or a slow link does.
press() {
	if [ "$CLIENT" = tmux ]; then
		keys "$@"
		return
	fi
	bytes=""
	for k in "$@"; do
		case $k in
		?) bytes="$bytes$k" ;;
		*) eval "bytes=\"\$bytes\$K_$k\"" ;;
		esac
	done
	send "$bytes"
}

# Editing keys from every client, under each terminal type: the answer
# holds what was typed, and Home and End move the cursor.
for term in xterm-256color vt100 linux; do
	DB="$WORK/keys-$term.db"
	open_first "$term" 80x24 "$DB"
	for c in putty termux tmux xterm linux rxvt vt100; do
		client $c
		# Help (F1) closes on any key: a q typed means F1 was not read.
		press b c X Left DC Home a End d Home Right - Up Down IC End ! \
		    F1 q NPage
		if ! wait_for "Second answer"; then
			not_ok "$c keys, TERM=$term: PgDn"
		fi
		press PPage
		field_is "$c keys, TERM=$term: Home, End, Left, Right, Delete, F1, PgDn, PgUp" \
		    "a-bcd!"
		keys C-u
	done
	wait_line " >"

	# Sequences no key of ours is bound to are dropped whole: a back-tab,
	# Shift-F5, a mouse report, a window title, DCS and APC strings, a
	# device attributes reply, keypad 5, a kitty key, focus in and out,
	# Alt-x, Alt-Up; Ctrl-Home is Home.
	send '1\033[Z2\033[15;2~3\033[<0;10;5M4\033]0;title\a5\033P1$r0m\033\\'
	send '6\033_apc\033\\7\033[?1;2c8\033OE9\033[97;5u0\033[I\033[O\033x'
	send '\033\033[A\033]2;t\033\\\033[1;5H'
	typed "#"
	field_is "unknown sequences type nothing, TERM=$term" "#1234567890"
	keys Enter
	expect "Second answer"
	answer_is "the stored answer is what was typed, TERM=$term" "$DB" first \
	    "#1234567890"
	keys C-x
	wait_for "Draft saved"
	keys C-x
	expect "[exit 0]"
done

# Ctrl-C sent from outside saves the answer being typed, as a hang-up does.
DB="$WORK/int.db"
open_first xterm-256color 80x24 "$DB"
typed "Half typed"
wait_line " > Half typed"
kill -INT "$(the_pid)"
expect "[exit 0]"
answer_is "kill -INT keeps the answer being typed" "$DB" first "Half typed"
# And with the help screen over the question.
start 80 24 "$BIN --round R1 --db $DB --forms $WORK/forms --lang en"
expect "Resume a draft (1)"
keys 2 Enter
field_is "the draft resumes with the answer" "Half typed"
keys C-n
expect "Second answer"
typed "Under help"
wait_line " > Under help"
keys C-g
expect "Help: keys"
kill -INT "$(the_pid)"
expect "[exit 0]"
answer_is "kill -INT under the help screen keeps the answer" "$DB" second \
    "Under help"

# Too small: a notice that fits, whatever the size; keys typed meanwhile
# are not taken, and the screen says so when it comes back.
DB="$WORK/small.db"
open_first xterm-256color 80x24 "$DB"
typed "ab"
wait_line " > ab"
tm resize-window -x 30 -y 10
expect "Terminal too small: 30x10"
expect "at least 40x15"
typed "xyz"
keys Enter C-n BSpace
for size in 39x15 40x14 20x5 10x3 5x2; do
	tm resize-window -x "${size%x*}" -y "${size#*x}"
	if wait_for "40x15"; then
		ok "at $size the notice names the minimum size"
	else
		not_ok "at $size the notice names the minimum size"
	fi
done
tm resize-window -x 80 -y 24
expect "First answer"
expect "Keys typed while the window was too small were ignored"
check "the keys are taken again once the screen is back" wait_cursor
check "nothing typed while too small was taken" \
    sh -c "tmux -L $SOCK capture-pane -p | grep -qx ' > ab'"
typed "c"
field_is "typing goes on where it was" "abc"
# Ctrl-X while too small saves what is typed and quits.
tm resize-window -x 30 -y 10
expect "Terminal too small"
keys C-x
expect "[exit 0]"
answer_is "Ctrl-X in a window too small saves the answer" "$DB" first "abc"

# A resize storm while typing two answers: the window stays large enough,
# nothing typed is lost or moved.
storm() {	# storm SIZE...: resizes through the sizes, 8 times
	(
		i=0
		while [ $i -lt 8 ]; do
			for s in "$@"; do
				tm resize-window -x "${s%x*}" -y "${s#*x}"
			done
			i=$((i + 1))
		done
	) &
	STORM=$!
}

type_slowly() {	# each key its own send, to mix with the resizes
	for k in "$@"; do
		case $k in
		Enter|Home|End) keys "$k" ;;
		*) typed "$k" ;;
		esac
	done
}

# Leaves the interview and the program once keys are taken again.
leave() {
	wait_cursor
	keys C-x
	wait_for "Draft saved"
	keys C-x
	wait_for "[exit 0]"
}

DB="$WORK/storm.db"
open_first xterm-256color 80x24 "$DB"
storm 40x15 100x30 60x20 80x24
type_slowly i u " " L i Home L End Enter 1 3 8 1 2 Enter
wait "$STORM"
tm resize-window -x 80 -y 24
expect "Third answer"
answer_is "storm: the first answer as typed" "$DB" first "Liu Li"
answer_is "storm: the second answer as typed" "$DB" second "13812"
leave

# Enter typed while the window is too small, and typing going on, for the
# next question, as the window grows back: neither the Enter nor the keys
# after it are taken before the keyboard rests, so the first answer keeps
# only what was typed for it.
DB="$WORK/small-enter.db"
open_first xterm-256color 80x24 "$DB"
typed "Liu"
wait_line " > Liu"
tm resize-window -x 30 -y 10
expect "Terminal too small"
keys Enter
(while :; do typed 1; done) &
TYPING=$!
tm resize-window -x 80 -y 24
wait_for "First answer"
kill "$TYPING" 2>/dev/null
wait "$TYPING" 2>/dev/null
leave
answer_is "Enter lost to a small window: the next answer is not typed into this one" \
    "$DB" first "Liu"

# A storm through sizes too small: keys may be dropped, but an answer
# never takes what was typed for another question.
is_prefix() {	# is_prefix PART WHOLE
	case $2 in "$1"*) return 0 ;; *) return 1 ;; esac
}
trial=1
merged=0
while [ $trial -le 3 ]; do
	DB="$WORK/storm-small-$trial.db"
	open_first xterm-256color 80x24 "$DB"
	storm 30x10 80x24
	type_slowly L i u Enter 1 3 8 Enter
	wait "$STORM"
	tm resize-window -x 80 -y 24
	leave
	first=$(stored "$DB" first)
	second=$(stored "$DB" second)
	if ! is_prefix "$first" "Liu" || ! is_prefix "$second" "138"; then
		merged=$((merged + 1))
		echo "# trial $trial: first '$first', second '$second'"
	fi
	trial=$((trial + 1))
done
check "storm through small sizes: no answer merged ($merged of 3)" [ "$merged" -eq 0 ]
finish
