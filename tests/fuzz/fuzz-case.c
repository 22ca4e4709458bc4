/* fuzz-case: tb_case_unpack() on untrusted bytes, the fold of a case as the
 * stores keep it (tongban.store.v1.CaseFold in SQLite cases.fold at the
 * edges, PostgreSQL cases.fold at the county), read back on every start and
 * every event.  A store file is a file: whatever is in it must be refused or
 * decode to a sane case.
 *
 * Properties checked besides "no crash": a refusal is -TB_EDATA and leaves
 * the output alone; a decoded case is within its bounds and survives a round
 * trip: tb_case_pack() of it unpacks again, to a case that packs to the same
 * bytes. */
#include "fuzz.h"
#include "tb_case.h"
#include "tb_error.h"
#include "tb_place.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_case(const tb_case_t *c)
{
    const char *codes[] = {c->holder, c->pending, c->origin};
    for (int i = 0; i < 3; i++)
        if (codes[i][0] && !tb_code_valid(codes[i]))
            abort();
    if (c->state >= TB_ST_LAST || c->resume >= TB_ST_LAST || c->npauses > TB_CASE_PAUSES_MAX ||
        c->rating > 5 || c->followup > 5 || c->decision > 2 || c->arrived_ms < 0 ||
        c->accepted_ms < 0 || c->pledge_due_ms < 0 || c->decided_ms < 0 || c->closed_ms < 0 ||
        memchr(c->item, '\0', sizeof c->item) == NULL)
        abort();
    for (uint32_t i = 0; i < c->npauses; i++)
        if (c->pauses[i].start_ms < 0 || c->pauses[i].end_ms < -1)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tb_case_t c, sentinel;
    memset(&c, 0xA5, sizeof c);
    memcpy(&sentinel, &c, sizeof c);
    int rc = tb_case_unpack(data, size, &c);
    fuzz_verdict_set(rc == 0);
    if (rc < 0) {
        if (rc != -TB_EDATA || memcmp(&c, &sentinel, sizeof c) != 0)
            abort(); /* out-parameters are written only on success */
        return 0;
    }
    check_case(&c);

    uint8_t enc1[TB_CASE_PACKED_MAX], enc2[TB_CASE_PACKED_MAX];
    tb_case_t again;
    size_t n1 = tb_case_pack(&c, enc1);
    if (tb_case_unpack(enc1, n1, &again) < 0)
        abort();
    check_case(&again);
    size_t n2 = tb_case_pack(&again, enc2);
    if (n1 != n2 || memcmp(enc1, enc2, n1) != 0)
        abort();
    return 0;
}
