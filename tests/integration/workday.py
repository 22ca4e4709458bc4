#!/usr/bin/env python3
"""The date N working days after today (CST), from the holiday CSV, written
independently of the C calendar for the integration tests.  N = 0: today if
a working day, else the next one."""
import csv, datetime, sys

path, n = sys.argv[1], int(sys.argv[2])
over = {}
with open(path, encoding="utf-8") as f:
    for row in csv.DictReader(f):
        over[row["date"]] = row["kind"] == "work"
def working(d):
    k = d.isoformat()
    return over[k] if k in over else d.weekday() < 5
day = (datetime.datetime.utcnow() + datetime.timedelta(hours=8)).date()
if n == 0:
    while not working(day):
        day += datetime.timedelta(days=1)
else:
    while n:
        day += datetime.timedelta(days=1)
        if working(day):
            n -= 1
print(day.isoformat())
