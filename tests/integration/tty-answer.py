#!/usr/bin/python3
"""Runs a command on a pseudo-terminal and answers its prompts.

usage: tty-answer.py PROMPT ANSWER [PROMPT ANSWER...] -- COMMAND [ARG...]

Waits for each PROMPT (a substring of what the command writes since the
last answer) before it types ANSWER and a newline, so no answer is typed
before the command reads it (kartctl flushes pending input when it turns
echo off). Prints everything the command wrote; exits with its status,
or 124 when a prompt does not come within 30 s.
"""
import os
import pty
import select
import sys
import time

args = sys.argv[1:]
if '--' not in args:
    sys.exit(__doc__)
sep = args.index('--')
pairs, command = args[:sep], args[sep + 1:]
if len(pairs) % 2 or not command:
    sys.exit(__doc__)

pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

seen = b''


def read(timeout):
    global seen
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return None             # nothing yet
    try:
        data = os.read(fd, 4096)
    except OSError:
        return False
    if not data:
        return False
    seen += data
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
    return True


status = 0
for prompt, answer in zip(pairs[0::2], pairs[1::2]):
    deadline = time.monotonic() + 30
    while prompt.encode() not in seen:
        if time.monotonic() > deadline or read(0.2) is False:
            print('\ntty-answer: no prompt %r' % prompt)
            os.kill(pid, 15)
            status = 124
            break
    if status:
        break
    seen = seen[seen.index(prompt.encode()) + len(prompt.encode()):]
    os.write(fd, answer.encode() + b'\n')
while read(30):             # until the command closes the terminal (or is silent for 30 s)
    pass
_, st = os.waitpid(pid, 0)
sys.exit(status or os.waitstatus_to_exitcode(st))
