#!/bin/sh
# The screens' attributes, as a user sees them, on xterm-256color, vt100
# (whose rmul and rmso end every attribute) and linux: a highlighted menu
# row is one run of reverse, a title's bold and underline end where they
# should, the review's line is drawn as a line. Read with capture-pane -e:
# tmux writes an escape sequence where a cell's attributes change, SO and
# SI around line drawing (linux's line is drawn in Unicode's box
# characters instead).
. tests/e2e/lib.sh

ESC=$(printf '\033')
SO=$(printf '\016')
SI=$(printf '\017')
attrs() { tm capture-pane -p -e 2>/dev/null; }
# Waits until a row of the screen, with its attributes, matches a pattern
# (grep's basic regular expression).
wait_attr_row() {
	i=0
	while ! attrs | grep -q -- "$1"; do
		[ $i -lt "$POLLS" ] || return 1
		sleep 0.05
		i=$((i + 1))
	done
}

# Whether the row showing text has no reverse video.
not_highlighted() {
	attrs | grep -- "$1" | grep -vq "$ESC\[[0-9;]*7m"
}

for term in xterm-256color vt100 linux; do
	start 80 24 "env TERM=$term $BIN --db $WORK/$term.db --forms forms --lang en"
	expect "8. Quit"
	check "$term: the chosen item is highlighted, number and text, one run" \
	    wait_attr_row "  $ESC\[7m1\. New interview"
	check "$term: the next item is not" not_highlighted "2\. Resume a draft"
	new_interview "BJ-$term"
	expect "Which round"
	keys Enter
	expect "Tell the respondent"
	# Bold after the bold-underlined section title: vt100's rmul would
	# end the bold too.
	check "$term: the section title bold and underlined" \
	    wait_attr_row "$ESC\[1;4mAbout this visit"
	check "$term: the note bold after it" \
	    wait_attr_row "$ESC\[1mTell the respondent: this interview"
	keys Enter
	check "$term: the next label bold, all of it" \
	    wait_attr_row "$ESC\[1mDoes the respondent agree to the interview?"
	keys Down
	check "$term: the highlighted answer, one run" \
	    wait_attr_row " $ESC\[7m1\. ( ) Yes"
	keys 1
	expect "Date of the visit"
	keys C-r
	expect "Review"
	# On the first row, whose label is cut, the review shows it whole
	# under the list, below a line: line drawing, and the text under it
	# is text again.
	keys Home
	check "$term: the review's line is drawn as a line" \
	    wait_attr_row "^\(${SO}qqqqqqqqqqqqqqqqqqqq\|────────────────────\)"
	check "$term: the text under the line is text" \
	    wait_attr_row "^$SI\{0,1\} Tell the respondent: this interview is to"
	stop_session
done

finish
