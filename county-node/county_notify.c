/* county_notify.c: the county loop stays free (issue 11).  Staff commands,
 * catalog and calendar imports and supervision limits wake the daemon by
 * PostgreSQL LISTEN/NOTIFY (the triggers of migration 008 notify channel
 * `tongban_intake`) instead of a query every 300 ms.
 *
 * The plain connection (cmd_pg, county_intake.c) LISTENs; its socket is
 * polled for readable on the loop; a notification sets intake_wake and the
 * next 100 ms tick between batches takes what is new (county_serve.c).  A
 * slow safety poll stays (COUNTY_INTAKE_SAFETY_TICKS): a notification is
 * lost when the connection is, and a row written while nobody listened
 * (the daemon down) is only found by looking.
 *
 * The poll handle follows libuv's rule: it is stopped and closed before
 * PQfinish closes the socket, and reused only after its close callback ran;
 * while it is closing the safety poll carries the intake alone. */
#include "county_int.h"

#include "tb_log.h"

static void on_notify_closed(uv_handle_t *h)
{
    county_t *self = h->data;
    self->cmd_poll_closing = false;
}

static void on_cmd_io(uv_poll_t *h, int status, int events)
{
    county_t *self = h->data;
    (void)events;
    if (status < 0 || !self->cmd_pg || !PQconsumeInput(self->cmd_pg)) {
        self->intake_wake = true; /* the next tick finds out (and reconnects) */
        return;
    }
    PGnotify *n;
    while ((n = PQnotifies(self->cmd_pg)) != NULL) {
        self->intake_wake = true;
        PQfreemem(n);
    }
}

void county_notify_start(county_t *self)
{
    if (!self->cmd_pg || self->cmd_polling || self->cmd_poll_closing || self->stopping)
        return;
    PGresult *r = PQexec(self->cmd_pg, "LISTEN tongban_intake");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    int fd = PQsocket(self->cmd_pg);
    if (!ok || fd < 0) {
        tb_warn("LISTEN failed (%s): commands are found by the slow poll",
                PQerrorMessage(self->cmd_pg));
        return;
    }
    int rc = uv_poll_init(self->loop, &self->cmd_poll, fd);
    if (rc == 0) {
        self->cmd_poll.data = self;
        self->cmd_polling = true;
        rc = uv_poll_start(&self->cmd_poll, UV_READABLE, on_cmd_io);
        if (rc < 0)
            county_notify_stop(self);
    }
    if (rc < 0)
        tb_warn("cannot poll the intake connection (%s): commands are found by the slow poll",
                uv_strerror(rc));
}

void county_notify_stop(county_t *self)
{
    if (!self->cmd_polling)
        return;
    self->cmd_polling = false;
    self->cmd_poll_closing = true;
    uv_close((uv_handle_t *)&self->cmd_poll, on_notify_closed);
}

void county_notify_drain(county_t *self)
{
    /* A query on cmd_pg may have read notifications into libpq's queue: the
     * socket will not turn readable for them again. */
    if (!self->cmd_pg)
        return;
    PGnotify *n;
    while ((n = PQnotifies(self->cmd_pg)) != NULL) {
        self->intake_wake = true;
        PQfreemem(n);
    }
}
