/* fuzz-places: tb_places_load_dir() on untrusted place files (the
 * jiangxi-counties, <set>-townships and <set>-villages CSVs in the share
 * directory, which an operator may replace).
 *
 * The first byte of the input picks which of the three files the rest of it
 * becomes (byte % 3: counties, townships, villages); the other two hold a
 * small valid set.  The files live in a temporary directory made once per
 * process and removed at exit.
 *
 * Properties checked besides "no crash, no leak": a refusal is -TB_EDATA
 * (or -ENOMEM) with the file and line named, and leaves the loaded places as
 * they were; after a load every place under the county is known, has a name
 * and is a child of its parent. */
#include "fuzz.h"
#include "tb_error.h"
#include "tb_place.h"

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COUNTY "360826000000"

static const char *const names[3] = {"jiangxi-counties.csv", "fz-townships.csv", "fz-villages.csv"};
static const char *const fixed[3] = {
    "code,name,cityCode,provinceCode\n360826,\"泰和县\",3608,36\n360827,\"遂川县\",3608,36\n",
    "code,name,areaCode,provinceCode,cityCode\n360826100,\"澄江镇\",360826,36,3608\n"
    "360826102,\"桥头镇\",360826,36,3608\n",
    "code,name,streetCode,provinceCode,cityCode,areaCode\n"
    "360826100001,\"文田社区居委会\",360826100,36,3608,360826\n"
    "360826102200,\"桥头村委会\",360826102,36,3608,360826\n"};
static char dir[64], fixed_dir[80];

static void write_file(const char *d, int which, const void *data, size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", d, names[which]);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
}

static void cleanup(void)
{
    for (int i = 0; i < 3; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", fixed_dir, names[i]);
        unlink(path);
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(fixed_dir);
    rmdir(dir);
}

/* Every child of parent is a known place with a name, whose parent it is;
 * and so on down.  (A code's level is by its shape alone: 360826000001 is a
 * village whose parent is the county itself; tests/unit/test-place.c.) */
static void check_children(const tb_places_t *p, const char *parent, int depth)
{
    const char *c;
    for (size_t i = 0; (c = tb_places_child(p, parent, i)) != NULL; i++) {
        char up[TB_CODE_LEN + 1];
        if (tb_places_check(p, c) != 0 || !tb_places_name(p, c) || !tb_places_name(p, c)[0] ||
            tb_code_parent(c, up) != 0 || strcmp(up, parent) != 0 || depth > 2)
            abort();
        check_children(p, c, depth + 1);
    }
}

static void check_loaded(const tb_places_t *p)
{
    check_children(p, COUNTY, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        /* tmpfs when there is one: on ext4 rewriting a truncated file flushes it. */
        snprintf(dir, sizeof dir, "%s/tb-fuzz-places-XXXXXX",
                 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
        if (!mkdtemp(dir))
            abort();
        snprintf(fixed_dir, sizeof fixed_dir, "%s/fixed", dir);
        if (mkdir(fixed_dir, 0700) < 0)
            abort();
        atexit(cleanup);
        for (int i = 0; i < 3; i++)
            write_file(fixed_dir, i, fixed[i], strlen(fixed[i]));
    }
    int which = size ? data[0] % 3 : 2;
    for (int i = 0; i < 3; i++) {
        if (i == which)
            write_file(dir, i, size ? data + 1 : data, size ? size - 1 : 0);
        else
            write_file(dir, i, fixed[i], strlen(fixed[i]));
    }

    /* The fixed set first, so that a refusal can be seen to leave it alone. */
    tb_places_t *p = tb_places_new();
    if (!p || tb_places_load_dir(p, fixed_dir, "fz", NULL, 0) != 0)
        abort();
    size_t before = tb_places_count(p);
    char where[256] = "";
    int rc = tb_places_load_dir(p, dir, "fz", where, sizeof where);
    fuzz_verdict_set(rc == 0);
    if (rc == 0) {
        check_loaded(p);
    } else {
        if ((rc != -TB_EDATA && rc != -ENOMEM) || !where[0])
            abort();
        if (tb_places_count(p) != before || !tb_places_name(p, "360826102200"))
            abort(); /* unchanged */
    }
    tb_places_destroy(&p);
    if (p)
        abort();
    return 0;
}
