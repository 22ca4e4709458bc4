#include "tb_sqlink.h"

#include "tb_error.h"
#include "tb_edge.h"
#include "tb_linkeng.h"
#include "tb_place.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include "tb_signal.h"
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* POLL_MS: the turn while something is due now but pushed back, under fault
 * injection, or when the wake socket could not be made; SAFETY_MS: the slow safety poll
 * of an idle node whose commands wake it (tb_sqlink_wake). */
enum { POLL_MS = 100, SAFETY_MS = 5000 };

/* Peers whose receive cursor one batch keeps in memory (st_cursor_set); a
 * township of more villages than this writes the rest at once. */
enum { TB_SQLINK_CURSORS = 64 };

/* The SQLite backend of the link engine (tb_linkeng.h): the node's store
 * behind tb_linkeng_store_t, tb_node as the wire, tb_mono_ms as the clock.
 * What the engine notes goes on to the daemon (app.note), which logs it. */
struct tb_sqlink {
    tb_store_t *store;
    tb_node_t *node;
    tb_sqlink_app_t app;
    tb_linkeng_t *eng;
    uv_timer_t timer;
    uv_poll_t wake;   /* readable when a command woke us (wake_fd) */
    int wake_fd;      /* the bound UNIX datagram socket, or -1: poll every POLL_MS */
    int open_handles; /* self is freed when the last handle's close callback ran */
    char wake_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    tb_ratelimit_t notes; /* what a remote peer can cause, per peer (TB_SQLINK_HELD) */
    /* The receive cursors the open batch moved, written once each just before
     * its commit (st_commit): a bulk batch wrote its peer's cursor after every
     * message, in the same transaction, so only the last write counted. */
    struct {
        char peer[TB_CODE_LEN + 1];
        uint64_t seq;
    } cursors[TB_SQLINK_CURSORS];
    int ncursors;
};

/* A note a remote peer can cause: a flood of them must not flood the log. */
static bool remote(tb_sqlink_event_t event, tb_linkeng_note_t what)
{
    return event == TB_SQLINK_QUARANTINED || event == TB_SQLINK_DROPPED ||
           event == TB_SQLINK_EPOCH_REPLAY ||
           (event == TB_SQLINK_ENGINE &&
            (what == TB_LINKENG_ACK_BEYOND || what == TB_LINKENG_PEER_REFUSED ||
             what == TB_LINKENG_FOR_OLD_STORE));
}

static void tell(tb_sqlink_t *self, tb_sqlink_event_t event, tb_linkeng_note_t what,
                 const char *peer, const char *detail, uint64_t seq, int rc)
{
    if (!self->app.note)
        return;
    if (peer && remote(event, what)) {
        unsigned held = 0;
        int write = tb_ratelimit(&self->notes, peer, tb_mono_ms(), &held);
        tb_sqlink_note_t h = {TB_SQLINK_HELD, 0, peer, "", held, 0};
        if (held)
            self->app.note(self->app.ctx, &h);
        if (!write)
            return;
    }
    tb_sqlink_note_t n = {event, what, peer ? peer : "", detail ? detail : "", seq, rc};
    self->app.note(self->app.ctx, &n);
}

static int st_begin(void *st)
{
    tb_sqlink_t *self = st;
    self->ncursors = 0;
    return tb_store_begin(self->store);
}

/* The batch's cursors into the store, then its commit.  A failure leaves the
 * transaction open: the engine rolls it back. */
static int st_commit(void *st)
{
    tb_sqlink_t *self = st;
    int rc = 0;
    for (int i = 0; rc == 0 && i < self->ncursors; i++)
        rc = tb_store_cursor_set(self->store, self->cursors[i].peer, self->cursors[i].seq);
    self->ncursors = 0;
    return rc < 0 ? rc : tb_store_commit(self->store);
}

static void st_rollback(void *st)
{
    tb_sqlink_t *self = st;
    self->ncursors = 0;
    tb_store_rollback(self->store);
}

/* peer's slot among the batch's cursors, -1 if it has none. */
static int cursor_slot(const tb_sqlink_t *self, const char *peer)
{
    for (int i = 0; i < self->ncursors; i++)
        if (strcmp(self->cursors[i].peer, peer) == 0)
            return i;
    return -1;
}

static int st_cursor_get(void *st, const char *peer, uint64_t *ret_cursor)
{
    tb_sqlink_t *self = st;
    int i = cursor_slot(self, peer);
    if (i >= 0) {
        *ret_cursor = self->cursors[i].seq;
        return 0;
    }
    return tb_store_cursor_get(self->store, peer, ret_cursor);
}

/* Noted for the commit; written at once when the batch has no slot left. */
static int st_cursor_set(void *st, const char *peer, uint64_t seq)
{
    tb_sqlink_t *self = st;
    int i = cursor_slot(self, peer);
    if (i < 0 && (self->ncursors == TB_SQLINK_CURSORS || strlen(peer) > TB_CODE_LEN))
        return tb_store_cursor_set(self->store, peer, seq);
    if (i < 0) {
        i = self->ncursors++;
        memcpy(self->cursors[i].peer, peer, strlen(peer) + 1);
    }
    self->cursors[i].seq = seq;
    return 0;
}

static int st_ack(void *st, const char *peer, uint64_t ack)
{
    return tb_store_ack(((tb_sqlink_t *)st)->store, peer, ack);
}

/* A message that arrives in order but does not decode is quarantined and
 * counts as applied, so one bad message never blocks a link. */
static int st_apply(void *st, const char *peer, uint64_t seq, const uint8_t *body, size_t len)
{
    tb_sqlink_t *self = st;
    tb_item_msg_t *item = NULL;
    int rc = tb_item_decode(body, len, &item);
    if (rc < 0) {
        tell(self, TB_SQLINK_QUARANTINED, 0, peer, NULL, seq, rc);
        int q = tb_store_quarantine(self->store, peer, seq, body, len, tb_strerror(rc));
        if (q == 0 && self->app.undecodable)
            q = self->app.undecodable(self->app.ctx, peer, seq, body, len, rc);
        return q;
    }
    rc = self->app.apply(self->app.ctx, peer, item, body, len);
    tb_item_free(&item);
    return rc;
}

static int st_heads(void *st, tb_linkeng_head_fn fn, void *arg)
{
    return tb_store_out_heads(((tb_sqlink_t *)st)->store, fn, arg);
}

static int st_read(void *st, const char *peer, uint64_t from, uint64_t to, tb_linkeng_emit_fn emit,
                   void *arg)
{
    /* A hole is the engine's to see (on_emit checks the seqs). */
    return tb_store_outbox_each(((tb_sqlink_t *)st)->store, peer, from, to, emit, arg);
}

static int st_epoch_get(void *st, const char *peer, uint64_t *ret)
{
    return tb_store_peer_epoch_get(((tb_sqlink_t *)st)->store, peer, ret);
}

static int st_epoch_retired(void *st, const char *peer, uint64_t epoch, int *ret)
{
    return tb_store_peer_epoch_retired(((tb_sqlink_t *)st)->store, peer, epoch, ret);
}

static int st_epoch_set(void *st, const char *peer, uint64_t epoch, bool reset)
{
    tb_sqlink_t *self = st;
    int i = reset ? cursor_slot(self, peer) : -1;
    if (i >= 0) /* the reset stores its cursor as 0: the old store's is void */
        self->cursors[i] = self->cursors[--self->ncursors];
    return tb_store_peer_epoch_set(self->store, peer, epoch, reset);
}

static const tb_linkeng_store_t sqlite_store = {
    .epoch_get = st_epoch_get,
    .epoch_retired = st_epoch_retired,
    .epoch_set = st_epoch_set,
    .begin = st_begin,
    .commit = st_commit,
    .rollback = st_rollback,
    .cursor_get = st_cursor_get,
    .apply = st_apply,
    .cursor_set = st_cursor_set,
    .ack = st_ack,
    .heads = st_heads,
    .read = st_read,
};

static int net_send(void *ctx, const char *dest, uint64_t dest_epoch, Tongban__V1__Kind kind,
                    uint64_t seq, uint64_t ack, const uint8_t *body, size_t len)
{
    return tb_node_send(((tb_sqlink_t *)ctx)->node, dest, dest_epoch, kind, seq, ack, body, len);
}

static int64_t net_now(void *ctx)
{
    (void)ctx;
    return tb_mono_ms();
}

static void net_note(void *ctx, tb_linkeng_note_t what, const char *peer, uint64_t seq, int rc)
{
    tb_sqlink_t *self = ctx;
    /* A failed apply carries what SQLite said, for the daemon's log. */
    const char *detail = what == TB_LINKENG_APPLY_FAILED ? tb_store_last_error(self->store) : NULL;
    tell(self, TB_SQLINK_ENGINE, what, peer, detail, seq, rc);
}

static void net_epoch(void *ctx, const char *peer, uint64_t old_epoch, uint64_t new_epoch,
                      bool replay)
{
    char d[64];
    snprintf(d, sizeof d, "old %016llx new %016llx", (unsigned long long)old_epoch,
             (unsigned long long)new_epoch);
    tell(ctx, replay ? TB_SQLINK_EPOCH_REPLAY : TB_SQLINK_EPOCH_RESET, 0, peer, d, 0, 0);
}

static void on_dropped(void *ctx, int frames, int rc, const char *peer, const char *why)
{
    tell(ctx, TB_SQLINK_DROPPED, 0, peer, why, (uint64_t)frames, rc);
}

static void on_timer(uv_timer_t *t);

/* The next turn: at the engine's next deadline (a retransmit timeout, an
 * unreachable peer's hold), soon when something is due now but was pushed
 * back, always soon under fault injection or without a wake socket;
 * otherwise only the safety poll (a command wakes us, and what this process
 * applies or does flushes at once).  Until 2026-12-01 it polled every POLL_MS
 * while anything was unacknowledged: 322 villages with a case each in flight
 * woke 3,220 times a second to find nothing due.  A poll is never pushed
 * later; an exact deadline follows the engine's (tb_sqlink_rearm). */
uint64_t tb_sqlink_turn_ms(bool woken, bool fault, int64_t wait_ms)
{
    if (!woken || fault || wait_ms == 0)
        return POLL_MS;
    return wait_ms > 0 && wait_ms < SAFETY_MS ? (uint64_t)wait_ms : SAFETY_MS;
}

bool tb_sqlink_rearm(bool active, uint64_t due_in, uint64_t want, bool exact)
{
    return !active || due_in > want || (exact && due_in != want);
}

static void rearm(tb_sqlink_t *self)
{
    bool woken = self->wake_fd >= 0, fault = tb_node_fault(self->node)->active;
    uint64_t want = tb_sqlink_turn_ms(woken, fault, tb_linkeng_wait_ms(self->eng));
    bool active = uv_is_active((uv_handle_t *)&self->timer);
    if (tb_sqlink_rearm(active, active ? uv_timer_get_due_in(&self->timer) : 0, want,
                        woken && !fault))
        uv_timer_start(&self->timer, on_timer, want, 0);
}

static void set_backlog(tb_sqlink_t *self)
{
    tb_node_set_backlog(self->node, tb_linkeng_backlog(self->eng));
    if (self->open_handles)
        rearm(self);
}

static void on_envelope(void *ctx, const tb_env_t *env)
{
    tb_linkeng_on_envelope(((tb_sqlink_t *)ctx)->eng, env);
}

void tb_sqlink_flush(tb_sqlink_t *self)
{
    tb_linkeng_flush(self->eng);
    set_backlog(self);
}

static void on_drained(void *ctx)
{
    tb_sqlink_t *self = ctx;
    tb_linkeng_drained(self->eng);
    set_backlog(self);
}

static void on_timer(uv_timer_t *t)
{
    tb_sqlink_flush(t->data);
}

/* The wake socket's path: the store's file name with "-wake" (like its -wal). */
static int wake_path(tb_store_t *store, char *buf, size_t cap)
{
    const char *db = sqlite3_db_filename(tb_store_db(store), "main");
    if (!db || !*db)
        return -ENOENT;
    int n = snprintf(buf, cap, "%s-wake", db);
    return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static void on_wake(uv_poll_t *h, int status, int events)
{
    tb_sqlink_t *self = h->data;
    (void)status;
    (void)events;
    char b[64];
    while (recv(self->wake_fd, b, sizeof b, 0) >= 0)
        ; /* drain: one turn serves every wake so far */
    tb_sqlink_flush(self);
}

/* Bind the wake socket; on any failure the node keeps polling every POLL_MS. */
static void wake_open(tb_sqlink_t *self, uv_loop_t *loop)
{
    self->wake_fd = -1;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (wake_path(self->store, a.sun_path, sizeof a.sun_path) < 0)
        return;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    unlink(a.sun_path); /* left by a node that was killed */
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || uv_poll_init(loop, &self->wake, fd) < 0) {
        close(fd);
        return;
    }
    self->wake.data = self;
    self->open_handles++;
    if (uv_poll_start(&self->wake, UV_READABLE, on_wake) < 0) {
        unlink(a.sun_path);
        close(fd); /* never polled; the handle closes with the link, wake_fd stays -1 */
        return;
    }
    memcpy(self->wake_path, a.sun_path, sizeof self->wake_path);
    self->wake_fd = fd;
}

int tb_sqlink_wake(tb_store_t *store)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int rc = wake_path(store, a.sun_path, sizeof a.sun_path);
    if (rc < 0)
        return rc;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    rc = sendto(fd, "w", 1, 0, (struct sockaddr *)&a, sizeof a) < 0 ? -errno : 0;
    close(fd);
    /* Its queue full: it has wakes enough waiting. */
    return rc == -EAGAIN ? 0 : rc;
}

int64_t tb_sqlink_ack_delay_ms(const char *place)
{
    return tb_code_level(place) == TB_LEVEL_TOWNSHIP ? TB_SQLINK_ACK_DELAY_MS : 0;
}

int64_t tb_sqlink_hold_ms(const char *place, const char *peer)
{
    return tb_code_level(place) == TB_LEVEL_TOWNSHIP && tb_code_level(peer) == TB_LEVEL_VILLAGE
               ? TB_SQLINK_ACK_DELAY_MS
               : 0;
}

static int64_t net_hold(void *ctx, const char *peer)
{
    return tb_sqlink_hold_ms(tb_store_place(((tb_sqlink_t *)ctx)->store), peer);
}

int tb_sqlink_new(uv_loop_t *loop, tb_store_t *store, const char *endpoint,
                  const tb_sqlink_app_t *app, tb_sqlink_t **ret)
{
    tb_sqlink_t *self = calloc(1, sizeof *self);
    if (!self)
        return -ENOMEM;
    self->store = store;
    self->app = *app;
    /* A command holding the write lock must not stall this loop for the
     * store's 5 s: give up after 250 ms; the batch rolls back, the peers
     * resend, and the next turn tries again. */
    sqlite3_busy_timeout(tb_store_db(store), 250);
    tb_node_handler_t h = {on_envelope, on_drained, NULL, self};
    int rc = tb_node_new_curve(loop, tb_store_place(store), endpoint, app->curve, &h, &self->node);
    if (rc < 0) {
        free(self);
        return rc;
    }
    tb_node_on_dropped(self->node, on_dropped);
    uint64_t epoch;
    if ((rc = tb_store_epoch(store, &epoch)) < 0) {
        tb_node_close(&self->node);
        free(self);
        return rc;
    }
    tb_node_set_epoch(self->node, epoch);
    tb_linkeng_env_t env = {.send = net_send,
                            .epoch = epoch,
                            .on_epoch = net_epoch,
                            .now_ms = net_now,
                            .note = net_note,
                            .fault = tb_node_fault(self->node),
                            .ctx = self,
                            .window = TB_SQLINK_WINDOW,
                            .ack_delay_ms = tb_sqlink_ack_delay_ms(tb_store_place(store)),
                            .hold_ms = net_hold};
    if ((rc = tb_linkeng_new(&sqlite_store, self, &env, &self->eng)) < 0) {
        tb_node_close(&self->node);
        free(self);
        return rc;
    }
    set_backlog(self);
    if ((rc = uv_timer_init(loop, &self->timer)) < 0) {
        tb_linkeng_destroy(&self->eng);
        tb_node_close(&self->node);
        free(self);
        return rc;
    }
    self->timer.data = self;
    self->open_handles = 1;
    wake_open(self, loop);
    if ((rc = uv_timer_start(&self->timer, on_timer, POLL_MS, 0)) < 0) {
        tb_sqlink_close(&self); /* self goes with the handles' close callbacks */
        return rc;
    }
    *ret = self;
    return 0;
}

static void on_handle_closed(uv_handle_t *h)
{
    tb_sqlink_t *self = h->data;
    if (--self->open_handles == 0)
        free(self);
}

void tb_sqlink_close(tb_sqlink_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tb_sqlink_t *self = *self_p;
    *self_p = NULL;
    tb_linkeng_destroy(&self->eng); /* rolls back a batch still open */
    tb_node_close(&self->node);
    if (self->open_handles == 2) {
        uv_poll_stop(&self->wake); /* before its fd closes */
        uv_close((uv_handle_t *)&self->wake, on_handle_closed);
        if (self->wake_fd >= 0) {
            unlink(self->wake_path);
            close(self->wake_fd);
        }
    }
    uv_close((uv_handle_t *)&self->timer, on_handle_closed);
}

uint64_t tb_sqlink_backlog(tb_sqlink_t *self)
{
    return tb_linkeng_backlog(self->eng);
}

bool tb_sqlink_up(const tb_sqlink_t *self)
{
    return tb_node_broker_alive(self->node);
}

typedef struct {
    tb_sqlink_t *link;
    const tb_sqlink_app_t *app;
    uv_signal_t sigint, sigterm;
} serve_t;

static void on_signal(uv_signal_t *h, int sig)
{
    serve_t *s = h->data;
    tell(s->link, TB_SQLINK_SIGNAL, 0, NULL, NULL, 0, sig);
    if (s->app->stopping)
        s->app->stopping(s->app->ctx);
    tb_sqlink_close(&s->link);
    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->sigterm, NULL);
}

int tb_sqlink_serve(tb_store_t *store, const char *endpoint, const tb_sqlink_app_t *app)
{
    uv_loop_t loop;
    int rc = uv_loop_init(&loop);
    if (rc < 0)
        return rc;
    serve_t s = {0};
    s.app = app;
    rc = tb_sqlink_new(&loop, store, endpoint, app, &s.link);
    if (rc < 0) {
        uv_loop_close(&loop);
        return rc;
    }
    if (app->started && (rc = app->started(app->ctx, &loop, s.link)) < 0) {
        tb_sqlink_close(&s.link);
        uv_run(&loop, UV_RUN_DEFAULT); /* the close callbacks */
        uv_loop_close(&loop);
        return rc;
    }
    uint64_t backlog = 0;
    tb_store_backlog(store, &backlog);
    tell(s.link, TB_SQLINK_SERVING, 0, tb_store_place(store), endpoint, backlog, 0);
    s.sigint.data = s.sigterm.data = &s;
    int made = 0; /* signal handles made: sigint, then sigterm */
    if ((rc = uv_signal_init(&loop, &s.sigint)) == 0 && ++made &&
        (rc = uv_signal_init(&loop, &s.sigterm)) == 0 && ++made &&
        (rc = uv_signal_start(&s.sigint, on_signal, SIGINT)) == 0)
        rc = uv_signal_start(&s.sigterm, on_signal, SIGTERM);
    if (rc < 0) {
        if (app->stopping)
            app->stopping(app->ctx);
        tb_sqlink_close(&s.link);
        if (made >= 1)
            uv_close((uv_handle_t *)&s.sigint, NULL);
        if (made >= 2)
            uv_close((uv_handle_t *)&s.sigterm, NULL);
        uv_run(&loop, UV_RUN_DEFAULT); /* the close callbacks */
        uv_loop_close(&loop);
        return rc;
    }
    tb_signal_release();
    uv_run(&loop, UV_RUN_DEFAULT);
    rc = uv_loop_close(&loop);
    tb_sqlink_note_t n = {TB_SQLINK_STOPPED, 0, "", "", 0, rc};
    if (app->note)
        app->note(app->ctx, &n);
    return 0;
}
