/*
 * core/remote/sync_win32.c - the locks and waits of the process-isolation
 * layer on Windows: a critical section (recursive, as the layer needs)
 * with a condition variable.
 */
#ifdef _WIN32

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include "remote.h"

struct FacetSync {
    CRITICAL_SECTION cs;
    CONDITION_VARIABLE cond;
};

FacetResult facet__sync_new(FacetSync **out)
{
    FacetSync *s = facet__calloc(1, sizeof(*s));
    *out = NULL;
    if (s == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a lock");
    InitializeCriticalSection(&s->cs);
    InitializeConditionVariable(&s->cond);
    *out = s;
    return FACET_OK;
}

void facet__sync_free(FacetSync *s)
{
    if (s == NULL)
        return;
    DeleteCriticalSection(&s->cs); /* a condition variable holds nothing */
    facet__free(s);
}

void facet__sync_lock(FacetSync *s)
{
    EnterCriticalSection(&s->cs);
}

void facet__sync_unlock(FacetSync *s)
{
    LeaveCriticalSection(&s->cs);
}

void facet__sync_wait(FacetSync *s, uint32_t timeout_ms)
{
    /* ERROR_TIMEOUT and spurious wake-ups alike: the caller looks again. */
    SleepConditionVariableCS(&s->cond, &s->cs, timeout_ms == 0 ? INFINITE : (DWORD)timeout_ms);
}

void facet__sync_broadcast(FacetSync *s)
{
    WakeAllConditionVariable(&s->cond);
}

#endif /* _WIN32 */
