/*
 * core/remote/sync_posix.c - the locks and waits of the process-isolation
 * layer on POSIX: a recursive mutex with a condition variable, and
 * threads.
 */
#ifndef _WIN32

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "remote.h"

struct FacetSync {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
};

FacetResult facet__sync_new(FacetSync **out)
{
    FacetSync *s = facet__calloc(1, sizeof(*s));
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;
    int ok;
    *out = NULL;
    if (s == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a lock");
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_condattr_init(&ca);
#if !defined(__APPLE__)
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
#endif
    ok = pthread_mutex_init(&s->mutex, &ma) == 0;
    if (ok && pthread_cond_init(&s->cond, &ca) != 0) {
        pthread_mutex_destroy(&s->mutex);
        ok = 0;
    }
    pthread_mutexattr_destroy(&ma);
    pthread_condattr_destroy(&ca);
    if (!ok) {
        facet__free(s);
        return facet__error(FACET_E_OUTOFMEMORY, "out of resources for a lock");
    }
    *out = s;
    return FACET_OK;
}

void facet__sync_free(FacetSync *s)
{
    if (s == NULL)
        return;
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->mutex);
    facet__free(s);
}

void facet__sync_lock(FacetSync *s)
{
    pthread_mutex_lock(&s->mutex);
}

void facet__sync_unlock(FacetSync *s)
{
    pthread_mutex_unlock(&s->mutex);
}

void facet__sync_wait(FacetSync *s, uint32_t timeout_ms)
{
    struct timespec ts;
    if (timeout_ms == 0) {
        pthread_cond_wait(&s->cond, &s->mutex);
        return;
    }
#if defined(__APPLE__)
    ts.tv_sec = (time_t)(timeout_ms / 1000u);
    ts.tv_nsec = (long)(timeout_ms % 1000u) * 1000000L;
    pthread_cond_timedwait_relative_np(&s->cond, &s->mutex, &ts);
#else
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(timeout_ms / 1000u);
    ts.tv_nsec += (long)(timeout_ms % 1000u) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&s->cond, &s->mutex, &ts);
#endif
}

void facet__sync_broadcast(FacetSync *s)
{
    pthread_cond_broadcast(&s->cond);
}

#endif /* !_WIN32 */
