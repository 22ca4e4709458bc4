#include "tb_casecodec.h"

#include "tb_error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tb_case_encode(const tb_case_t *c, char buf[TB_CASE_TEXT_MAX])
{
    int n =
        snprintf(buf, TB_CASE_TEXT_MAX,
                 "1 %d %s %s %u %s %s %d %u %u %u %d %u %u %lld %lld %lld %lld %lld %u",
                 (int)c->state, c->holder[0] ? c->holder : "-", c->pending[0] ? c->pending : "-",
                 c->version, c->origin[0] ? c->origin : "-", c->item[0] ? c->item : "-",
                 (int)c->resume, c->have, c->missing, c->owed, c->noticed, c->rating, c->decision,
                 (long long)c->arrived_ms, (long long)c->accepted_ms, (long long)c->pledge_due_ms,
                 (long long)c->decided_ms, (long long)c->closed_ms, c->npauses);
    for (uint32_t i = 0; i < c->npauses && n > 0 && n < TB_CASE_TEXT_MAX; i++)
        n += snprintf(buf + n, (size_t)(TB_CASE_TEXT_MAX - n), " %lld %lld",
                      (long long)c->pauses[i].start_ms, (long long)c->pauses[i].end_ms);
}

static int take_word(const char **p, char *out, size_t size)
{
    const char *s = *p;
    while (*s == ' ')
        s++;
    size_t n = 0;
    while (s[n] && s[n] != ' ')
        n++;
    if (n == 0 || n >= size)
        return -TB_EDATA;
    memcpy(out, s, n);
    out[n] = '\0';
    *p = s + n;
    return 0;
}

static int take_ll(const char **p, long long lo, long long hi, long long *ret)
{
    char w[32], *end;
    if (take_word(p, w, sizeof w) < 0)
        return -TB_EDATA;
    errno = 0;
    long long v = strtoll(w, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -TB_EDATA;
    *ret = v;
    return 0;
}

/* The numbers after the item, in the order they are written.  One table of
 * ranges indexed by this enum: the decoder once kept two arrays of bounds
 * that disagreed in length (17 lows, 16 highs), harmless only because the
 * loop stopped short of the extra entry. */
enum {
    N_RESUME,
    N_HAVE,
    N_MISSING,
    N_OWED,
    N_NOTICED,
    N_RATING,
    N_DECISION,
    N_ARRIVED,
    N_ACCEPTED,
    N_PLEDGE_DUE,
    N_DECIDED,
    N_CLOSED,
    N_NPAUSES,
    N_COUNT
};

static const struct {
    long long lo, hi;
} ranges[] = {
    [N_RESUME] = {0, TB_ST_LAST - 1},
    [N_HAVE] = {0, UINT32_MAX},
    [N_MISSING] = {0, UINT32_MAX},
    [N_OWED] = {0, UINT32_MAX},
    [N_NOTICED] = {0, 1},
    [N_RATING] = {0, 5},
    [N_DECISION] = {0, 2},
    [N_ARRIVED] = {0, INT64_MAX},
    [N_ACCEPTED] = {0, INT64_MAX},
    [N_PLEDGE_DUE] = {0, INT64_MAX},
    [N_DECIDED] = {0, INT64_MAX},
    [N_CLOSED] = {0, INT64_MAX},
    [N_NPAUSES] = {0, TB_CASE_PAUSES_MAX},
};
_Static_assert(sizeof ranges / sizeof ranges[0] == N_COUNT, "one range per number");

int tb_case_decode(const char *text, tb_case_t *ret_case)
{
    tb_case_t c = {0};
    long long format, state, version, v[N_COUNT];
    const char *p = text ? text : "";
    char holder[16], pending[16], origin[16], item[16];
    if (take_ll(&p, 1, 1, &format) < 0 || take_ll(&p, 0, TB_ST_LAST - 1, &state) < 0 ||
        take_word(&p, holder, sizeof holder) < 0 || take_word(&p, pending, sizeof pending) < 0 ||
        take_ll(&p, 0, UINT32_MAX, &version) < 0 || take_word(&p, origin, sizeof origin) < 0 ||
        take_word(&p, item, sizeof item) < 0)
        return -TB_EDATA;
    for (int i = 0; i < N_COUNT; i++)
        if (take_ll(&p, ranges[i].lo, ranges[i].hi, &v[i]) < 0)
            return -TB_EDATA;
    c.state = (tb_state_t)state;
    c.version = (uint32_t)version;
    c.resume = (tb_state_t)v[N_RESUME];
    c.have = (uint32_t)v[N_HAVE];
    c.missing = (uint32_t)v[N_MISSING];
    c.owed = (uint32_t)v[N_OWED];
    c.noticed = v[N_NOTICED] != 0;
    c.rating = (uint8_t)v[N_RATING];
    c.decision = (uint8_t)v[N_DECISION];
    c.arrived_ms = v[N_ARRIVED];
    c.accepted_ms = v[N_ACCEPTED];
    c.pledge_due_ms = v[N_PLEDGE_DUE];
    c.decided_ms = v[N_DECIDED];
    c.closed_ms = v[N_CLOSED];
    c.npauses = (uint32_t)v[N_NPAUSES];
    for (uint32_t i = 0; i < c.npauses; i++) {
        long long s, e;
        if (take_ll(&p, 0, INT64_MAX, &s) < 0 || take_ll(&p, -1, INT64_MAX, &e) < 0)
            return -TB_EDATA;
        c.pauses[i].start_ms = s;
        c.pauses[i].end_ms = e;
    }
    while (*p == ' ')
        p++;
    if (*p)
        return -TB_EDATA;
    const char *codes[] = {holder, pending, origin};
    char *dst[] = {c.holder, c.pending, c.origin};
    for (int i = 0; i < 3; i++) {
        if (strcmp(codes[i], "-") == 0)
            continue;
        if (!tb_code_valid(codes[i]))
            return -TB_EDATA;
        strcpy(dst[i], codes[i]);
    }
    if (strcmp(item, "-") != 0)
        strcpy(c.item, item);
    *ret_case = c;
    return 0;
}
