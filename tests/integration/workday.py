#!/usr/bin/env python3
"""Working days from the holiday CSV, written independently of the C calendar
(common/tb_calendar.c) as the oracle of the integration tests.

  workday.py CSV N [--from DAY] [--pause DAY..DAY]...
      The due day of a limit of N working days counted from DAY: the N-th
      counted day after DAY (DAY itself never counts); N = 0: DAY if it
      counts, else the next day that does.  A day counts if it is a working
      day (the CSV's "work"/"off" overrides, else Monday..Friday) and no
      pause touches it: --pause A..B stops the clock on every day from A to
      B, both included (a pause that starts on A and ends on B during the
      day touches both).
  workday.py CSV card DUE [--today DAY]
      The card of a case due at the end of day DUE, seen on DAY: "red" once
      DUE is past, "yellow" if DUE is today or not after the next working day
      after today, else "" (none).
  workday.py CSV today
      Today.

DAY defaults to today: the China Standard Time (UTC+8) day of now, where now
is the injected test clock when TONGBAN_TEST_CLOCK names a file (read as the
daemons read it: the unix milliseconds it holds plus the time since it was
written), else the real clock."""
import csv
import datetime
import os
import sys
import time

ONE = datetime.timedelta(days=1)


def now_ms():
    path = os.environ.get("TONGBAN_TEST_CLOCK", "")
    if path:
        with open(path, encoding="ascii") as f:
            text = f.read().strip()
        if not text.isdigit():
            sys.exit(f"workday.py: TONGBAN_TEST_CLOCK={path}: not unix milliseconds: {text!r}")
        # As tb_now_ms(): the instant written, run on since the file was written.
        return int(text) + max(0, (time.time_ns() - os.stat(path).st_mtime_ns) // 1000000)
    return time.time_ns() // 1000000


def today():
    cst = datetime.timezone(datetime.timedelta(hours=8))
    return datetime.datetime.fromtimestamp(now_ms() / 1000, cst).date()


def day(text):
    return datetime.date.fromisoformat(text)


def main(argv):
    path, what, rest = argv[1], argv[2], argv[3:]
    override = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            override[day(row["date"])] = row["kind"] == "work"

    def working(d):
        return override.get(d, d.isoweekday() <= 5)

    opts = {"--from": None, "--today": None}
    paused = set()
    args = []
    i = 0
    while i < len(rest):
        if rest[i] in opts:
            opts[rest[i]] = day(rest[i + 1])
            i += 2
        elif rest[i] == "--pause":
            a, b = (day(x) for x in rest[i + 1].split(".."))
            while a <= b:
                paused.add(a)
                a += ONE
            i += 2
        else:
            args.append(rest[i])
            i += 1

    if what == "today":
        print(today().isoformat())
    elif what == "card":
        due, now = day(args[0]), opts["--today"] or today()
        nxt = now + ONE
        while not working(nxt):
            nxt += ONE
        print("red" if now > due else "yellow" if due <= nxt else "")
    else:
        n, d = int(what), opts["--from"] or today()
        counts = lambda x: working(x) and x not in paused
        if n == 0:
            while not counts(d):
                d += ONE
        while n > 0:
            d += ONE
            n -= counts(d)
        print(d.isoformat())


main(sys.argv)
