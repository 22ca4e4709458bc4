/* fuzz-main: run a libFuzzer harness over a committed corpus, without libFuzzer.
 *
 * Each harness (fuzz-<name>.c) defines only LLVMFuzzerTestOneInput.  Linked
 * with -fsanitize=fuzzer it is a real fuzzer; linked with this file it is a
 * regression test that replays every input under tests/fuzz/corpus/<name>/,
 * so the corpus runs in CI with gcc or clang, with or without sanitizers.
 *
 * Arguments are files or directories (not recursed into; dot files are
 * skipped).  Each input is copied into a buffer of exactly its size, so a
 * read one byte past the end is caught by ASan here as it would be by
 * libFuzzer.  Inputs run in name order so that a failure is reproducible.
 *
 * Exit status: 0 if at least one input ran and none aborted; 1 if nothing ran
 * (a missing or empty corpus must not pass silently) or an argument could not
 * be read.  A harness that finds a bug aborts, which fails the test.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    (*count)++;
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
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) < 0) {
            fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
            rc = -1;
        } else if (S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) < 0
                                       : run_file(argv[i], &count) < 0) {
            rc = -1;
        }
    }
    printf("%s: %zu inputs ran\n", argv[0], count);
    if (count == 0) {
        fprintf(stderr, "%s: no inputs ran\n", argv[0]);
        return 1;
    }
    return rc < 0 ? 1 : 0;
}
