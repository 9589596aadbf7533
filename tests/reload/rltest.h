/*
 * tests/reload/rltest.h - what the hot reload tests share: a plugin folder
 * holding test.rl (rl.so and rl.facet.json), versions of it put in place
 * the way a build or a copy does, a runtime that keeps its log, and a
 * listener that keeps the reload events.
 */
#ifndef FACET_TEST_RLTEST_H
#define FACET_TEST_RLTEST_H

#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugtest.h"
#include "reload_itf.h"

#ifdef _WIN32
#include <windows.h>
#define rl_sleep_ms(ms) Sleep(ms)
#else
#include <pthread.h>
#include <time.h>
static inline void rl_sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
#endif

#define RL_LIB "rl" PLUG_SUFFIX
#define RL_MANIFEST "rl.facet.json"

/* The log lines and reload events a test saw. */
typedef struct RlSeen {
#ifdef _WIN32
    CRITICAL_SECTION lock;
#else
    pthread_mutex_t lock;
#endif
    char log[16384];
    char events[16384];          /* "started:1.0.0>2.0.0 ok:... back:...(code)" */
    unsigned started, succeeded, rolled_back;
} RlSeen;

static RlSeen rl_seen;

static inline void rl_lock(void)
{
#ifdef _WIN32
    EnterCriticalSection(&rl_seen.lock);
#else
    pthread_mutex_lock(&rl_seen.lock);
#endif
}
static inline void rl_unlock(void)
{
#ifdef _WIN32
    LeaveCriticalSection(&rl_seen.lock);
#else
    pthread_mutex_unlock(&rl_seen.lock);
#endif
}

static inline void rl_append(char *buf, size_t size, const char *text)
{
    size_t used = strlen(buf);
    if (used + 1 >= size) /* full: keep the latest */
        used = buf[0] = '\0';
    snprintf(buf + used, size - used, "%s\n", text);
}

static inline void rl_log(uint32_t level, const char *module, const char *message, void *payload)
{
    char line[4096];
    (void)payload;
    snprintf(line, sizeof(line), "%u %s: %s", (unsigned)level, module ? module : "-", message);
    rl_lock();
    rl_append(rl_seen.log, sizeof(rl_seen.log), line);
    rl_unlock();
}

static inline void rl_listen(const FacetReloadEvent *ev, void *payload)
{
    char line[4096];
    (void)payload;
    snprintf(line, sizeof(line), "%s %s %s>%s %s %s",
             ev->kind == FACET_RELOAD_STARTED     ? "started"
             : ev->kind == FACET_RELOAD_SUCCEEDED ? "ok"
                                                  : "back",
             ev->module, ev->old_version ? ev->old_version : "-",
             ev->new_version ? ev->new_version : "-", facet_result_name(ev->result), ev->reason);
    rl_lock();
    rl_append(rl_seen.events, sizeof(rl_seen.events), line);
    rl_seen.started += ev->kind == FACET_RELOAD_STARTED;
    rl_seen.succeeded += ev->kind == FACET_RELOAD_SUCCEEDED;
    rl_seen.rolled_back += ev->kind == FACET_RELOAD_ROLLED_BACK;
    rl_unlock();
}

static inline void rl_seen_reset(void)
{
    rl_lock();
    rl_seen.log[0] = rl_seen.events[0] = '\0';
    rl_seen.started = rl_seen.succeeded = rl_seen.rolled_back = 0;
    rl_unlock();
}

/* The manifest of test.rl at version, library RL_LIB; extra is more
 * members or NULL. */
static inline void rl_manifest_text(char *text, size_t size, const char *version,
                                    const char *extra)
{
    snprintf(text, size,
             "{\n"
             "  \"name\": \"test.rl\",\n"
             "  \"version\": \"%s\",\n"
             "  \"api_level\": 1,\n"
             "  \"library\": {\"linux\": \"" RL_LIB "\", \"windows\": \"" RL_LIB
             "\", \"macos\": \"" RL_LIB "\"},\n"
             "  \"classes\": [\n"
             "    {\"clsid\": \"" RL_CLSID_TEXT "\",\n"
             "     \"contract\": \"" RL_CONTRACT "\", \"version\": \"%s\", \"threading\": \"any\",\n"
             "     \"interfaces\": [\"{7A000010-5D3E-4A5B-9C01-112233445510}\"]}\n"
             "  ]%s%s\n"
             "}\n",
             version, version, extra ? ",\n  " : "", extra ? extra : "");
}

/* Writes path's new content as a build does: to a temporary next to it,
 * then renamed into place (rename 1) or written in place (rename 0). */
static inline void rl_put_file(const char *dir, const char *file, const void *data, size_t size,
                               int rename_in)
{
    char path[8448], tmp[8460];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    if (!rename_in) {
        facet_test_write_file(path, data, size);
        return;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    facet_test_write_file(tmp, data, size);
#ifdef _WIN32
    assert_true(MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING));
#else
    assert_int_equal(rename(tmp, path), 0);
#endif
}

/* Puts test module `module` (rl_v1 ...) in place as version `version`:
 * the library first, then its manifest. */
static inline void rl_put(const char *dir, const char *module, const char *version, int rename_in)
{
    char text[4096];
    size_t size;
    void *data = facet_test_read_file(facet_test_module(module), &size);
    rl_put_file(dir, RL_LIB, data, size, rename_in);
    free(data);
    rl_manifest_text(text, sizeof(text), version, NULL);
    rl_put_file(dir, RL_MANIFEST, text, strlen(text), rename_in);
}

/* A runtime with test.rl 1.0.0 scanned in a new folder dir, logging to
 * rl_seen, with rl_listen listening. */
static inline FacetRuntime *rl_setup(char *dir, size_t size)
{
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntime *rt;
    static int once;
    if (!once) {
#ifdef _WIN32
        InitializeCriticalSection(&rl_seen.lock);
#else
        pthread_mutex_init(&rl_seen.lock, NULL);
#endif
        once = 1;
    }
    rl_seen_reset();
    snprintf(dir, size, "%s", plug_folder());
    rl_put(dir, "rl_v1", "1.0.0", 0);
    opts.log = rl_log;
    opts.log_level = FACET_LOG_DEBUG;
    assert_int_equal(facet_runtime_new(&rt, &opts), FACET_OK);
    assert_int_equal(facet_scan(NULL, rt, dir), FACET_OK);
    assert_int_equal(facet_runtime_reload_listen(rt, rl_listen, NULL), FACET_OK);
    return rt;
}

/* A new object of test.rl's class. */
static inline IReloadProbe *rl_new(FacetRuntime *rt)
{
    void *p = NULL;
    FacetResult r = facet_create_instance_by_name(&p, rt, RL_CONTRACT, NULL, &IID_IReloadProbe);
    if (FACET_FAILED(r))
        fail_msg("create: %s", facet_last_error());
    return p;
}

/* The version that serves new instances now. */
static inline const char *rl_serving(FacetRuntime *rt)
{
    static char version[64];
    IReloadProbe *p = rl_new(rt);
    const char *v = NULL;
    assert_int_equal(IReloadProbe_Version(p, &v), FACET_OK);
    snprintf(version, sizeof(version), "%s", v);
    IReloadProbe_Release(p);
    return version;
}

static inline int rl_log_has(const char *text)
{
    int has;
    rl_lock();
    has = strstr(rl_seen.log, text) != NULL;
    rl_unlock();
    return has;
}

static inline int rl_events_have(const char *text)
{
    int has;
    rl_lock();
    has = strstr(rl_seen.events, text) != NULL;
    rl_unlock();
    return has;
}

#endif
