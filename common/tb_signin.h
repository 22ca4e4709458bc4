/* tb_signin: the parts of a sign-in that every tier shares, below the
 * accounts themselves (the county's in PostgreSQL, county_accounts.h; a
 * township's or village's in its account list, tb_nodeauth.h).
 *
 * Timing: a sign-in with an unknown login must cost what a wrong password
 * costs, or the time of the answer tells which logins exist.  Every
 * password check goes through tb_signin_check: given no hash (the login is
 * unknown, or the node has no list yet) it verifies the password against a
 * dummy Argon2id hash made once per process with the parameters the county
 * hashes every password with (interactive limits: 64 MiB, 2 passes), and
 * answers -TB_EAUTH.  A daemon makes the dummy at start (tb_signin_init), so
 * no sign-in pays for it; a command line makes it before its one check
 * whichever way that check goes.
 *
 * The password of a command-line sign-in comes from the terminal without
 * echo (tb_signin_read_line) or from a file named by TONGBAN_PASSWORD_FILE
 * (tb_signin_password_file) that only its owner may read or write.
 *
 * Library code: prints nothing on stdout/stderr and logs nothing (the prompt
 * goes to the descriptor its caller names). */
#ifndef TB_SIGNIN_H
#define TB_SIGNIN_H

#include "tb_msg.h"

#include <stddef.h>
#include <stdio.h>

#define TB_SIGNIN_PW_MAX 256 /* bytes of a password, as the web's TB_WEB_PASSWORD_MAX */
#define TB_SIGNIN_PWFILE_ENV "TONGBAN_PASSWORD_FILE"
/* The exit status of a command whose sign-in was refused (every tier). */
#define TB_SIGNIN_EXIT 3

/* Make the dummy hash (once per process; thread-safe).  0 or -ENOMEM. */
int tb_signin_init(void);

/* Check password against hash (crypto_pwhash_str_verify); hash NULL: against
 * the dummy (made now if tb_signin_init was not called).  0 (it verifies),
 * -TB_EAUTH (it does not, or hash was NULL), -ENOMEM. */
int tb_signin_check(const char *hash, const char *password);

/* The password in the file at path: its first line, without the newline.
 * 0; -EPERM when the file is not a regular file owned by this user with no
 * permission for group or others (mode 0600 or 0400); -E2BIG when the line is
 * longer than n - 1 bytes; -EIO when it is empty; -errno when it cannot be
 * opened or read.  buf (n bytes) is written only on success. */
int tb_signin_password_file(const char *path, char *buf, size_t n);

/* One line from in, at most n - 1 bytes, without its newline (nor CR).  When
 * in is a terminal: prompt written to prompt_fd first, echo off while it is
 * typed, a newline after.  0; -EIO (nothing read); -E2BIG (longer than the
 * buffer: the rest of the line is left unread). */
int tb_signin_read_line(FILE *in, int prompt_fd, const char *prompt, char *buf, size_t n);

/* A command line's password: from the file named by TONGBAN_PASSWORD_FILE
 * (tb_signin_password_file) when it is set, else typed at in, a terminal,
 * without echo (prompt on prompt_fd).  0 with pw (n bytes) filled; else the
 * source's code (-EPERM: a file others may read; -EIO: no terminal and no
 * file, or nothing read; ...) with the words, ending "nothing was changed",
 * in msg. */
int tb_signin_password(FILE *in, int prompt_fd, char *pw, size_t n, tb_msg_t *msg);

#ifdef TB_TEST_HOOKS
/* Tests: how many Argon2id verifications tb_signin_check has run in this
 * process (the dummy's included), to prove both paths pay for one. */
unsigned long tb_signin_verify_count(void);
#endif

#endif
