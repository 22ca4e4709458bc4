/* tb_i18n: Chinese first, English when the user asks for it.
 *
 * User-facing text is written in place as TB_TR("中文", "English"); the
 * language is read once from TONGBAN_LANG, then LC_ALL, LC_MESSAGES and LANG:
 * a value starting with "en" selects English, anything else Chinese.  Logs and
 * code stay English.  A web request may ask for its own language (?lang=en,
 * ?lang=zh: tb_http sets it for the handler's words, on its thread only).
 */
#ifndef TB_I18N_H
#define TB_I18N_H

#include <stdbool.h>

bool tb_lang_en(void);
/* Force the language (tests). */
void tb_lang_set_en(bool en);
/* This thread's words follow lang ("en..." English, anything else Chinese)
 * until tb_lang_request(NULL) gives it back the process's language. */
void tb_lang_request(const char *lang);

#define TB_TR(zh, en) (tb_lang_en() ? (en) : (zh))

#endif
