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

/* Empties rl_seen; the first call makes its lock (a zeroed critical
 * section of Windows is not an unlocked one). */
static inline void rl_seen_reset(void)
{
    static int once;
    if (!once) {
#ifdef _WIN32
        InitializeCriticalSection(&rl_seen.lock);
#else
        pthread_mutex_init(&rl_seen.lock, NULL);
#endif
        once = 1;
    }
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
    {
        /* Windows refuses to replace a file while another handle without
         * FILE_SHARE_DELETE has it open: the copy a reload makes of a
         * library (CopyFileW) holds the source for a moment. A build tool
         * that replaces a file tries again, as this does. */
        int tries = 0;
        while (!MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING)) {
            DWORD err = GetLastError();
            if ((err != ERROR_SHARING_VIOLATION && err != ERROR_ACCESS_DENIED) || ++tries == 100)
                fail_msg("MoveFileExA(%s, %s): error %lu after %d tries", tmp, path,
                         (unsigned long)err, tries);
            Sleep(10);
        }
    }
#else
    assert_int_equal(rename(tmp, path), 0);
#endif
}

/* Puts the library of test module `module` (rl_v1 ...) in place. */
static inline void rl_put_lib(const char *dir, const char *module, int rename_in)
{
    size_t size;
    void *data = facet_test_read_file(facet_test_module(module), &size);
    rl_put_file(dir, RL_LIB, data, size, rename_in);
    free(data);
}

/* Puts the manifest of version `version` in place. */
static inline void rl_put_manifest(const char *dir, const char *version, int rename_in)
{
    char text[4096];
    rl_manifest_text(text, sizeof(text), version, NULL);
    rl_put_file(dir, RL_MANIFEST, text, strlen(text), rename_in);
}

/* Puts test module `module` in place as version `version`: the library
 * first, then its manifest. */
static inline void rl_put(const char *dir, const char *module, const char *version, int rename_in)
{
    rl_put_lib(dir, module, rename_in);
    rl_put_manifest(dir, version, rename_in);
}

/* A runtime with test.rl 1.0.0 scanned in a new folder dir, logging to
 * rl_seen, with rl_listen listening. */
static inline FacetRuntime *rl_setup(char *dir, size_t size)
{
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntime *rt;
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

/* A counter of rl_seen, read under its lock (the watcher's thread writes). */
static inline unsigned rl_count(const unsigned *counter)
{
    unsigned n;
    rl_lock();
    n = *counter;
    rl_unlock();
    return n;
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

/* ---- Bad versions ------------------------------------------------------ */

/* A bad version: how to put it in place, what reload returns, and words
 * the message must hold. */
typedef struct Bad {
    const char *what;
    void (*put)(const char *dir);
    FacetResult code;
    const char *words;
} Bad;

static inline void put_missing(const char *dir)
{
    char path[8448];
    snprintf(path, sizeof(path), "%s/" RL_LIB, dir);
    assert_int_equal(remove(path), 0);
}

static inline void put_truncated(const char *dir)
{
    size_t size;
    char *data = facet_test_read_file(facet_test_module("rl_v2"), &size);
    rl_put_file(dir, RL_LIB, data, size / 3, 0); /* a copy cut short */
    free(data);
}

static inline void put_text(const char *dir)
{
    static const char text[] = "this is not a library, it is a text file\n";
    rl_put_file(dir, RL_LIB, text, sizeof(text) - 1, 1);
}

static inline void put_wrong_machine(const char *dir)
{
    size_t size;
    unsigned char *data = facet_test_read_file(facet_test_module("rl_v2"), &size);
#ifdef _WIN32
    /* IMAGE_FILE_HEADER.Machine, after "PE\0\0" at e_lfanew */
    uint32_t pe = data[0x3c] | data[0x3d] << 8 | data[0x3e] << 16 | (uint32_t)data[0x3f] << 24;
    data[pe + 4] = 0x64; /* ARM64: 0xAA64 */
    data[pe + 5] = 0xAA;
#else
    /* e_machine: aarch64 (183), or x86-64 (62) where this is aarch64 */
    data[18] = data[18] == 183 ? 62 : 183;
    data[19] = 0;
#endif
    rl_put_file(dir, RL_LIB, data, size, 1);
    free(data);
}

/* The library of version 2 with a manifest that says 5.0.0. */
static inline void put_mismatch(const char *dir)
{
    rl_put(dir, "rl_v2", "5.0.0", 1);
}

static inline void put_api_level(const char *dir)
{
    char text[4096], *at;
    rl_put(dir, "rl_v2", "2.0.0", 1);
    rl_manifest_text(text, sizeof(text), "2.0.0", NULL);
    at = strstr(text, "\"api_level\": 1");
    memcpy(at, "\"api_level\": 9", 14);
    rl_put_file(dir, RL_MANIFEST, text, strlen(text), 1);
}

static inline void put_go(const char *dir)
{
    char text[4096];
    rl_put(dir, "rl_v2", "2.0.0", 1);
    rl_manifest_text(text, sizeof(text), "2.0.0", "\"runtime\": \"go\"");
    rl_put_file(dir, RL_MANIFEST, text, strlen(text), 1);
}

static inline void put_bad_manifest(const char *dir)
{
    static const char text[] = "{\"name\": \"test.rl\", \"version\": ";
    rl_put(dir, "rl_v2", "2.0.0", 1);
    rl_put_file(dir, RL_MANIFEST, text, sizeof(text) - 1, 0); /* half written */
}

static inline void put_manifest_gone(const char *dir)
{
    char path[8448], away[8460];
    snprintf(path, sizeof(path), "%s/" RL_MANIFEST, dir);
    snprintf(away, sizeof(away), "%s.old", path);
    remove(away); /* Windows renames onto no existing file */
    assert_int_equal(rename(path, away), 0); /* renamed away */
}

static inline void put_init_fails(const char *dir)
{
    rl_put(dir, "rl_init", "4.0.0", 1);
}

static inline void put_start_fails(const char *dir)
{
    rl_put(dir, "rl_start", "4.0.0", 1);
}

static inline void put_refuses_state(const char *dir)
{
    rl_put(dir, "rl_restore", "4.0.0", 0);
}

/* test.a requires test.rl ^1 in this case alone: version 2 breaks it. */
static inline void put_breaks_dependant(const char *dir)
{
    rl_put(dir, "rl_v2", "2.0.0", 1);
}

static const Bad rl_bads[] = {
    {"missing", put_missing, FACET_E_FILENOTFOUND, RL_LIB},
    {"truncated", put_truncated, FACET_E_TRUNCATED, RL_LIB},
    {"text", put_text, FACET_E_NOTLIBRARY, RL_LIB},
    {"wrong machine", put_wrong_machine, FACET_E_WRONGARCH, RL_LIB},
    {"mismatch", put_mismatch, FACET_E_MISMATCH, "5.0.0"},
    {"api level", put_api_level, FACET_E_APILEVEL, "needs host API level 9"},
    {"go", put_go, FACET_E_CONFLICT, "Go"},
    {"bad manifest", put_bad_manifest, FACET_E_BADMANIFEST, RL_MANIFEST},
    {"manifest renamed away", put_manifest_gone, FACET_E_FILENOTFOUND, RL_MANIFEST},
    {"init fails", put_init_fails, FACET_E_FAIL, "Init of version 4.0.0 failed"},
    {"start fails", put_start_fails, FACET_E_FAIL, "Start of version 4.0.0 failed"},
    {"refuses the state", put_refuses_state, FACET_E_INVALIDARG, "refused the state"},
    {"breaks a dependant", put_breaks_dependant, FACET_E_VERSION, "breaks module test.a"},
};

#endif
