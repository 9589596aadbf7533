/*
 * core/discovery/lifecycle.c - starting and stopping the scanned modules in
 * dependency order through IFacetLifecycle, found on each module's factory.
 *
 * Start: order the chosen modules so each comes after those it requires
 * (a cycle is reported before any code loads), load them, Init each in
 * order, then Start each in order. A failure undoes what was done, in
 * reverse: Stop the started, Shutdown the initialised. Stop reverses it all.
 *
 * life_lock serialises start and stop. No other lock is held while module
 * code runs, so Init or Start may create objects (and so load modules).
 */
#include <stdio.h>
#include <string.h>

#include "discovery.h"

typedef struct Node {
    const char *name;
    FacetDeclared *d;
    UT_hash_handle hh;
} Node;

#define WHITE 0u
#define GREY 1u
#define BLACK 2u

/* A module on the path being walked, and its next requirement to follow. */
typedef struct Frame {
    FacetDeclared *d;
    uint32_t next;
} Frame;

typedef struct Sorter {
    Node *nodes;
    FacetDeclared **order;
    uint32_t count;
    Frame *stack;               /* the path from the root being walked */
    uint32_t depth;
} Sorter;

static const char *frame_name(const void *list, uint32_t i)
{
    return ((const Frame *)list)[i].d->mf->name;
}

/* The cycle closed by back, which is on the stack. */
static FacetResult cycle_error(Sorter *s, FacetDeclared *back)
{
    char text[1024];
    uint32_t first = s->depth;
    while (first > 0 && s->stack[first - 1].d != back)
        first--;
    first = first > 0 ? first - 1 : 0;
    facet__cycle_text(text, sizeof(text), s->depth - first, frame_name, &s->stack[first]);
    return facet__error(FACET_E_CYCLE, "facet_runtime_start: dependency cycle of %u modules: %s "
                                       "(see the \"requires\" of each manifest); no module was "
                                       "loaded",
                        (unsigned)(s->depth - first), text);
}

/* Depth first from root, each module after those it requires. The path is
 * an explicit stack, not the C stack: a chain of requirements may be as
 * long as there are modules. */
static FacetResult visit(Sorter *s, FacetDeclared *root)
{
    if (root->mark != WHITE)
        return FACET_OK;
    root->mark = GREY;
    s->stack[0].d = root;
    s->stack[0].next = 0;
    s->depth = 1;
    while (s->depth > 0) {
        Frame *f = &s->stack[s->depth - 1];
        const char *name;
        Node *n;
        if (f->next == f->d->mf->require_count) {
            f->d->mark = BLACK;
            s->order[s->count++] = f->d;
            s->depth--;
            continue;
        }
        name = f->d->mf->requires[f->next++].name;
        HASH_FIND(hh, s->nodes, name, strlen(name), n);
        if (n == NULL)
            return facet__error(FACET_E_NOTFOUND,
                                "facet_runtime_start: %s requires %s, which is not available "
                                "(not scanned, or disabled)",
                                f->d->mf->name, name);
        if (n->d->mark == GREY)
            return cycle_error(s, n->d);
        if (n->d->mark == BLACK)
            continue;
        n->d->mark = GREY;
        s->stack[s->depth].d = n->d;
        s->stack[s->depth].next = 0;
        s->depth++;
    }
    return FACET_OK;
}

/* The chosen modules in dependency order; the caller holds load_lock. */
static FacetResult sort(FacetRuntime *rt, FacetDeclared ***out, uint32_t *count)
{
    Sorter s;
    FacetDeclared *d;
    Node *n, *tmp, *pool = NULL;
    int oom;
    uint32_t total = 0, k = 0;
    FacetResult r = FACET_OK;

    *out = NULL;
    *count = 0;
    memset(&s, 0, sizeof(s));
    for (d = rt->declared; d != NULL; d = d->next)
        if (d->state == FACET_DECLARED_CHOSEN || (d->state == FACET_DECLARED_BROKEN && d->registered))
            total++;
    if (total == 0)
        return FACET_OK;
    s.order = facet__calloc(total, sizeof(FacetDeclared *));
    s.stack = facet__calloc(total, sizeof(Frame));
    pool = facet__calloc(total, sizeof(Node));
    if (s.order == NULL || s.stack == NULL || pool == NULL) {
        r = facet__error(FACET_E_OUTOFMEMORY, "facet_runtime_start: out of memory");
        goto done;
    }
    for (d = rt->declared; d != NULL; d = d->next) {
        if (d->state == FACET_DECLARED_BROKEN && d->registered) {
            r = facet__error(d->error, "facet_runtime_start: %s",
                             d->message ? d->message : d->mf->name);
            goto done;
        }
        if (d->state != FACET_DECLARED_CHOSEN)
            continue;
        d->mark = WHITE;
        n = &pool[k++];
        n->name = d->mf->name;
        n->d = d;
        FACET_HASH_ADD(hh, s.nodes, n->name, strlen(n->name), n, oom);
        if (oom) {
            r = facet__error(FACET_E_OUTOFMEMORY, "facet_runtime_start: out of memory");
            goto done;
        }
    }
    /* Visit in scan order, oldest first, so the order is stable. */
    for (k = total; k > 0 && FACET_SUCCEEDED(r); k--)
        r = visit(&s, pool[k - 1].d);
done:
    HASH_ITER(hh, s.nodes, n, tmp) {
        HASH_DELETE(hh, s.nodes, n);
    }
    facet__free(pool);
    facet__free(s.stack);
    if (FACET_FAILED(r)) {
        facet__free(s.order);
        return r;
    }
    *out = s.order;
    *count = s.count;
    return FACET_OK;
}

static const char *const step_names[] = {"Init", "Start", "Stop", "Shutdown"};

static FacetResult call_step(FacetDeclared *d, uint32_t step)
{
    IFacetLifecycle *l = d->lifecycle;
    if (l == NULL)
        return FACET_OK;
    switch (step) {
    case 0: return IFacetLifecycle_Init(l);
    case 1: return IFacetLifecycle_Start(l);
    case 2: return IFacetLifecycle_Stop(l);
    default: return IFacetLifecycle_Shutdown(l);
    }
}

/* Stop (from started) and Shutdown (from initialised) in reverse order;
 * returns the first failure, after trying every step. */
static FacetResult wind_down(FacetRuntime *rt, FacetDeclared **order, uint32_t count,
                             FacetResult first)
{
    uint32_t i, step;
    char message[1024];
    message[0] = '\0';
    for (step = 2; step <= 3; step++)
        for (i = count; i > 0; i--) {
            FacetDeclared *d = order[i - 1];
            FacetResult r;
            if ((step == 2 && d->life != FACET_LIFE_STARTED) ||
                (step == 3 && d->life == FACET_LIFE_NONE))
                continue;
            r = call_step(d, step);
            d->life = step == 2 ? FACET_LIFE_INIT : FACET_LIFE_NONE;
            if (FACET_FAILED(r) && FACET_SUCCEEDED(first)) {
                first = r;
                snprintf(message, sizeof(message), "module %s: %s failed with %s", d->mf->name,
                         step_names[step], facet_result_name(r));
            }
        }
    for (i = 0; i < count; i++)
        if (order[i]->lifecycle != NULL) {
            IFacetLifecycle_Release(order[i]->lifecycle);
            order[i]->lifecycle = NULL;
        }
    (void)rt;
    if (message[0] != '\0')
        facet__error(first, "%s", message);
    return first;
}

FacetResult facet_runtime_start(FacetRuntime *rt)
{
    FacetDeclared **order = NULL;
    uint32_t count = 0, i, step, done = 0;
    FacetResult r;

    FACET_CHECK_ARG(rt, "facet_runtime_start");
    facet__os_rwlock_wrlock(&rt->life_lock);
    facet__discovery_attach(rt);
    if (rt->started) {
        facet__os_rwlock_wrunlock(&rt->life_lock);
        return facet__error(FACET_E_STATE, "facet_runtime_start: already started; call "
                                           "facet_runtime_stop first");
    }
    facet__os_rwlock_wrlock(&rt->load_lock);
    r = sort(rt, &order, &count);
    facet__os_rwlock_wrunlock(&rt->load_lock);
    if (FACET_FAILED(r))
        goto fail;
    for (i = 0; i < count; i++) {
        FacetDeclared *d = order[i];
        void *l = NULL;
        r = facet__declared_load(rt, d);
        if (FACET_SUCCEEDED(r) && d->module == NULL)
            r = facet__error(FACET_E_STATE, "facet_runtime_start: %s is no longer the chosen "
                                            "version",
                             d->mf->path);
        if (FACET_FAILED(r))
            goto fail;
        if (FACET_SUCCEEDED(IFacetFactory_QueryInterface(d->module->factory, &IID_IFacetLifecycle, &l)))
            d->lifecycle = l;
        d->life = FACET_LIFE_NONE;
    }
    for (step = 0; step < 2; step++)
        for (i = 0; i < count; i++) {
            FacetDeclared *d = order[i];
            r = call_step(d, step);
            if (FACET_FAILED(r)) {
                char message[1024];
                uint32_t k, started = 0;
                for (k = 0; k < count; k++) {
                    done += order[k]->life != FACET_LIFE_NONE;
                    started += order[k]->life == FACET_LIFE_STARTED;
                }
                if (step == 0)
                    snprintf(message, sizeof(message),
                             "module %s: Init failed with %s (%s); shut down the %u module(s) "
                             "initialised before it, in reverse order",
                             d->mf->name, facet_result_name(r), facet_result_description(r),
                             (unsigned)done);
                else
                    snprintf(message, sizeof(message),
                             "module %s: Start failed with %s (%s); stopped the %u module(s) "
                             "started before it and shut down all %u, in reverse order",
                             d->mf->name, facet_result_name(r), facet_result_description(r),
                             (unsigned)started, (unsigned)done);
                wind_down(rt, order, count, r);
                facet__error(r, "%s", message);
                goto fail;
            }
            d->life = step == 0 ? FACET_LIFE_INIT : FACET_LIFE_STARTED;
        }
    rt->life_order = order;
    rt->life_count = count;
    rt->started = 1;
    facet__os_rwlock_wrunlock(&rt->life_lock);
    return FACET_OK;
fail:
    for (i = 0; i < count; i++)
        if (order[i]->lifecycle != NULL) {
            IFacetLifecycle_Release(order[i]->lifecycle);
            order[i]->lifecycle = NULL;
        }
    facet__free(order);
    facet__os_rwlock_wrunlock(&rt->life_lock);
    return r;
}

FacetResult facet_runtime_stop(FacetRuntime *rt)
{
    FacetResult r;
    FACET_CHECK_ARG(rt, "facet_runtime_stop");
    facet__os_rwlock_wrlock(&rt->life_lock);
    if (!rt->started) {
        facet__os_rwlock_wrunlock(&rt->life_lock);
        return FACET_FALSE;
    }
    r = wind_down(rt, rt->life_order, rt->life_count, FACET_OK);
    facet__free(rt->life_order);
    rt->life_order = NULL;
    rt->life_count = 0;
    rt->started = 0;
    facet__os_rwlock_wrunlock(&rt->life_lock);
    return r;
}
