/* fuzz-main: run a libFuzzer harness over a committed corpus, without libFuzzer.
 *
 * Each harness (fuzz-<name>.c) defines only LLVMFuzzerTestOneInput.  Linked
 * with -fsanitize=fuzzer it is a real fuzzer; linked with this file it is a
 * regression test that replays every input under tests/fuzz/corpus/<name>/,
 * so the corpus runs in CI with gcc or clang, with or without sanitizers.
 *
 *     fuzz-<name>-replay [--any] PATH... [--accept PATH...] [--reject PATH...]
 *
 * PATHs are files or directories (not recursed into; dot files are skipped).
 * Inputs after --any (the default) must only not crash: the corpus.  Inputs
 * after --accept must be accepted by the decoder, inputs after --reject must
 * be refused: the expectations (expect/<name>/accept/ and reject/), read from
 * the verdict the harness sets (fuzz.h).  Each input is copied into a buffer
 * of exactly its size, so a read one byte past the end is caught by ASan here
 * as it would be by libFuzzer.  Inputs run in name order so that a failure is
 * reproducible.
 *
 * Exit status: 0 if at least one input ran, none aborted and every verdict
 * was as expected; 1 if nothing ran (a missing or empty corpus must not pass
 * silently), an --accept or --reject group held no input (nor may lost
 * expectations), a verdict was wrong or missing, or an argument could not be
 * read.  A harness that finds a bug aborts, which fails the test.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { ANY, ACCEPT, REJECT, NMODES };
static const char *const mode_name[NMODES] = {"--any", "--accept", "--reject"};
static int mode = ANY;
static size_t ran[NMODES];
static size_t wrong; /* verdicts missing or not as expected */

static int run_file(const char *path, size_t *count)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        fprintf(stderr, "%s: %s\n", path, buf ? "read error" : "out of memory");
        free(buf);
        return -1;
    }
    /* An exact-size copy: the harness must not read past data + size. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        fprintf(stderr, "%s: out of memory\n", path);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    fuzz_verdict = FUZZ_UNSET;
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    (*count)++;
    ran[mode]++;
    if (fuzz_verdict == FUZZ_UNSET) {
        fprintf(stderr, "%s: the harness gave no verdict\n", path);
        wrong++;
    } else if (mode == ACCEPT && fuzz_verdict != FUZZ_ACCEPT) {
        fprintf(stderr, "%s: refused, but must be accepted\n", path);
        wrong++;
    } else if (mode == REJECT && fuzz_verdict != FUZZ_REFUSE) {
        fprintf(stderr, "%s: accepted, but must be refused\n", path);
        wrong++;
    }
    return 0;
}

static int skip_dot(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

static int run_dir(const char *dir, size_t *count)
{
    struct dirent **names;
    int n = scandir(dir, &names, skip_dot, alphasort);
    if (n < 0) {
        fprintf(stderr, "%s: %s\n", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        size_t plen = strlen(dir) + strlen(names[i]->d_name) + 2;
        char *path = malloc(plen);
        struct stat st;
        if (!path) {
            rc = -1;
        } else {
            snprintf(path, plen, "%s/%s", dir, names[i]->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && run_file(path, count) < 0)
                rc = -1;
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int rc = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s [--any] PATH... [--accept PATH...] [--reject PATH...]\n",
                argv[0]);
        return 2;
    }
    size_t group = 0; /* inputs in the current --accept or --reject group */
    for (int i = 1; i < argc; i++) {
        struct stat st;
        int m = NMODES;
        for (int k = 0; k < NMODES; k++)
            if (strcmp(argv[i], mode_name[k]) == 0)
                m = k;
        if (m < NMODES) {
            if (mode != ANY && group == 0) {
                fprintf(stderr, "%s: no inputs after %s\n", argv[0], mode_name[mode]);
                rc = -1;
            }
            mode = m;
            group = 0;
            continue;
        }
        size_t before = count;
        if (stat(argv[i], &st) < 0) {
            fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
            rc = -1;
        } else if (S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) < 0
                                       : run_file(argv[i], &count) < 0) {
            rc = -1;
        }
        group += count - before;
    }
    if (mode != ANY && group == 0) {
        fprintf(stderr, "%s: no inputs after %s\n", argv[0], mode_name[mode]);
        rc = -1;
    }
    printf("%s: %zu inputs ran (%zu must not crash, %zu must be accepted, %zu must be refused); "
           "%zu wrong verdicts\n",
           argv[0], count, ran[ANY], ran[ACCEPT], ran[REJECT], wrong);
    if (count == 0) {
        fprintf(stderr, "%s: no inputs ran\n", argv[0]);
        return 1;
    }
    return rc < 0 || wrong > 0 ? 1 : 0;
}
