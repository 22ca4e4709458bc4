/* Unit tests for common/tb_data (the county's catalog and calendar versions
 * at a node: received, stored, put in force, used at start; never going
 * backwards) on a township store in a temp dir, and the county's import of
 * a data file (county_data_import) up to the point where it would write to
 * PostgreSQL: kind, missing file, a malformed file refused naming the line,
 * a NUL byte, and the size limit both ways (-EFBIG just past it).  Without
 * a connection (NULL) libpq's insert fails, so a file that passes every
 * check comes back as -TB_ESTORE: that is how "just inside" shows.
 *
 * Built with -DTB_SOURCE_DATA_DIR="/abs/path/to/data".
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "tb_test.h"
#include "tb_test_store.h"

#include "county.h"
#include "tb_data.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_sign.h"
#include "tb_store.h"

#ifndef TB_SOURCE_DATA_DIR
#error "compile with -DTB_SOURCE_DATA_DIR=\"/path/to/data\""
#endif

#define TOWNSHIP "360826100000"
#define CASE_ID TOWNSHIP "-20260302-0001"
#define CAT_HEADER "code,name,level,kind,promised_days,legal_days,materials\n"
#define CAL_HEADER "date,kind,holiday\n"
#define DAY_MS 86400000LL

/* A catalog of one item besides the consultation; a calendar with one day off. */
static const char cat_a[] = CAT_HEADER "AA001,测试事项甲,township,promised,5,10,居民身份证:core\n"
                                       "ZX001,政策咨询,village,consult,0,0,\n";
static const char cat_b[] = CAT_HEADER "BB001,测试事项乙,township,immediate,0,0,户口簿:core\n"
                                       "ZX001,政策咨询,village,consult,0,0,\n";
static const char cal_a[] = CAL_HEADER "2026-03-03,off,测试假日\n";

static unsigned char test_sk[TB_SIGN_SK_BYTES]; /* the test county's signing key */

typedef struct {
    tb_tdir_t t;      /* tb_test_store.h: the dir, the catalog and calendar */
    tb_env_ctx_t env; /* borrows t's catalog and calendar: tb_data loads into them */
    tb_store_t *store;
} fix_t;

static int setup(void **state)
{
    fix_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    if (tb_tdir_init(&f->t, "data") < 0) {
        free(f);
        return -1;
    }
    f->env.catalog = f->t.catalog;
    f->env.calendar = f->t.calendar;
    crypto_sign_keypair(f->env.data_pk, test_sk); /* the test county's signing key, pinned */
    f->env.data_pk_set = true;
    if (tb_tdir_open(&f->t, TOWNSHIP, &f->store) != 0) {
        tb_tdir_fini(&f->t);
        free(f);
        return -1;
    }
    tb_lang_set_en(true);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fix_t *f = *state;
    tb_store_destroy(&f->store);
    tb_tdir_fini(&f->t); /* the store, and the files a test wrote beside it */
    free(f);
    return 0;
}

/* A version as it arrives with the signature sig (NULL: none). */
static int receive_sig(fix_t *f, const char *kind, uint32_t version, const char *body,
                       const unsigned char *sig)
{
    Tongban__V1__DataVersion dv = TONGBAN__V1__DATA_VERSION__INIT;
    dv.kind = (char *)kind;
    dv.version = version;
    dv.body.data = (uint8_t *)body;
    dv.body.len = body ? strlen(body) : 0;
    dv.signature.data = (uint8_t *)sig;
    dv.signature.len = sig ? TB_SIGN_BYTES : 0;
    assert_rc(tb_store_begin(f->store), 0);
    int rc = tb_data_receive(&f->env, f->store, &dv);
    if (rc < 0)
        tb_store_rollback(f->store);
    else
        assert_rc(tb_store_commit(f->store), 0);
    return rc;
}

/* A version as it arrives, signed by the test county (tb_item_decode has
 * checked it already; tb_data_receive checks again). */
static int receive(fix_t *f, const char *kind, uint32_t version, const char *body)
{
    unsigned char sig[TB_SIGN_BYTES] = {0};
    if (kind && body)
        assert_rc(tb_sign_data(test_sk, kind, version, (const uint8_t *)body, strlen(body), sig),
                  0);
    return receive_sig(f, kind, version, body, sig);
}

static uint32_t newest(fix_t *f, const char *kind)
{
    uint32_t v = 0;
    int rc = tb_store_data_newest(f->store, kind, &v, NULL, NULL);
    if (rc == -ENOENT)
        return 0;
    assert_rc(rc, 0);
    return v;
}

/* ---- tb_data_receive ---- */

static void test_receive_refused(void **state)
{
    fix_t *f = *state;
    static const struct {
        const char *kind;
        uint32_t version;
        const char *body;
    } t[] = {
        {"catalog", 0, cat_a},                  /* versions start at 1 */
        {"places", 1, cat_a},                   /* not a kind we know */
        {NULL, 1, cat_a},                       /* no kind */
        {"catalog", 1, "code,name\nAA001,x\n"}, /* does not parse */
        {"catalog", 1, cal_a},                  /* a calendar sent as a catalog */
        {"calendar", 1, cat_a},
        {"calendar", 1, CAL_HEADER "2026-02-30,off,x\n"},
        {"catalog", 1, ""},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int rc = receive(f, t[i].kind, t[i].version, t[i].body);
        if (rc != -TB_EPROTO)
            print_error("version %zu\n", i);
        assert_rc(rc, -TB_EPROTO);
    }
    assert_int_equal(sql_int(f->store, "SELECT count(*) FROM data_versions"), 0);
    assert_int_equal(f->env.catalog_version, 0);
    assert_int_equal(f->env.calendar_version, 0);
    assert_non_null(tb_catalog_find(f->env.catalog, "YB003")); /* the shipped catalog */
}

/* Only what the pinned county key signed, over exactly this kind, version
 * and body: anything else is 3 (to be refused) and changes nothing. */
static void test_receive_signature(void **state)
{
    fix_t *f = *state;
    unsigned char sig[TB_SIGN_BYTES], other_pk[TB_SIGN_PK_BYTES], other_sk[TB_SIGN_SK_BYTES];
    const uint8_t *a = (const uint8_t *)cat_a;
    size_t alen = strlen(cat_a);
    assert_rc(receive_sig(f, "catalog", 1, cat_a, NULL), 3); /* unsigned */
    crypto_sign_keypair(other_pk, other_sk);
    assert_rc(tb_sign_data(other_sk, "catalog", 1, a, alen, sig), 0);
    assert_rc(receive_sig(f, "catalog", 1, cat_a, sig), 3); /* another key */
    assert_rc(tb_sign_data(test_sk, "catalog", 2, a, alen, sig), 0);
    assert_rc(receive_sig(f, "catalog", 1, cat_a, sig), 3); /* signed for version 2 */
    assert_rc(tb_sign_data(test_sk, "calendar", 1, a, alen, sig), 0);
    assert_rc(receive_sig(f, "catalog", 1, cat_a, sig), 3); /* signed as another kind */
    assert_rc(tb_sign_data(test_sk, "catalog", 1, (const uint8_t *)cat_b, strlen(cat_b), sig), 0);
    assert_rc(receive_sig(f, "catalog", 1, cat_a, sig), 3); /* over another body */
    assert_rc(tb_sign_data(test_sk, "catalog", 1, a, alen, sig), 0);
    sig[TB_SIGN_BYTES - 1] ^= 1;
    assert_rc(receive_sig(f, "catalog", 1, cat_a, sig), 3); /* one bit off */
    sig[TB_SIGN_BYTES - 1] ^= 1;
    f->env.data_pk_set = false;
    assert_rc(receive_sig(f, "catalog", 1, cat_a, sig), 3); /* no key pinned: none taken */
    assert_int_equal(sql_int(f->store, "SELECT count(*) FROM data_versions"), 0);
    assert_int_equal(f->env.catalog_version, 0);
    assert_non_null(tb_catalog_find(f->env.catalog, "YB003"));
    f->env.data_pk_set = true;
    assert_rc(receive_sig(f, "catalog", 1, cat_a, sig), 0); /* the real one */
    assert_int_equal(f->env.catalog_version, 1);
    /* Another key cannot sign version 2 either, with the signing key file's
     * round trip: what tb_sign_keygen writes is what tb_sign_load_* read. */
    char dir[] = "/tmp/tb-sign.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char pubhex[2 * TB_SIGN_PK_BYTES + 1], why[256];
    assert_rc(tb_sign_keygen(dir, pubhex, why, sizeof why), 0);
    assert_rc(tb_sign_keygen(dir, pubhex, why, sizeof why), -EEXIST);
    unsigned char sk[TB_SIGN_SK_BYTES], pk[TB_SIGN_PK_BYTES];
    assert_rc(tb_sign_load_secret(dir, sk, why, sizeof why), 0);
    assert_rc(tb_sign_load_pub(dir, pk, why, sizeof why), 0);
    assert_memory_equal(pk, sk + 32, TB_SIGN_PK_BYTES); /* libsodium: seed then public key */
    char path[300];
    snprintf(path, sizeof path, "%s/county.sign", dir);
    assert_int_equal(chmod(path, 0640), 0);
    assert_rc(tb_sign_load_secret(dir, sk, why, sizeof why), -EPERM);
    unlink(path);
    snprintf(path, sizeof path, "%s/county.sign.pub", dir);
    unlink(path);
    rmdir(dir);
}

/* Newer versions are stored and in force; the same or an older one changes
 * nothing (1): versions never go backwards. */
static void test_receive_versions(void **state)
{
    fix_t *f = *state;
    /* Only the next version (current + 1) is taken: 3 before 1 and 2 is a gap. */
    assert_rc(receive(f, "catalog", 3, cat_a), 2);
    assert_int_equal(f->env.catalog_version, 0);
    assert_int_equal(newest(f, "catalog"), 0);
    assert_rc(receive(f, "catalog", 1, cat_b), 0);
    assert_rc(receive(f, "catalog", 2, cat_b), 0);
    assert_rc(receive(f, "catalog", 3, cat_a), 0);
    assert_int_equal(f->env.catalog_version, 3);
    assert_non_null(tb_catalog_find(f->env.catalog, "AA001"));
    assert_null(tb_catalog_find(f->env.catalog, "YB003"));
    assert_int_equal(newest(f, "catalog"), 3);

    /* Just inside "not newer": the same version; and older ones. */
    for (uint32_t v = 3; v >= 1; v--) {
        assert_rc(receive(f, "catalog", v, cat_b), 1);
        assert_int_equal(f->env.catalog_version, 3);
        assert_non_null(tb_catalog_find(f->env.catalog, "AA001"));
        assert_null(tb_catalog_find(f->env.catalog, "BB001"));
    }
    assert_int_equal(sql_int(f->store, "SELECT count(*) FROM data_versions"), 3);
    /* Just past: the next version. */
    assert_rc(receive(f, "catalog", 4, cat_b), 0);
    assert_int_equal(f->env.catalog_version, 4);
    assert_non_null(tb_catalog_find(f->env.catalog, "BB001"));
    assert_null(tb_catalog_find(f->env.catalog, "AA001"));
    assert_int_equal(newest(f, "catalog"), 4);
    /* A far jump (a forged 2^32-1 would block every later version) and the
     * one just past the next are refused: nothing stored, nothing in force. */
    assert_rc(receive(f, "catalog", UINT32_MAX, cat_a), 2);
    assert_rc(receive(f, "catalog", 6, cat_a), 2);
    assert_int_equal(f->env.catalog_version, 4);
    assert_int_equal(newest(f, "catalog"), 4);
    assert_rc(receive(f, "catalog", 5, cat_a), 0);
    assert_int_equal(f->env.catalog_version, 5);

    /* The kinds count separately: calendar version 1 after catalog version 5. */
    assert_int_equal(newest(f, "calendar"), 0);
    assert_rc(receive(f, "calendar", 2, cal_a), 2);
    assert_rc(receive(f, "calendar", 1, cal_a), 0);
    assert_int_equal(f->env.calendar_version, 1);
    assert_int_equal(f->env.catalog_version, 5);
    assert_rc(receive(f, "calendar", 1, CAL_HEADER), 1);
    int32_t day;
    assert_rc(tb_day_parse("2026-03-03", &day), 0);
    assert_false(tb_calendar_is_workday(f->env.calendar, day));
    assert_int_equal(sql_int(f->store, "SELECT count(*) FROM data_versions"), 6);
}

/* A calendar in force recounts the deadlines of the cases in the store. */
static void test_receive_recounts(void **state)
{
    fix_t *f = *state;
    /* A walk-in at the township on Monday 2026-03-02 10:00 CST: in pre-review,
     * due in 2 working days (the end of Wednesday 03-04). */
    Tongban__V1__LedgerRecord l = TONGBAN__V1__LEDGER_RECORD__INIT;
    l.client_name = "李四";
    l.client_phone = "13800138000";
    l.agent = "赵六";
    l.item_code = "YB001";
    l.accept_time_ms = 1772416800000;
    tb_event_msg_t ev = TONGBAN__V1__CASE_EVENT__INIT;
    ev.case_id = CASE_ID;
    ev.type = TONGBAN__V1__EVENT_TYPE__EVENT_LOGGED;
    ev.actor = "赵六";
    ev.at_ms = 1772416800000;
    ev.ledger = &l;
    static const char *const peers[] = {NULL};
    assert_rc(tb_store_begin(f->store), 0);
    assert_rc(tb_store_emit(f->store, &ev, peers), 0);
    assert_rc(tb_store_commit(f->store), 0);
    int64_t due = sql_int(f->store, "SELECT due_ms FROM cases");
    int32_t wed;
    assert_rc(tb_day_parse("2026-03-04", &wed), 0);
    assert_int_equal(due, tb_day_end_ms(wed));

    /* Tuesday becomes a day off: due a day later. */
    assert_rc(receive(f, "calendar", 1, cal_a), 0);
    assert_int_equal(sql_int(f->store, "SELECT due_ms FROM cases"), due + DAY_MS);
    /* A version not newer recounts nothing. */
    assert_rc(receive(f, "calendar", 1, CAL_HEADER), 1);
    assert_int_equal(sql_int(f->store, "SELECT due_ms FROM cases"), due + DAY_MS);
    /* A newer one without it: back to Wednesday. */
    assert_rc(receive(f, "calendar", 2, CAL_HEADER), 0);
    assert_int_equal(sql_int(f->store, "SELECT due_ms FROM cases"), due);
}

/* ---- tb_data_use_stored ---- */

static void test_use_stored(void **state)
{
    fix_t *f = *state;
    /* Nothing stored: the shipped data stays, version 0. */
    assert_rc(tb_data_use_stored(&f->env, f->store), 0);
    assert_int_equal(f->env.catalog_version, 0);
    assert_int_equal(f->env.calendar_version, 0);
    assert_non_null(tb_catalog_find(f->env.catalog, "YB003"));

    /* The newest of each kind, whatever the order it was stored in. */
    assert_rc(tb_store_begin(f->store), 0);
    assert_rc(tb_store_data_put(f->store, "catalog", 2, (const uint8_t *)cat_a, strlen(cat_a)), 0);
    assert_rc(tb_store_data_put(f->store, "catalog", 5, (const uint8_t *)cat_b, strlen(cat_b)), 0);
    assert_rc(tb_store_data_put(f->store, "catalog", 4, (const uint8_t *)cat_a, strlen(cat_a)), 1);
    assert_rc(tb_store_data_put(f->store, "calendar", 7, (const uint8_t *)cal_a, strlen(cal_a)), 0);
    assert_rc(tb_store_commit(f->store), 0);
    assert_rc(tb_data_use_stored(&f->env, f->store), 0);
    assert_int_equal(f->env.catalog_version, 5);
    assert_int_equal(f->env.calendar_version, 7);
    assert_non_null(tb_catalog_find(f->env.catalog, "BB001"));
    assert_null(tb_catalog_find(f->env.catalog, "YB003"));
    int32_t day;
    assert_rc(tb_day_parse("2026-03-03", &day), 0);
    assert_false(tb_calendar_is_workday(f->env.calendar, day));
}

/* A stored body that no longer parses: the store is damaged (-TB_EDATA), and
 * what is in force stays as it was. */
static void test_use_stored_damaged(void **state)
{
    fix_t *f = *state;
    static const char bad[] = CAT_HEADER "AA001,坏,nowhere,promised,5,10,\n";
    assert_rc(tb_store_begin(f->store), 0);
    assert_rc(tb_store_data_put(f->store, "catalog", 1, (const uint8_t *)cat_a, strlen(cat_a)), 0);
    assert_rc(tb_store_data_put(f->store, "catalog", 2, (const uint8_t *)bad, strlen(bad)), 0);
    assert_rc(tb_store_commit(f->store), 0);
    assert_rc(tb_data_use_stored(&f->env, f->store), -TB_EDATA);
    assert_int_equal(f->env.catalog_version, 0);
    assert_non_null(tb_catalog_find(f->env.catalog, "YB003"));
    assert_null(tb_catalog_find(f->env.catalog, "AA001"));

    /* A damaged calendar likewise. */
    assert_rc(tb_store_begin(f->store), 0);
    assert_rc(tb_store_data_put(f->store, "catalog", 3, (const uint8_t *)cat_b, strlen(cat_b)), 0);
    assert_rc(tb_store_data_put(f->store, "calendar", 1, (const uint8_t *)"x\n", 2), 0);
    assert_rc(tb_store_commit(f->store), 0);
    assert_rc(tb_data_use_stored(&f->env, f->store), -TB_EDATA);
    assert_int_equal(f->env.calendar_version, 0);
    int32_t day;
    assert_rc(tb_day_parse("2026-10-01", &day), 0);
    assert_false(tb_calendar_is_workday(f->env.calendar, day)); /* the shipped one */

    /* Damaged in a way the loader names otherwise (-E2BIG: more rows than a
     * calendar may have) is still a damaged store. */
    size_t rows = TB_CALENDAR_MAX_OVERRIDES + 1, len = strlen(CAL_HEADER) + rows * 17;
    char *big = malloc(len + 1);
    assert_non_null(big);
    strcpy(big, CAL_HEADER);
    int32_t first;
    assert_rc(tb_day_parse("2030-01-01", &first), 0);
    for (size_t i = 0; i < rows; i++) {
        char date[TB_DAY_BUFSZ];
        assert_rc(tb_day_format(first + (int32_t)i, date, sizeof date), 0);
        snprintf(big + strlen(CAL_HEADER) + i * 17, 18, "%s,off,x\n", date);
    }
    int line;
    tb_calendar_t *c = tb_calendar_new();
    assert_rc(tb_calendar_load_buf(c, big, len, &line), -E2BIG);
    tb_calendar_destroy(&c);
    assert_rc(tb_store_begin(f->store), 0);
    assert_rc(tb_store_data_put(f->store, "calendar", 2, (const uint8_t *)big, len), 0);
    assert_rc(tb_store_commit(f->store), 0);
    free(big);
    assert_rc(tb_data_use_stored(&f->env, f->store), -TB_EDATA);
    assert_int_equal(f->env.calendar_version, 0);
}

/* ---- county_data_import: everything before the insert ---- */

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static int import(fix_t *f, const char *kind, const char *text, size_t len, int *ret_line)
{
    char path[128];
    snprintf(path, sizeof path, "%s/" TOWNSHIP ".csv", f->t.dir);
    write_file(path, text, len);
    *ret_line = -1;
    return county_data_import(NULL, kind, path, ret_line);
}

static void test_import_refused(void **state)
{
    fix_t *f = *state;
    int line;
    char path[128];
    snprintf(path, sizeof path, "%s/none.csv", f->t.dir);
    assert_rc(county_data_import(NULL, "catalog", path, &line), -ENOENT);
    assert_rc(county_data_import(NULL, "places", TB_SOURCE_DATA_DIR "/catalog.csv", &line),
              -EINVAL);
    assert_rc(county_data_import(NULL, "calendar", f->t.dir, &line), -EISDIR);

    static const struct {
        const char *kind, *text;
        int line;
    } t[] = {
        {"catalog",
         CAT_HEADER "AA001,甲,township,promised,5,10,居民身份证:core\n"
                    "AA002,乙,township,promised,five,10,\n"
                    "AA003,丙,township,promised,5,10,\n",
         3},
        {"catalog", "code,name\n", 1},
        {"catalog",
         CAT_HEADER "AA001,甲,township,promised,5,10,居民身份证:core\nAA001,甲,"
                    "township,promised,5,10,\n",
         3}, /* the same code twice */
        {"calendar", CAL_HEADER "2026-03-03,off,假\n2026-03-02,off,假\n", 3}, /* out of order */
        {"calendar", CAL_HEADER "2026-03-03,holiday,假\n", 2},
        {"calendar", cat_a, 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int rc = import(f, t[i].kind, t[i].text, strlen(t[i].text), &line);
        if (rc != -TB_EDATA || line != t[i].line)
            print_error("file %zu: line %d\n", i, line);
        assert_rc(rc, -TB_EDATA);
        assert_int_equal(line, t[i].line);
    }
    /* A NUL byte: not text, line 1 whatever follows. */
    static const char nul[] = CAT_HEADER "AA001,甲,township,promised,5,10,\0\n";
    assert_rc(import(f, "catalog", nul, sizeof nul - 1, &line), -TB_EDATA);
    assert_int_equal(line, 1);

    /* Valid files get as far as the insert (no connection here). */
    assert_rc(import(f, "catalog", cat_a, strlen(cat_a), &line), -TB_ESTORE);
    assert_rc(import(f, "calendar", cal_a, strlen(cal_a), &line), -TB_ESTORE);
}

/* The largest body that still travels in one link message once packed as an Item. */
static size_t max_body(void)
{
    for (size_t n = TB_MAX_BODY;; n--) {
        Tongban__V1__DataVersion dv = TONGBAN__V1__DATA_VERSION__INIT;
        dv.kind = "calendar";
        dv.version = 1;
        dv.body.len = n;
        dv.signature.len = TB_SIGN_BYTES; /* as the county sends it */
        tb_item_msg_t item = TONGBAN__V1__ITEM__INIT;
        item.item_case = TONGBAN__V1__ITEM__ITEM_DATA;
        item.data = &dv;
        if (tongban__v1__item__get_packed_size(&item) <= TB_MAX_BODY - 16)
            return n;
    }
}

/* A valid calendar of exactly len bytes: consecutive days off from
 * 2030-01-01, the holiday names (1..64 bytes) sized to fit. */
static char *calendar_of(size_t len)
{
    char *buf = malloc(len + 1);
    assert_non_null(buf);
    size_t o = strlen(CAL_HEADER);
    memcpy(buf, CAL_HEADER, o);
    int32_t day;
    assert_rc(tb_day_parse("2030-01-01", &day), 0);
    for (;; day++) {
        size_t left = len - o, row;
        /* A row is "YYYY-MM-DD,off," (15) + name + "\n": 17..80 bytes. */
        if (left > 160)
            row = 80;
        else if (left > 80)
            row = left / 2;
        else
            row = left;
        assert_true(row >= 17 && row <= 80);
        char date[TB_DAY_BUFSZ];
        assert_rc(tb_day_format(day, date, sizeof date), 0);
        memcpy(buf + o, date, 10);
        memcpy(buf + o + 10, ",off,", 5);
        memset(buf + o + 15, 'x', row - 16);
        buf[o + row - 1] = '\n';
        o += row;
        if (o == len)
            break;
    }
    buf[len] = '\0';
    return buf;
}

static void test_import_size(void **state)
{
    fix_t *f = *state;
    int line;
    size_t n = max_body();
    assert_true(n > 60000 && n < TB_MAX_BODY);
    /* Just inside: every check passes. */
    char *cal = calendar_of(n);
    tb_calendar_t *c = tb_calendar_new();
    assert_rc(tb_calendar_load_buf(c, cal, n, &line), 0);
    tb_calendar_destroy(&c);
    assert_rc(import(f, "calendar", cal, n, &line), -TB_ESTORE);
    free(cal);
    /* Just past: too big to travel, though valid. */
    cal = calendar_of(n + 1);
    assert_rc(import(f, "calendar", cal, n + 1, &line), -EFBIG);
    assert_int_equal(line, -1); /* no line for a size error */
    free(cal);
    /* Past what is even read. */
    char *big = malloc(TB_MAX_BODY + 2);
    assert_non_null(big);
    memset(big, '\n', TB_MAX_BODY + 1);
    assert_rc(import(f, "catalog", big, TB_MAX_BODY + 1, &line), -EFBIG);
    assert_rc(import(f, "catalog", big, TB_MAX_BODY, &line), -EFBIG);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_receive_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receive_signature, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receive_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receive_recounts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_use_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_use_stored_damaged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_size, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
