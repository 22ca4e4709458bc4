/* fuzz-casetext: tb_case_text_decode() on untrusted text, the fold of a case
 * as one line, the form the stores kept before issue 7 (SQLite projections at
 * the edges, PostgreSQL at the county) and now read only to migrate an old
 * store to the stored message (fuzz-case.c).  A store file is a file:
 * whatever is in it must be refused or decode to a sane case.
 *
 * The input is handed over NUL-terminated (an embedded NUL ends the text, as
 * it does for a TEXT column read with sqlite3_column_text or PQgetvalue).
 *
 * Properties checked besides "no crash": a refusal is -TB_EDATA and leaves
 * the output alone; a decoded case is within its bounds and survives a round
 * trip: tb_case_text_encode() of it decodes again, to a case that encodes to the
 * same text. */
#include "fuzz.h"
#include "tb_case.h"
#include "tb_error.h"
#include "tb_place.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_codes(const tb_case_t *c)
{
    const char *codes[] = {c->holder, c->pending, c->origin};
    for (int i = 0; i < 3; i++)
        if (codes[i][0] && !tb_code_valid(codes[i]))
            abort();
    if (c->npauses > TB_CASE_PAUSES_MAX || c->rating > 5 || c->decision > 2)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';

    tb_case_t c, sentinel;
    memset(&c, 0xA5, sizeof c);
    memcpy(&sentinel, &c, sizeof c);
    int rc = tb_case_text_decode(text, &c);
    fuzz_verdict_set(rc == 0);
    if (rc < 0) {
        if (rc != -TB_EDATA || memcmp(&c, &sentinel, sizeof c) != 0)
            abort(); /* out-parameters are written only on success */
        free(text);
        return 0;
    }
    check_codes(&c);

    char enc1[TB_CASE_TEXT_MAX], enc2[TB_CASE_TEXT_MAX];
    tb_case_t again;
    tb_case_text_encode(&c, enc1);
    if (tb_case_text_decode(enc1, &again) < 0)
        abort();
    check_codes(&again);
    tb_case_text_encode(&again, enc2);
    if (strcmp(enc1, enc2) != 0)
        abort();
    free(text);
    return 0;
}
