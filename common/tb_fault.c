#include "tb_fault.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tb_fault_parse(tb_fault_t *f, const char *spec)
{
    memset(f, 0, sizeof *f);
    f->state = 88172645463325252ULL;
    if (!spec || !*spec)
        return 0;
    char buf[512];
    if (strlen(spec) >= sizeof buf)
        return -EINVAL;
    strcpy(buf, spec);
    char *save = NULL;
    for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq)
            return -EINVAL;
        *eq = '\0';
        char *end;
        errno = 0;
        double v = strtod(eq + 1, &end);
        if (errno || end == eq + 1 || *end || v < 0)
            return -EINVAL;
        if (strcmp(kv, "seed") == 0)
            f->state = (uint64_t)v * 2654435761ULL + 1;
        else if (strcmp(kv, "drop") == 0 && v <= 1)
            f->drop = v;
        else if (strcmp(kv, "dup") == 0 && v <= 1)
            f->dup = v;
        else if (strcmp(kv, "delay") == 0 && v <= 1)
            f->delay = v;
        else if (strcmp(kv, "crash_after_commit") == 0)
            f->crash_after_commit = (long)v;
        else
            return -EINVAL;
    }
    f->active = true;
    return 0;
}

int tb_fault_from_env(tb_fault_t *f)
{
    return tb_fault_parse(f, getenv("TONGBAN_FAULT"));
}

static double next01(tb_fault_t *f)
{
    /* xorshift64* */
    f->state ^= f->state >> 12;
    f->state ^= f->state << 25;
    f->state ^= f->state >> 27;
    return (double)((f->state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

tb_fault_action_t tb_fault_roll(tb_fault_t *f)
{
    if (!f->active)
        return TB_FAULT_PASS;
    double r = next01(f);
    if (r < f->drop)
        return TB_FAULT_DROP;
    r -= f->drop;
    if (r < f->dup)
        return TB_FAULT_DUP;
    r -= f->dup;
    if (r < f->delay)
        return TB_FAULT_DELAY;
    return TB_FAULT_PASS;
}

void tb_fault_committed(tb_fault_t *f)
{
    if (f->active && f->crash_after_commit > 0 && ++f->commits == f->crash_after_commit) {
        fprintf(stderr, "fault injection: SIGKILL after commit %ld, before its acks\n", f->commits);
        kill(getpid(), SIGKILL);
    }
}
