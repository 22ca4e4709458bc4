/* tongban-broker: routes envelopes between tongban nodes by place code. */
#include "broker.h"

#include "tb_config.h"
#include "tb_error.h"
#include "tb_i18n.h"
#include "tb_log.h"

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static volatile bool stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = true;
}

static void usage(FILE *out)
{
    fputs(TB_TR("用法：tongban-broker serve [--broker 端点] [--config 文件]\n"
                "  启动消息代理，按区划代码在各节点之间转发报文。\n"
                "  端点默认 tcp://127.0.0.1:7700（环境变量 TONGBAN_BROKER）。\n",
                "usage: tongban-broker serve [--broker ENDPOINT] [--config FILE]\n"
                "  Runs the broker that routes envelopes between nodes by place code.\n"
                "  ENDPOINT defaults to tcp://127.0.0.1:7700 (or TONGBAN_BROKER).\n"),
          out);
}

int main(int argc, char **argv)
{
    tb_log_init("broker");
    bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                              strcmp(argv[1], "help") == 0);
    if (help) {
        usage(stdout);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "serve") != 0) {
        if (argc >= 2)
            fprintf(stderr, TB_TR("未知命令：%s\n\n", "unknown command: %s\n\n"), argv[1]);
        usage(stderr);
        return 2;
    }
    tb_config_t cfg;
    tb_config_init(&cfg);
    static const struct option opts[] = {{"broker", required_argument, 0, 'b'},
                                         {"config", required_argument, 0, 'c'},
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
    const char *endpoint = tb_config_get(&cfg, TB_CFG_BROKER);
    broker_t *b;
    int rc = broker_new(endpoint, &b);
    if (rc < 0) {
        fprintf(stderr, TB_TR("无法绑定 %s：%s\n", "cannot bind %s: %s\n"), endpoint,
                tb_strerror(rc));
        tb_config_fini(&cfg);
        return 1;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    tb_info("listening on %s", endpoint);
    rc = broker_run(b, &stop);
    broker_stats_t s = broker_stats(b);
    tb_info("stopping: forwarded %llu, unreachable %llu, dropped %llu",
            (unsigned long long)s.forwarded, (unsigned long long)s.unreachable,
            (unsigned long long)s.dropped);
    broker_destroy(&b);
    tb_config_fini(&cfg);
    return rc < 0 ? 1 : 0;
}
