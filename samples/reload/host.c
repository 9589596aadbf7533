/*
 * host.c - the hot reload sample's host: watches a plugin folder and calls
 * the counter plugin twice a second for a while, through an object it made
 * at the start (which runs the version that made it, to the end) and
 * through a new object each time (which runs the version that serves).
 * Every reload event is printed as it comes.
 *
 *   reload-host PLUGIN_FOLDER [SECONDS]
 */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdio.h>
#include <stdlib.h>

#include <facet/facet.h>

#include "counter.h"

#ifdef _WIN32
#include <windows.h>
#define sleep_ms(ms) Sleep(ms)
#else
#include <time.h>
static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
#endif

static void on_reload(const FacetReloadEvent *ev, void *payload)
{
    (void)payload;
    if (ev->kind == FACET_RELOAD_STARTED)
        printf("   reload: trying %s %s (%s serves)\n", ev->module,
               ev->new_version ? ev->new_version : "?", ev->old_version ? ev->old_version : "-");
    else if (ev->kind == FACET_RELOAD_SUCCEEDED)
        printf("   reload: %s %s serves new objects; %s stays for the objects it made\n",
               ev->module, ev->new_version, ev->old_version ? ev->old_version : "-");
    else
        printf("   reload: ROLLED BACK, %s keeps serving: %s (%s)\n",
               ev->old_version ? ev->old_version : "-", ev->reason,
               facet_result_name(ev->result));
    fflush(stdout);
}

static void quiet(uint32_t level, const char *module, const char *message, void *payload)
{
    (void)payload;
    if (level >= FACET_LOG_WARN)
        fprintf(stderr, "   [%s] %s\n", module ? module : "facet", message);
}

static int call(const char *who, ICounter *c)
{
    uint64_t value = 0;
    uint32_t major = 0, minor = 0;
    FacetResult r = ICounter_Next(c, &value, &major, &minor);
    if (FACET_FAILED(r)) {
        printf("%s: %s: %s\n", who, facet_result_name(r), facet_last_error());
        return 1;
    }
    printf(" %s: version %u.%u counted %llu", who, (unsigned)major, (unsigned)minor,
           (unsigned long long)value);
    return 0;
}

int main(int argc, char **argv)
{
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    FacetWatchOptions watch = FACET_WATCH_OPTIONS_INIT;
    FacetRuntime *rt = NULL;
    ICounter *held = NULL;
    int seconds = argc > 2 ? atoi(argv[2]) : 10, tick, failed = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: reload-host PLUGIN_FOLDER [SECONDS]\n");
        return 2;
    }
    opts.log = quiet;
    if (FACET_FAILED(facet_runtime_new(&rt, &opts)) ||
        FACET_FAILED(facet_runtime_reload_listen(rt, on_reload, NULL)) ||
        FACET_FAILED(facet_scan(NULL, rt, argv[1])) ||
        FACET_FAILED(facet_runtime_watch(rt, &watch)) ||
        FACET_FAILED(facet_create_instance_by_name((void **)&held, rt, "org.example.counter",
                                                   NULL, &IID_ICounter))) {
        fprintf(stderr, "reload-host: %s\n", facet_last_error());
        facet_runtime_free(rt);
        return 1;
    }
    printf("watching %s; calling org.example.counter twice a second for %d s\n", argv[1],
           seconds);
    for (tick = 0; tick < seconds * 2 && !failed; tick++) {
        ICounter *fresh = NULL;
        if (FACET_FAILED(facet_create_instance_by_name((void **)&fresh, rt, "org.example.counter",
                                                       NULL, &IID_ICounter))) {
            printf("create: %s\n", facet_last_error());
            failed = 1;
            break;
        }
        printf("%5.1f s", tick / 2.0);
        failed |= call("new object", fresh);
        failed |= call("| first object", held);
        printf("\n");
        fflush(stdout);
        ICounter_Release(fresh);
        sleep_ms(500);
    }
    ICounter_Release(held);
    facet_runtime_free(rt);
    return failed;
}
