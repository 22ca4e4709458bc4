/* tb_i18n: Chinese first, English when the user asks for it.
 *
 * User-facing text is written in place as TB_TR("中文", "English"); the
 * language is read once from TONGBAN_LANG, then LC_ALL, LC_MESSAGES and LANG:
 * a value starting with "en" selects English, anything else Chinese.  Logs and
 * code stay English.
 */
#ifndef TB_I18N_H
#define TB_I18N_H

#include <stdbool.h>

bool tb_lang_en(void);
/* Force the language (tests). */
void tb_lang_set_en(bool en);

#define TB_TR(zh, en) (tb_lang_en() ? (en) : (zh))

#endif
