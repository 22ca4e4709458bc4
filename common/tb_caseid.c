#include "tb_caseid.h"

#include "tb_error.h"
#include "tb_place.h"

#include <stdio.h>
#include <string.h>

int tb_cst_yyyymmdd(int64_t at_ms)
{
    /* Days since the epoch in UTC+8, then civil date (Howard Hinnant's algorithm). */
    int64_t secs = (at_ms >= 0 ? at_ms : at_ms - 999) / 1000 + 8 * 3600; /* floor */
    int64_t z = (secs >= 0 ? secs : secs - 86399) / 86400 + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    return (int)(y * 10000 + m * 100 + d);
}

int tb_caseid_format(const char *origin, int64_t at_ms, uint32_t seq, char ret_id[TB_CASEID_MAX])
{
    if (!tb_code_valid(origin) || seq == 0)
        return -TB_EINVAL_CODE;
    snprintf(ret_id, TB_CASEID_MAX, "%s-%08d-%04u", origin, tb_cst_yyyymmdd(at_ms), seq);
    return 0;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool tb_caseid_valid(const char *id)
{
    if (!id)
        return false;
    size_t len = strlen(id);
    /* 12 digits, '-', 8 digits, '-', 4 to 10 digits */
    if (len < 26 || len > 32 || !digits(id, 12) || id[12] != '-' || !digits(id + 13, 8) ||
        id[21] != '-' || !digits(id + 22, len - 22))
        return false;
    int month = (id[17] - '0') * 10 + (id[18] - '0');
    int day = (id[19] - '0') * 10 + (id[20] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}
