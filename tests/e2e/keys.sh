#!/bin/sh
# Keys as real terminals send them, whatever TERM says; Ctrl-C sent from
# outside. What is checked is what an interviewer would see: the answer on
# screen and in the database holds what was typed, and nothing else.
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

the_pid() { pgrep -P "$PANE_PID"; }

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

# Starts the program on database $3 with TERM=$1 at size $2 (COLSxROWS),
# and opens a new interview of the keys form at its first question.
open_first() {	# open_first TERM COLSxROWS DB
	start "${2%x*}" "${2#*x}" "env TERM=$1 $BIN --db $3 --forms $WORK/forms --lang en"
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
start 80 24 "$BIN --db $DB --forms $WORK/forms --lang en"
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

finish
