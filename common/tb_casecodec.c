#include "tb_casecodec.h"

#include "tb_error.h"
#include "tongban_store.pb-c.h"

#include <assert.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tb_case_text_encode(const tb_case_t *c, char buf[TB_CASE_TEXT_MAX])
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

int tb_case_text_decode(const char *text, tb_case_t *ret_case)
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

/* ---- The stored form: tongban.store.v1.CaseFold ---------------------------------------- */

size_t tb_case_pack(const tb_case_t *c, uint8_t buf[TB_CASE_PACKED_MAX])
{
    Tongban__Store__V1__Pause p[TB_CASE_PAUSES_MAX], *pp[TB_CASE_PAUSES_MAX];
    Tongban__Store__V1__CaseFold m = TONGBAN__STORE__V1__CASE_FOLD__INIT;
    assert(c->npauses <= TB_CASE_PAUSES_MAX);
    m.state = (Tongban__Store__V1__CaseState)c->state;
    m.holder = (char *)c->holder;
    m.pending = (char *)c->pending;
    m.version = c->version;
    m.origin = (char *)c->origin;
    m.item = (char *)c->item;
    m.resume = (Tongban__Store__V1__CaseState)c->resume;
    m.have = c->have;
    m.missing = c->missing;
    m.owed = c->owed;
    m.noticed = c->noticed;
    m.rating = c->rating;
    m.followup = c->followup;
    m.decision = c->decision;
    m.arrived_ms = c->arrived_ms;
    m.accepted_ms = c->accepted_ms;
    m.pledge_due_ms = c->pledge_due_ms;
    m.decided_ms = c->decided_ms;
    m.closed_ms = c->closed_ms;
    for (uint32_t i = 0; i < c->npauses; i++) {
        tongban__store__v1__pause__init(&p[i]);
        p[i].start_ms = c->pauses[i].start_ms;
        p[i].end_ms = c->pauses[i].end_ms;
        pp[i] = &p[i];
    }
    m.n_pauses = c->npauses;
    m.pauses = pp;
    /* The bound holds for any tb_case_t: three codes, an item of at most 15
     * bytes, 17 numbers of at most 10 bytes and 8 pauses (test-case.c packs
     * the largest). */
    assert(tongban__store__v1__case_fold__get_packed_size(&m) <= TB_CASE_PACKED_MAX);
    return tongban__store__v1__case_fold__pack(&m, buf);
}

static bool code_ok(const char *s)
{
    return s && (!s[0] || tb_code_valid(s));
}

static bool state_ok(int s)
{
    return s >= TB_ST_NONE && s < TB_ST_LAST;
}

/* Every field against its bound, the same bounds as the text form's table
 * (ranges[] above) so the two forms accept the same folds. */
static int fold_check(const Tongban__Store__V1__CaseFold *m)
{
    if (m->base.n_unknown_fields || !state_ok((int)m->state) || !state_ok((int)m->resume) ||
        !code_ok(m->holder) || !code_ok(m->pending) || !code_ok(m->origin) || !m->item ||
        strlen(m->item) >= sizeof((tb_case_t *)0)->item || m->rating > 5 || m->followup > 5 ||
        m->decision > TB_DECISION_DENY || m->arrived_ms < 0 || m->accepted_ms < 0 ||
        m->pledge_due_ms < 0 || m->decided_ms < 0 || m->closed_ms < 0 ||
        m->n_pauses > TB_CASE_PAUSES_MAX)
        return -TB_EDATA;
    for (size_t i = 0; i < m->n_pauses; i++) {
        const Tongban__Store__V1__Pause *p = m->pauses[i];
        if (p->base.n_unknown_fields || p->start_ms < 0 || p->end_ms < TB_PAUSE_OPEN)
            return -TB_EDATA;
    }
    return 0;
}

int tb_case_unpack(const uint8_t *buf, size_t len, tb_case_t *ret_case)
{
    if (!buf && len)
        return -TB_EDATA;
    Tongban__Store__V1__CaseFold *m = tongban__store__v1__case_fold__unpack(NULL, len, buf);
    if (!m)
        return -TB_EDATA;
    int rc = fold_check(m);
    if (rc == 0) {
        tb_case_t c = {0};
        c.state = (tb_state_t)m->state;
        strcpy(c.holder, m->holder);
        strcpy(c.pending, m->pending);
        c.version = m->version;
        strcpy(c.origin, m->origin);
        strcpy(c.item, m->item);
        c.resume = (tb_state_t)m->resume;
        c.have = m->have;
        c.missing = m->missing;
        c.owed = m->owed;
        c.noticed = m->noticed;
        c.rating = (uint8_t)m->rating;
        c.followup = (uint8_t)m->followup;
        c.decision = (uint8_t)m->decision;
        c.arrived_ms = m->arrived_ms;
        c.accepted_ms = m->accepted_ms;
        c.pledge_due_ms = m->pledge_due_ms;
        c.decided_ms = m->decided_ms;
        c.closed_ms = m->closed_ms;
        c.npauses = (uint32_t)m->n_pauses;
        for (size_t i = 0; i < m->n_pauses; i++) {
            c.pauses[i].start_ms = m->pauses[i]->start_ms;
            c.pauses[i].end_ms = m->pauses[i]->end_ms;
        }
        *ret_case = c;
    }
    tongban__store__v1__case_fold__free_unpacked(m, NULL);
    return rc;
}
