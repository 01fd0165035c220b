#!/usr/bin/python3
"""Exec a command that the kernel kills (SIGKILL) when the process that started it dies.

Test harnesses and `npm run stack` start influxd, the RTSP server and the services
through this, so killing the test run or the stack mid-way - even with SIGKILL,
which no JavaScript exit handler sees - leaves no server behind. Linux only
(prctl PR_SET_PDEATHSIG, which survives execve).
"""
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1

if len(sys.argv) < 2:
    sys.stderr.write("usage: die-with-parent.py COMMAND [ARG...]\n")
    sys.exit(2)

parent = os.getppid()
libc = ctypes.CDLL("libc.so.6", use_errno=True)
if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
    sys.stderr.write("die-with-parent: prctl failed\n")
    sys.exit(1)
# The parent may have died between fork and prctl; then nobody would kill us.
if os.getppid() != parent:
    sys.exit(1)
os.execvp(sys.argv[1], sys.argv[1:])
