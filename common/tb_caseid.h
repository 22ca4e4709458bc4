/* tb_caseid: case ids, minted offline at the origin.
 *
 * <origin code>-<yyyymmdd>-<seq>, the day in China Standard Time (UTC+8),
 * seq at least 4 digits.  Pure: no I/O.
 */
#ifndef TB_CASEID_H
#define TB_CASEID_H

#include <stdbool.h>
#include <stdint.h>

#define TB_CASEID_MAX 40
int tb_caseid_format(const char *origin, int64_t at_ms, uint32_t seq, char ret_id[TB_CASEID_MAX]);
bool tb_caseid_valid(const char *id);
/* The day part (yyyymmdd as an int) of a time, in China Standard Time (UTC+8). */
int tb_cst_yyyymmdd(int64_t at_ms);

#endif
