/* bench-machine: what this machine charges for the three things every hop of
 * a case pays, measured in the same run as the figures they explain.
 *
 *   bench-machine WORKDIR
 *
 * Prints one line:
 *
 *   machine syscall_ns=S wake_us=W wake_cpu_us=C fsync_us=F fsync_cpu_us=G
 *
 * S: CPU per system call (getpid through syscall(2), user + system: under a
 * paravirtualised kernel the switch back to user is charged as user time).
 * W, C: one wake-up of another process (a pipe ping-pong between two
 * processes, per hop): wall time and the CPU of both.  F, G: a 4 KiB write
 * and fdatasync in WORKDIR (the stores' file system), as a SQLite commit
 * in WAL mode ends: wall time and the caller's CPU (the file system's
 * journal thread not included).
 *
 * Every tier's CPU per case is mostly these: a node wakes for each message
 * (and its libzmq I/O thread once more), makes tens of system calls, and
 * syncs once per transaction.  The same code costs several times more where
 * these cost more; bench/RESULTS.md compares machines by them.
 *
 * Not a test: performance is measured, never asserted (bench/README.md). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double cpu_us(int who)
{
    struct rusage r;
    getrusage(who, &r);
    return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e6 +
           (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec);
}

static double syscall_ns(void)
{
    enum { N = 400000 };
    double c0 = cpu_us(RUSAGE_SELF);
    for (int i = 0; i < N; i++)
        syscall(SYS_getpid);
    return (cpu_us(RUSAGE_SELF) - c0) * 1e3 / N;
}

/* A byte back and forth between two processes, N times: 2 N wake-ups. */
static int wake(double *ret_wall, double *ret_cpu)
{
    enum { N = 20000 };
    int ab[2], ba[2];
    char c = 0;
    if (pipe(ab) < 0 || pipe(ba) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        for (int i = 0; i < 2; i++) {
            close(ab[i]);
            close(ba[i]);
        }
        return -1;
    }
    if (pid == 0) {
        /* Only its own ends: a parent that stops early closes ab[1], and the
         * child's read then sees end of file instead of waiting forever. */
        close(ab[1]);
        close(ba[0]);
        for (int i = 0; i < N; i++)
            if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
                _exit(1);
        _exit(0);
    }
    close(ab[0]);
    close(ba[1]);
    double t0 = wall_us(), c0 = cpu_us(RUSAGE_SELF);
    int rc = 0;
    for (int i = 0; i < N && rc == 0; i++)
        if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
            rc = -1;
    double t1 = wall_us(), c1 = cpu_us(RUSAGE_SELF);
    close(ab[1]);
    close(ba[0]);
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        rc = -1;
    *ret_wall = (t1 - t0) / (2.0 * N);
    *ret_cpu = (c1 - c0 + cpu_us(RUSAGE_CHILDREN)) / (2.0 * N);
    return rc;
}

static int sync_cost(const char *dir, double *ret_wall, double *ret_cpu)
{
    enum { N = 300 };
    char path[4096], page[4096];
    snprintf(path, sizeof path, "%s/bench-machine.%ld", dir, (long)getpid());
    memset(page, 0x5a, sizeof page);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    unlink(path);
    int rc = 0;
    double t0 = wall_us(), c0 = cpu_us(RUSAGE_SELF);
    for (int i = 0; i < N && rc == 0; i++)
        if (pwrite(fd, page, sizeof page, (off_t)(i % 64) * (off_t)sizeof page) != sizeof page ||
            fdatasync(fd) < 0)
            rc = -1;
    *ret_wall = (wall_us() - t0) / N;
    *ret_cpu = (cpu_us(RUSAGE_SELF) - c0) / N;
    close(fd);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench-machine WORKDIR\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN); /* a ping-pong child that quit: EPIPE, an error, not death */
    double sc = syscall_ns(), ww, wc, fw, fc;
    if (sync_cost(argv[1], &fw, &fc) < 0) {
        perror("bench-machine: write and sync");
        return 1;
    }
    /* Last: cpu_us(RUSAGE_CHILDREN) then holds the ping-pong's child only. */
    if (wake(&ww, &wc) < 0) {
        perror("bench-machine: ping-pong");
        return 1;
    }
    printf("machine syscall_ns=%.0f wake_us=%.1f wake_cpu_us=%.1f fsync_us=%.0f fsync_cpu_us=%.1f\n",
           sc, ww, wc, fw, fc);
    return 0;
}
