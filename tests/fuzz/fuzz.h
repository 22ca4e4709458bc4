/* fuzz.h: what a harness tells the replay driver (fuzz-main.c).
 *
 * Every harness sets fuzz_verdict for every input it is given: FUZZ_ACCEPT
 * when the decoder under test accepted the input, FUZZ_REFUSE when it refused
 * it.  The replay driver resets it to FUZZ_UNSET before each input, fails an
 * input the harness gave no verdict for, and compares the verdict with the
 * expectation of the directory the input came from (expect/<name>/accept/,
 * expect/<name>/reject/).  Under libFuzzer nobody reads it.
 *
 * The definition is weak so that this header alone provides it, whether the
 * harness is linked with fuzz-main.c or with libFuzzer. */
#ifndef TB_FUZZ_H
#define TB_FUZZ_H

#include <stdbool.h>

#define FUZZ_UNSET (-1)
#define FUZZ_REFUSE 0
#define FUZZ_ACCEPT 1

__attribute__((weak)) int fuzz_verdict = FUZZ_UNSET;

static inline void fuzz_verdict_set(bool accepted)
{
    fuzz_verdict = accepted ? FUZZ_ACCEPT : FUZZ_REFUSE;
}

#endif
