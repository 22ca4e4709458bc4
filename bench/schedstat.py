#!/usr/bin/env python3
"""Where the daemons of one bench run spend their wall clock: on a CPU, waiting
for one (the run queue), or blocked (epoll, fdatasync, PostgreSQL's answer).

    bench/schedstat.py OUT SECS BUILD-DIR &      # then the bench run
    bench/schedstat.py --report OUT [FROM TO]    # seconds from the villages' start

Every 100 ms it reads /proc/PID/task/TID/schedstat (ns on CPU, ns runnable
but waiting for a CPU) of each daemon started from BUILD-DIR (`--place` in its
command line) and of the PostgreSQL processes of that run's cluster (their
working directory is under the daemons' --data-dir parent), and every 0.5 s
the county's count of case_events (all; RECEIVED).  Diagnostic only: it
times nothing the harness reports (2026-12-01, wait19, issue 13)."""
import collections, os, subprocess, sys, time


def sample(out_path, secs, root):
    root = os.path.abspath(root)
    out = open(out_path, 'w')
    end = time.time() + secs
    work, i = None, 0
    while time.time() < end:
        t = time.time()
        i += 1
        for pid in (p for p in os.listdir('/proc') if p.isdigit()):
            try:
                cmd = open(f'/proc/{pid}/cmdline', 'rb').read().split(b'\0')
                c0 = cmd[0].decode()
                if c0.startswith(root) and b'--place' in cmd:
                    kind = os.path.basename(c0)
                    place = cmd[cmd.index(b'--place') + 1].decode()
                    if b'--data-dir' in cmd:
                        work = os.path.dirname(cmd[cmd.index(b'--data-dir') + 1].decode())
                elif work and c0.startswith('postgres') and \
                        os.readlink(f'/proc/{pid}/cwd').startswith(work):
                    kind, place = 'pg', 'all'
                else:
                    continue
                for tid in os.listdir(f'/proc/{pid}/task'):
                    s = open(f'/proc/{pid}/task/{tid}/schedstat').read().split()
                    out.write(f'{t:.3f} {kind} {place} {tid} {s[0]} {s[1]}\n')
            except OSError:
                pass  # gone meanwhile
        if work and i % 5 == 0:
            try:
                n = subprocess.run(['psql', '-h', work + '/pg', '-U', 'tongban', '-d', 'tongban',
                                    '-Atc', "SELECT count(*), count(*) FILTER "
                                    "(WHERE type_name = 'received') FROM case_events"],
                                   capture_output=True, text=True, timeout=2).stdout.strip()
                if n:
                    out.write(f'{t:.3f} COUNT {n}\n')
            except (OSError, subprocess.TimeoutExpired):
                pass
        out.flush()
        time.sleep(max(0.0, 0.1 - (time.time() - t)))


def report(path, lo=None, hi=None):
    series, counts = collections.defaultdict(list), []
    for line in open(path):
        r = line.split()
        if r[1] == 'COUNT':
            if len(r) > 2:
                counts.append((float(r[0]), r[2]))
            continue
        series[(r[1], r[2], r[3])].append((float(r[0]), int(r[4]), int(r[5])))
    villages = [s[0][0] for k, s in series.items() if 'village' in k[0]]
    if not villages:
        sys.exit('no village in ' + path)
    t0 = min(villages)
    last = max(s[-1][0] for s in series.values())
    lo = 0.0 if lo is None else lo
    hi = last - t0 if hi is None else hi

    def at(s, when):
        best = None
        for x in s:
            if x[0] <= when:
                best = x
        return best

    print(f'{lo:.0f}-{hi:.0f} s after the first village started: the busiest thread of each '
          'process, fraction of the wall clock on a CPU / runnable, waiting for one / blocked')
    busiest = {}
    for (kind, place, _tid), s in series.items():
        a, b = at(s, t0 + lo) or s[0], at(s, t0 + hi)
        if not a or not b:
            continue
        c, q = (b[1] - a[1]) / 1e9, (b[2] - a[2]) / 1e9
        if (kind, place) not in busiest or c > busiest[(kind, place)][0]:
            busiest[(kind, place)] = (c, q)
    w = hi - lo
    for (kind, place), (c, q) in sorted(busiest.items()):
        if kind != 'pg':
            print(f'  {kind:18} {place:13} {c / w:.2f} {q / w:.2f} {1 - (c + q) / w:.2f}')
    print('case_events at the county (all|received) by second:',
          ' '.join(f'{t - t0:.1f}:{n}' for t, n in counts if t0 - 1 <= t))


if __name__ == '__main__':
    if len(sys.argv) >= 3 and sys.argv[1] == '--report':
        report(sys.argv[2], *(float(x) for x in sys.argv[3:5]))
    elif len(sys.argv) == 4:
        sample(sys.argv[1], float(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__)
