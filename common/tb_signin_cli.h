/* tb_signin_cli: who changes a case from the command line of a village or a
 * township (issue 8: "every command that changes a case records the
 * signed-in person, not a free-text --agent").
 *
 * Before the county's account list for this node has arrived (a fresh node,
 * the bootstrap) the actor is the free-text agent setting (--agent,
 * TONGBAN_AGENT, config agent), as before.  Once a list is in the store the
 * person signs in: login from --login (TONGBAN_LOGIN, config login), the
 * password from the file named by TONGBAN_PASSWORD_FILE (owned by the user,
 * mode 0600 or 0400: tb_signin_password_file) or else typed at the terminal
 * without echo; checked by tb_nodeauth_verify, the web sign-in's own check
 * (Argon2id, the dummy hash for an unknown login, scope and role, the
 * account's lockout after TB_NODEAUTH_FAIL_MAX failures, every attempt in
 * the node's audit), and the role must be one that changes cases here
 * (tb_nodeauth_can_change: an agent at a village, window staff at a
 * township).  The actor is then the account's login, as on the screens.
 * --agent alone is refused once a list is there.
 *
 * Library code: prints nothing but the terminal's password prompt (to the
 * descriptor given), logs nothing; the words for a refusal go into ret_msg. */
#ifndef TB_SIGNIN_CLI_H
#define TB_SIGNIN_CLI_H

#include "tb_cli.h"
#include "tb_msg.h"
#include "tb_signin.h"
#include "tb_store.h"
#include "tb_websession.h"

#include <stdio.h>

/* The actor of a change about to be made at env's node, whose store is open:
 * 0 with *ret_actor (borrowed from env's config or from *ret_user) and, when
 * someone signed in, *ret_user filled.  Refused: -TB_ECONFIG (no list yet
 * and no agent setting: as before), -EACCES (a list is here and no login
 * given, or the account may not change cases here), -TB_EAUTH (unknown
 * login, wrong password, disabled, another place's account), -TB_ELOCKED, a
 * password source's error (tb_signin.h), or a store error; the words in
 * ret_msg.  The password is read from in (a terminal) with its prompt on
 * prompt_fd, unless the file is named. */
int tb_signin_cli(const tb_env_ctx_t *env, tb_store_t *store, FILE *in, int prompt_fd,
                  tb_webuser_t *ret_user, const char **ret_actor, tb_msg_t *ret_msg);

/* The exit status for tb_signin_cli's rc: 1 for -TB_ECONFIG (the agent
 * setting missing, as before), TB_SIGNIN_EXIT for every other refusal. */
int tb_signin_cli_status(int rc);

#endif
