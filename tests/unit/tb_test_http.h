/* Shared by the unit tests that speak HTTP to a tb_http server in the same
 * process (test-http.c, test-websession.c): one raw exchange over loopback
 * TCP, and the status of a response.  Include after cmocka.h. */
#ifndef TB_TEST_HTTP_H
#define TB_TEST_HTTP_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* Send len raw bytes to 127.0.0.1:port, read until the server closes (ask
 * Connection: close), return the whole response (the caller frees it), or
 * NULL when nothing listens. */
static inline char *tb_test_exchange(uint16_t port, const char *raw, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t n = send(fd, raw + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* the server may answer and close before reading everything */
        off += (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    size_t cap = 1 << 16, got = 0;
    char *buf = malloc(cap + 1);
    ssize_t n;
    while (buf && got < cap && (n = recv(fd, buf + got, cap - got, 0)) > 0)
        got += (size_t)n;
    if (buf)
        buf[got] = '\0';
    close(fd);
    return buf;
}

/* The status code of a response, or -1. */
static inline int tb_test_status(const char *resp)
{
    int st = 0;
    return resp && sscanf(resp, "HTTP/1.%*d %d", &st) == 1 ? st : -1;
}

#endif
