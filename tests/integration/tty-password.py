#!/usr/bin/env python3
"""Type passwords into a command on a pseudo-terminal, as a person would.

usage: tty-password.py PASSWORD[,PASSWORD...] COMMAND ARGS...
Answers each password prompt ("密码：" / "再输一次：", or the English ones) with
the next password, then prints everything the terminal showed, and exits with
the command's status.  The test then checks the terminal never echoed them."""
import os
import pty
import sys
import time

answers = sys.argv[1].split(",")
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
seen = b""
prompts = ["密码：".encode(), "再输一次：".encode(), b"password: ", b"again: "]
asked = 0
deadline = time.time() + 30
while time.time() < deadline:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
    while asked < len(answers) and sum(seen.count(p) for p in prompts) > asked:
        time.sleep(0.2)  # the command turns echo off after it prompted
        os.write(fd, answers[asked].encode() + b"\n")
        asked += 1
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
