/* tb_signin: the dummy hash, the password check, the password's sources (tb_signin.h). */
#include "tb_signin.h"

#include "tb_error.h"
#include "tb_i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy[crypto_pwhash_STRBYTES];
static bool dummy_ok;
#ifdef TB_TEST_HOOKS
static unsigned long verifies; /* only ever read by tests after their calls returned */

unsigned long tb_signin_verify_count(void)
{
    return __atomic_load_n(&verifies, __ATOMIC_RELAXED);
}
#endif

static void make_dummy(void)
{
    /* The county hashes every password with these limits (county_password_hash);
     * verifying against a hash costs what its own parameters say, so the
     * dummy must carry the same ones.  The password hashed is random. */
    unsigned char pw[32];
    if (sodium_init() < 0)
        return;
    randombytes_buf(pw, sizeof pw);
    dummy_ok = crypto_pwhash_str_alg(
                   dummy, (const char *)pw, sizeof pw, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                   crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) == 0;
    sodium_memzero(pw, sizeof pw);
}

int tb_signin_init(void)
{
    pthread_once(&dummy_once, make_dummy);
    return dummy_ok ? 0 : -ENOMEM;
}

int tb_signin_check(const char *hash, const char *password)
{
    int rc = tb_signin_init();
    if (rc < 0)
        return rc;
    const char *h = hash ? hash : dummy;
    const char *pw = password ? password : "";
#ifdef TB_TEST_HOOKS
    __atomic_add_fetch(&verifies, 1, __ATOMIC_RELAXED);
#endif
    /* Checked whatever the answer: the dummy's verification is the point. */
    bool ok = crypto_pwhash_str_verify(h, pw, strlen(pw)) == 0;
    return ok && hash ? 0 : -TB_EAUTH;
}

int tb_signin_password_file(const char *path, char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -errno;
    struct stat st;
    int rc = 0;
    char tmp[TB_SIGNIN_PW_MAX + 2];
    ssize_t got = 0;
    if (fstat(fd, &st) < 0)
        rc = -errno;
    else if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0)
        rc = -EPERM; /* anyone else who can read it knows the password */
    else if ((got = read(fd, tmp, sizeof tmp - 1)) < 0)
        rc = -errno;
    close(fd);
    if (rc < 0)
        return rc;
    tmp[got] = '\0';
    size_t len = strcspn(tmp, "\n");
    if (len > 0 && tmp[len - 1] == '\r')
        len--;
    if (len == 0)
        rc = -EIO;
    else if (len >= n || (len == (size_t)got && got == (ssize_t)sizeof tmp - 1))
        rc = -E2BIG; /* longer than the buffer, or than what one read takes */
    else {
        memcpy(buf, tmp, len);
        buf[len] = '\0';
    }
    sodium_memzero(tmp, sizeof tmp);
    return rc;
}

int tb_signin_read_line(FILE *in, int prompt_fd, const char *prompt, char *buf, size_t n)
{
    int fd = fileno(in);
    bool tty = fd >= 0 && isatty(fd);
    struct termios old, quiet;
    if (tty) {
        (void)!write(prompt_fd, prompt, strlen(prompt));
        if (tcgetattr(fd, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= (tcflag_t)~ECHO;
            tcsetattr(fd, TCSAFLUSH, &quiet);
        } else
            tty = false;
    }
    char *got = fgets(buf, (int)n, in);
    if (tty) {
        tcsetattr(fd, TCSAFLUSH, &old);
        (void)!write(prompt_fd, "\n", 1);
    }
    if (!got)
        return -EIO;
    size_t len = strlen(buf);
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    else if (!feof(in))
        return -E2BIG;
    if (len > 0 && buf[len - 1] == '\r')
        buf[--len] = '\0';
    return 0;
}

/* The password from the file named in the environment, or typed at in. */
int tb_signin_password(FILE *in, int prompt_fd, char *pw, size_t n, tb_msg_t *msg)
{
    const char *file = getenv(TB_SIGNIN_PWFILE_ENV);
    int rc;
    if (file && *file) {
        rc = tb_signin_password_file(file, pw, n);
        if (rc == -EPERM)
            tb_msg_add(msg,
                       TB_TR("错误：密码文件 %s 须为本用户所有、只有本用户可读写（chmod 600 "
                             "%s），否则他人也能读到密码；未作任何更改\n",
                             "error: the password file %s must be yours and readable by you "
                             "alone (chmod 600 %s), or others can read the password; nothing "
                             "was changed\n"),
                       file, file);
        else if (rc < 0)
            tb_msg_add(msg,
                       TB_TR("错误：无法从密码文件 %s 读出密码（%s）；未作任何更改\n",
                             "error: no password read from the file %s (%s); nothing was "
                             "changed\n"),
                       file,
                       rc == -EIO     ? TB_TR("文件为空", "it is empty")
                       : rc == -E2BIG ? TB_TR("第一行太长", "its first line is too long")
                                      : strerror(-rc));
        return rc;
    }
    if (!in || !isatty(fileno(in))) {
        tb_msg_add(msg,
                   TB_TR("错误：没有密码：请在终端输入，或用环境变量 %s 指定密码文件（权限 "
                         "0600）；未作任何更改\n",
                         "error: no password: type it at a terminal, or name a password "
                         "file (mode 0600) in %s; nothing was changed\n"),
                   TB_SIGNIN_PWFILE_ENV);
        return -EIO;
    }
    rc = tb_signin_read_line(in, prompt_fd, TB_TR("密码：", "password: "), pw, n);
    if (rc < 0)
        tb_msg_add(msg, TB_TR("错误：没有读到密码；未作任何更改\n",
                              "error: no password read; nothing was changed\n"));
    return rc;
}
