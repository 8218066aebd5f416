# Helpers for the terminal tests: the real program in a detached tmux with
# its own socket, driven with send-keys and read with capture-pane.
# Each check prints "ok N - what" or "not ok N - what" (TAP style).

BIN=${DOORSTEP_BIN:-./doorstep}
SOCK="doorstep-test-$$-0"
STARTS=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/doorstep-e2e-XXXXXX")
N=0
FAILED=0
# How long to wait for what a test expects on the screen, in polls of
# 50 ms: 60 s. A busy machine only makes a failing check slower to report;
# a passing one goes on as soon as the screen shows what it waits for.
POLLS=${E2E_POLLS:-1200}
export LANG=C.UTF-8 LC_ALL=C.UTF-8
export ASAN_OPTIONS="log_path=$WORK/asan:detect_leaks=1"
export UBSAN_OPTIONS="log_path=$WORK/ubsan:halt_on_error=1:print_stacktrace=1"
# The program under test: no config of the user's, a private database.
export XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data"
unset DOORSTEP_DB DOORSTEP_FORMS

tm() { tmux -L "$SOCK" -f /dev/null "$@"; }

# Ends the current session as a dropped connection does (SIGHUP). The
# program must then save and exit by itself: it is waited for as long as
# any screen is, and only then killed, so that no test leaves a process
# behind (AddressSanitizer's leak check at exit can hang after a hang-up
# on this machine) and no test kills a program still saving.
stop_session() {
	pids=""
	if [ -n "${PANE_PID:-}" ]; then
		pids=$(pgrep -P "$PANE_PID" 2>/dev/null)
	fi
	tm kill-server 2>/dev/null
	for p in $pids; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt "$POLLS" ]; do
			sleep 0.05
			i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
	done
	PANE_PID=""
}

cleanup() {
	stop_session
	# A test server a script started ($SERVER) ends with the script.
	[ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null
	i=0
	while [ $i -le $STARTS ]; do
		tmux -L "doorstep-test-$$-$i" kill-server 2>/dev/null
		i=$((i + 1))
	done
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ok() {
	N=$((N + 1))
	echo "ok $N - $1"
}

not_ok() {
	N=$((N + 1))
	FAILED=$((FAILED + 1))
	echo "not ok $N - $1"
	echo "# screen was:"
	screen | sed 's/^/#   /'
}

check() {	# check "what" command...
	what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# Starts the program in a new session of the given size.
start() {	# start COLS ROWS [env VAR=...] args...
	cols=$1 rows=$2
	shift 2
	# Each start gets a server of its own: a server being killed may
	# still hold its socket for a moment.
	stop_session
	STARTS=$((STARTS + 1))
	SOCK="doorstep-test-$$-$STARTS"
	# ASan/UBSan reports go to a file, so that a report fails the test.
	tm new-session -d -x "$cols" -y "$rows" \
	    "env ASAN_OPTIONS=log_path=$WORK/asan:detect_leaks=1 \
	     UBSAN_OPTIONS=log_path=$WORK/ubsan:halt_on_error=1 $*; \
	     echo \"[exit \$?]\"; sleep 30"
	PANE_PID=$(tm display -p '#{pane_pid}')
}

screen() { tm capture-pane -p 2>/dev/null; }

# Waits until the screen shows text (a fixed string), polling: a
# condition, not sleeping for luck.
wait_for() {
	i=0
	while [ $i -lt "$POLLS" ]; do
		if screen | grep -qF -- "$1"; then
			return 0
		fi
		# No session any more (the program and its pane are gone): no
		# use waiting.
		tm has-session 2>/dev/null || return 1
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# Waits for text to appear, and reports a failure if it does not.
expect() {
	if wait_for "$1"; then ok "shows: $1"; else not_ok "shows: $1"; fi
}

keys() { tm send-keys "$@"; }
typed() { tm send-keys -l -- "$1"; }

# Waits for a question, then answers it with the keys given.
answer() {	# answer "label part" keys...
	label=$1
	shift
	if ! wait_for "$label"; then
		not_ok "question shown: $label"
		return 1
	fi
	title=$(screen | head -n 1)
	for k in "$@"; do
		case $k in
		TEXT:*) typed "${k#TEXT:}" ;;
		*) keys "$k" ;;
		esac
	done
	# The answer has been taken when the label has gone, or when the
	# title line changed (the progress count moved on, or the review
	# opened, whose rows show the label too).
	i=0
	while screen | grep -qF -- "$label" &&
	    [ "$(screen | head -n 1)" = "$title" ]; do
		[ $i -lt "$POLLS" ] || return 1
		sleep 0.05
		i=$((i + 1))
	done
	return 0
}

# Waits until the screen no longer shows text; 1 if it stays.
wait_gone() {
	i=0
	while screen | grep -qF -- "$1"; do
		[ $i -lt "$POLLS" ] || return 1
		sleep 0.05
		i=$((i + 1))
	done
	return 0
}

# Waits until the screen stops changing (two captures 100 ms apart are
# the same), so that a check that something is NOT shown looks at a whole
# screen, not one half drawn.
wait_settled() {
	i=0
	prev=$(screen)
	while :; do
		sleep 0.1
		cur=$(screen)
		[ "$cur" = "$prev" ] && return 0
		[ $i -lt "$POLLS" ] || return 1
		prev=$cur
		i=$((i + 2))
	done
}

# Whether the settled screen does not show text.
not_shown() {
	wait_settled
	! screen | grep -qF -- "$1"
}

# Waits until a whole line of the screen is exactly text.
wait_line() {
	i=0
	while ! screen | grep -qxF -- "$1"; do
		[ $i -lt "$POLLS" ] || return 1
		sleep 0.05
		i=$((i + 1))
	done
	return 0
}

# Waits until the terminal's cursor stands at column x (0-based): ncurses
# moves it last, after the text of the same update.
wait_cursor_x() {
	i=0
	while [ "$(tm display -p '#{cursor_x}' 2>/dev/null)" != "$1" ]; do
		[ $i -lt "$POLLS" ] || return 1
		sleep 0.05
		i=$((i + 1))
	done
	return 0
}

# From the home screen, a new interview of household CODE: registered
# first (the code typed in the search) when it is not yet; with no CODE,
# an interview not linked to a household.
new_interview() {	# new_interview [CODE]
	keys Enter
	if ! wait_for "which household?"; then
		not_ok "the household chooser shows"
		return 1
	fi
	if [ -z "${1:-}" ]; then
		keys Down Enter
		return 0
	fi
	typed "$1"
	# Decide on the list drawn for the whole code, not on one drawn
	# while it was still being typed: the register line below the
	# count quotes the whole code only once every key has been taken.
	if ! wait_for "Register a new household: $1"; then
		not_ok "the chooser searched for $1"
		return 1
	fi
	if screen | grep -qF " 0 found"; then
		keys Enter
		wait_for "Register a household" || not_ok "the register form shows"
		# ^X would save it and open its page: Enter on the last row,
		# [ Save and start interview ], two up from the head's name.
		wait_for "[ Save and start interview ]" ||
		    not_ok "the register form offers to start the interview"
		keys Up Up Enter
	else
		keys Enter
	fi
}

# After an interview of a household is finalized, the next visit is asked:
# leave it unset.
skip_next_visit() {
	if wait_for "Next visit to"; then keys C-x; else not_ok "next visit asked"; fi
}

sanitizers_clean() {
	! ls "$WORK"/asan* "$WORK"/ubsan* >/dev/null 2>&1
}

finish() {
	check "no sanitizer report" sanitizers_clean
	if ls "$WORK"/asan* "$WORK"/ubsan* >/dev/null 2>&1; then
		cat "$WORK"/asan* "$WORK"/ubsan* 2>/dev/null | head -40 | sed 's/^/# /'
	fi
	[ "$FAILED" -eq 0 ]
}
