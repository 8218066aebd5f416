#!/bin/sh
# The whole bundled interview again, on TERM=linux.
E2E_TERM=linux
. tests/e2e/interview.sh
