#include "tb_signal.h"

#include <pthread.h>
#include <signal.h>

static void mask(int how)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    pthread_sigmask(how, &s, NULL);
}

void tb_signal_hold(void)
{
    mask(SIG_BLOCK);
}

void tb_signal_release(void)
{
    mask(SIG_UNBLOCK);
}
