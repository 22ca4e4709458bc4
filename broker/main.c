/* tongban-broker: routes envelopes between tongban nodes by place code. */
#include "broker.h"

#include "tb_config.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_keys.h"
#include "tb_log.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static volatile bool stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = true;
}

static void usage(FILE *out)
{
    fputs(
        TB_TR("用法：tongban-broker serve [--broker 端点] [--keys 目录] [--config 文件]\n"
              "  启动消息代理，按区划代码在各节点之间转发报文。\n"
              "  端点默认 tcp://127.0.0.1:7700（环境变量 TONGBAN_BROKER）。\n"
              "  只接受 CurveZMQ 连接：密钥目录（--keys，TONGBAN_KEYS）中须有 broker.key\n"
              "  和县里维护的准入名单 allow.list（tongban-county keys allow）。\n"
              "      tongban-broker keygen [--keys 目录]\n"
              "  生成代理的密钥对 broker.key（0600）和 broker.pub（发给每个节点）。\n",
              "usage: tongban-broker serve [--broker ENDPOINT] [--keys DIR] [--config FILE]\n"
              "  Runs the broker that routes envelopes between nodes by place code.\n"
              "  ENDPOINT defaults to tcp://127.0.0.1:7700 (or TONGBAN_BROKER).\n"
              "  CurveZMQ only: the key directory (--keys, TONGBAN_KEYS) must hold\n"
              "  broker.key and the county's allow-list allow.list (tongban-county keys allow).\n"
              "      tongban-broker keygen [--keys DIR]\n"
              "  Makes the broker's key pair broker.key (0600) and broker.pub (for every node).\n"),
        out);
}

int main(int argc, char **argv)
{
    /* A stop asked for while starting (a supervisor restarting us while a
     * test or an operator stops it) is a clean stop, not death by the
     * default action (exit 143): the handler is in place from the first line
     * and broker_run sees the flag at once. */
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    tb_log_init("broker");
    bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                              strcmp(argv[1], "help") == 0);
    if (help) {
        usage(stdout);
        return 0;
    }
    bool keygen = argc >= 2 && strcmp(argv[1], "keygen") == 0;
    if (argc < 2 || (strcmp(argv[1], "serve") != 0 && !keygen)) {
        if (argc >= 2)
            fprintf(stderr, TB_TR("未知命令：%s\n\n", "unknown command: %s\n\n"), argv[1]);
        usage(stderr);
        return 2;
    }
    tb_config_t cfg;
    tb_config_init(&cfg);
    static const struct option opts[] = {{"broker", required_argument, 0, 'b'},
                                         {"config", required_argument, 0, 'c'},
                                         {"keys", required_argument, 0, 'k'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c, idx;
    optind = 2;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, &idx)) != -1) {
        if (c == 'h') {
            usage(stdout);
            tb_config_fini(&cfg);
            return 0;
        }
        if (c == '?' || c == ':') {
            fprintf(stderr,
                    c == ':' ? TB_TR("选项 %s 缺少值\n", "option %s needs a value\n")
                             : TB_TR("无法识别的选项：%s\n", "unknown option: %s\n"),
                    argv[optind - 1]);
            usage(stderr);
            tb_config_fini(&cfg);
            return 2;
        }
        tb_config_flag(&cfg, opts[idx].name, optarg);
    }
    if (optind < argc) {
        fprintf(stderr, TB_TR("多余的参数：%s\n", "unexpected argument: %s\n"), argv[optind]);
        tb_config_fini(&cfg);
        return 2;
    }
    tb_msg_t msg;
    if (tb_config_load(&cfg, &msg) < 0) {
        fputs(msg.text, stderr);
        tb_config_fini(&cfg);
        return 2;
    }
    /* Every connection is a file descriptor: take all the kernel allows. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    /* Limits for hostile peers (TONGBAN_BROKER_RATE messages/s per place,
     * TONGBAN_BROKER_MAX_RSS_MB before exiting for the supervisor,
     * TONGBAN_BROKER_MAX_CONN connections at once: by default the open-file
     * limit less 64 for the broker's own files, so a flood of connections
     * meets the cap, not a broker that can no longer open anything). */
    broker_limits_t lim = {0, 1024, 0};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > 128)
        lim.max_conn = (long)rl.rlim_cur - 64;
    /* Junk, 0 or a value out of range is refused with the variable named
     * (it used to be read by atoi, so "5O0" silently became 5). */
    long rate, rss, conn;
    tb_msg_t bad = {{0}};
    if (tb_config_env_int("TONGBAN_BROKER_RATE", 1, 10000000, 20000, &rate, &bad) < 0 ||
        tb_config_env_int("TONGBAN_BROKER_MAX_RSS_MB", 16, 4194304, lim.max_rss_mb, &rss, &bad) <
            0 ||
        tb_config_env_int("TONGBAN_BROKER_MAX_CONN", 1, 100000000, lim.max_conn, &conn, &bad) < 0) {
        fputs(bad.text, stderr);
        tb_config_fini(&cfg);
        return 2;
    }
    lim.rate = (int)rate;
    lim.max_rss_mb = (int)rss;
    lim.max_conn = conn;
    const char *endpoint = tb_config_get(&cfg, TB_CFG_BROKER);
    const char *dir = tb_config_get(&cfg, TB_CFG_KEYS);
    char why[600], pub[TB_KEY_Z85_LEN + 1], sec[TB_KEY_Z85_LEN + 1], allow[4096];
    if (keygen) {
        int rc = tb_keys_generate(dir, TB_BROKER_KEY_NAME, pub, why, sizeof why);
        if (rc < 0)
            fprintf(stderr, TB_TR("无法生成密钥：%s\n", "cannot make the key pair: %s\n"), why);
        else
            printf("%s\n", pub);
        tb_config_fini(&cfg);
        return rc < 0 ? 1 : 0;
    }
    int rc = tb_keys_read_pair(dir, TB_BROKER_KEY_NAME, pub, sec, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr,
                TB_TR("代理密钥不可用：%s（用 tongban-broker keygen 生成）\n",
                      "no usable broker key: %s (make one with tongban-broker keygen)\n"),
                why);
        tb_config_fini(&cfg);
        return 1;
    }
    snprintf(allow, sizeof allow, "%s/%s", dir, TB_ALLOW_FILE);
    broker_t *b;
    rc = broker_new_curve(sec, allow, &b, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, TB_TR("无法启动代理：%s\n", "cannot start the broker: %s\n"), why);
        tb_config_fini(&cfg);
        return 1;
    }
    if ((rc = broker_bind(b, endpoint)) < 0) {
        fprintf(stderr, TB_TR("无法绑定 %s：%s\n", "cannot bind %s: %s\n"), endpoint,
                tb_strerror(rc));
        broker_destroy(&b);
        tb_config_fini(&cfg);
        return 1;
    }
    broker_set_limits(b, &lim);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        tb_info("open files: at most %llu; connections: at most %ld",
                (unsigned long long)rl.rlim_cur, lim.max_conn);
    tb_info("listening on %s (CURVE, key %s, allow-list %s)", endpoint, pub, allow);
    rc = broker_run(b, &stop);
    broker_stats_t s = broker_stats(b);
    tb_info("stopping: forwarded %llu, unreachable %llu, dropped %llu, refused %llu, spoofed "
            "%llu, revoked %llu, limited %llu, capped %llu",
            (unsigned long long)s.forwarded, (unsigned long long)s.unreachable,
            (unsigned long long)s.dropped, (unsigned long long)s.refused,
            (unsigned long long)s.spoofed, (unsigned long long)s.revoked,
            (unsigned long long)s.limited, (unsigned long long)s.capped);
    broker_destroy(&b);
    tb_config_fini(&cfg);
    /* 75 (EX_TEMPFAIL): the memory watchdog; the supervisor restarts us. */
    return rc == -ENOMEM ? 75 : rc < 0 ? 1 : 0;
}
