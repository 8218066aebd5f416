#!/bin/sh
# The whole bundled interview again, on TERM=vt100.
E2E_TERM=vt100
. tests/e2e/interview.sh
