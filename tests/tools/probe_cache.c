/*
 * tests/tools/probe_cache.c - the probe scan of the issue, through the
 * library: a folder with good modules, one that crashes in its entry, one
 * that hangs, one that calls exit and a non-library; the good ones are
 * cached, the others quarantined with reasons; a second scan probes
 * nothing; touching one module probes only it.
 * argv[1]: the broken widgets' folder, argv[2]: the runner module.
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>
#include <time.h>
#ifndef _WIN32
#include <fcntl.h>
#include <unistd.h>
#endif

#include "facet/testing.h"
#include "facet/check.h"
#include "tools_util.h"

static const char *broken_dir, *runner_module, *hostile_dir;

typedef struct Scan {
    FacetProbeCache *cache;
    const char *must_probe; /* the one module to probe; NULL: every one */
    unsigned probed, quarantined, total;
    char probed_names[8][64];
} Scan;

static const char *base_name(const char *path)
{
    const char *p, *base = path;
    for (p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    return base;
}

/* How long a scan gives each probe: enough for a probe to crash in an
 * ASan+UBSan build on a busy machine (a UBSan stack trace alone takes a
 * second), little for a hang. Under Windows more: Wine on a busy machine
 * was seen to take over 5 s to start a program at all. */
#ifdef _WIN32
#define SCAN_TIMEOUT_MS 10000
#define SCAN_TIMEOUT_TEXT "10000"
#else
#define SCAN_TIMEOUT_MS 5000
#define SCAN_TIMEOUT_TEXT "5000"
#endif

static FacetResult scan_one(const char *path, void *payload)
{
    Scan *s = payload;
    FacetCheckOptions opts = FACET_CHECK_OPTIONS_INIT;
    FacetReport *rep = NULL;
    int probed = -1, want;
    FacetResult r;
    opts.timeout_ms = SCAN_TIMEOUT_MS;
    r = facet_probe_cache_get(&rep, &probed, s->cache, path, &opts);
    assert_non_null(rep);
    want = s->must_probe == NULL || strcmp(s->must_probe, base_name(path)) == 0;
    if (probed != want)
        fail_msg("%s: *probed is %d; this scan must %s", base_name(path), probed,
                 want ? "probe it (1)" : "take it from the cache (0)");
    assert_int_equal(r, facet_report_outcome(rep) == FACET_OUTCOME_OK ? FACET_OK : FACET_FALSE);
    if (probed && s->probed < 8)
        snprintf(s->probed_names[s->probed], 64, "%s", base_name(path));
    s->probed += (unsigned)probed;
    s->quarantined += facet_report_outcome(rep) != FACET_OUTCOME_OK;
    s->total++;
    facet_report_free(rep);
    return FACET_OK;
}

/* One scan of dir through the cache in cache_file, which must probe
 * must_probe alone ("" for none) or, when it is NULL, every module. */
static Scan scan(const char *dir, const char *cache_file, const char *must_probe)
{
    Scan s;
    memset(&s, 0, sizeof(s));
    s.must_probe = must_probe;
    assert_int_equal(facet_probe_cache_open(&s.cache, cache_file), FACET_OK);
    assert_int_equal(facet_module_files(dir, scan_one, &s), FACET_OK);
    assert_int_equal(facet_probe_cache_save(s.cache), FACET_OK);
    return s;
}

/* The entry of name in the cache; fails the test if there is none. */
static FacetProbeCacheEntry entry_of(FacetProbeCache *cache, const char *name)
{
    uint32_t i;
    for (i = 0; i < facet_probe_cache_count(cache); i++) {
        FacetProbeCacheEntry e = FACET_PROBE_CACHE_ENTRY_INIT;
        assert_int_equal(facet_probe_cache_entry(&e, cache, i), FACET_OK);
        if (strcmp(base_name(e.path), name) == 0)
            return e;
    }
    fail_msg("%s is not in the cache", name);
    {
        FacetProbeCacheEntry none = FACET_PROBE_CACHE_ENTRY_INIT;
        return none;
    }
}

static void expect_quarantined(FacetProbeCache *cache, const char *name, uint32_t outcome,
                               const char *reason)
{
    FacetProbeCacheEntry e = entry_of(cache, name);
    assert_int_equal(e.quarantined, 1);
    assert_int_equal(e.outcome, outcome);
    if (strstr(e.reason, reason) == NULL)
        fail_msg("%s: reason '%s' does not say '%s'", name, e.reason, reason);
}

static void test_tools_probe_cache__scan_quarantine_rescan_touch(void **state)
{
    const char *dir = tools_scan_folder(broken_dir, runner_module);
    char cache_file[4200];
    FacetProbeCacheEntry e;
    Scan s;
    (void)state;
    snprintf(cache_file, sizeof(cache_file), "%s/cache/probe.json", dir);
    {
        char sub[4200];
        snprintf(sub, sizeof(sub), "%s/cache", dir);
        assert_int_equal(tools_mkdir(sub), 0);
    }

    /* First scan: everything is probed; four of six are quarantined. */
    s = scan(dir, cache_file, NULL);
    assert_int_equal(s.total, 6);
    assert_int_equal(s.probed, 6);
    assert_int_equal(s.quarantined, 4);
    assert_int_equal(facet_probe_cache_count(s.cache), 6);
    expect_quarantined(s.cache, "crash_in_entry" TOOLS_MODULE_SUFFIX, FACET_OUTCOME_CRASHED,
                       "crashed in facet_module_entry");
    expect_quarantined(s.cache, "hang_in_entry" TOOLS_MODULE_SUFFIX, FACET_OUTCOME_TIMEDOUT,
                       "hung in facet_module_entry (killed after " SCAN_TIMEOUT_TEXT " ms)");
    expect_quarantined(s.cache, "exit_in_entry" TOOLS_MODULE_SUFFIX, FACET_OUTCOME_EXITED,
                       "exit status 3");
    expect_quarantined(s.cache, "not_a_library" TOOLS_MODULE_SUFFIX,
                       FACET_OUTCOME_LOADFAILED, "text file");
    e = entry_of(s.cache, "good_widget" TOOLS_MODULE_SUFFIX);
    assert_int_equal(e.quarantined, 0);
    assert_string_equal(e.reason, "");
    e = entry_of(s.cache, "runner" TOOLS_MODULE_SUFFIX);
    assert_int_equal(e.quarantined, 0);
    facet_probe_cache_free(s.cache);

    /* Second scan, from the saved file: nothing is probed, the quarantine
     * holds, and the cached reports are whole. */
    s = scan(dir, cache_file, "");
    assert_int_equal(s.total, 6);
    assert_int_equal(s.probed, 0);
    assert_int_equal(s.quarantined, 4);
    expect_quarantined(s.cache, "hang_in_entry" TOOLS_MODULE_SUFFIX, FACET_OUTCOME_TIMEDOUT,
                       "hung in facet_module_entry");
    facet_probe_cache_free(s.cache);

    /* Touching one module probes only it. */
    tools_set_mtime(dir, "good_widget" TOOLS_MODULE_SUFFIX, time(NULL) + 100);
    s = scan(dir, cache_file, "good_widget" TOOLS_MODULE_SUFFIX);
    assert_int_equal(s.probed, 1);
    assert_string_equal(s.probed_names[0], "good_widget" TOOLS_MODULE_SUFFIX);
    assert_int_equal(s.quarantined, 4);
    facet_probe_cache_free(s.cache);

    /* Touching a quarantined one gives it another chance (and it fails again). */
    tools_set_mtime(dir, "exit_in_entry" TOOLS_MODULE_SUFFIX, time(NULL) + 200);
    s = scan(dir, cache_file, "exit_in_entry" TOOLS_MODULE_SUFFIX);
    assert_int_equal(s.probed, 1);
    assert_string_equal(s.probed_names[0], "exit_in_entry" TOOLS_MODULE_SUFFIX);
    assert_int_equal(s.quarantined, 4);
    facet_probe_cache_free(s.cache);

    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* Same size, same modification time, other bytes: the content hash sees it. */
static void test_tools_probe_cache__content_hash(void **state)
{
    const char *dir = tools_scan_folder(broken_dir, runner_module);
    char cache_file[4200], path[4200];
    const char *text = "This text file is named like a module but is NOT a shared library.\n";
    size_t size;
    char *data;
    time_t mtime;
    Scan s;
    (void)state;
    snprintf(cache_file, sizeof(cache_file), "%s/probe.json", dir);
    s = scan(dir, cache_file, NULL);
    assert_int_equal(s.probed, 6);
    facet_probe_cache_free(s.cache);

    snprintf(path, sizeof(path), "%s/not_a_library" TOOLS_MODULE_SUFFIX, dir);
    mtime = tools_mtime(dir, "not_a_library" TOOLS_MODULE_SUFFIX);
    data = facet_test_read_file(path, &size);
    assert_int_equal(size, strlen(text));
    assert_memory_not_equal(data, text, size);
    free(data);
    facet_test_write_file(path, text, strlen(text));
    tools_set_mtime(dir, "not_a_library" TOOLS_MODULE_SUFFIX, mtime);

    s = scan(dir, cache_file, "not_a_library" TOOLS_MODULE_SUFFIX);
    assert_int_equal(s.probed, 1);
    assert_string_equal(s.probed_names[0], "not_a_library" TOOLS_MODULE_SUFFIX);
    facet_probe_cache_free(s.cache);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_tools_probe_cache__forget_and_damaged_file(void **state)
{
    const char *dir = tools_scan_folder(broken_dir, runner_module);
    char cache_file[4200], path[4200];
    Scan s;
    (void)state;
    snprintf(cache_file, sizeof(cache_file), "%s/probe.json", dir);
    s = scan(dir, cache_file, NULL);
    snprintf(path, sizeof(path), "%s/runner" TOOLS_MODULE_SUFFIX, dir);
    assert_int_equal(facet_probe_cache_forget(s.cache, path), FACET_OK);
    expect_error(facet_probe_cache_forget(s.cache, path), FACET_E_NOTFOUND, "runner",
                 "not in the probe cache");
    assert_int_equal(facet_probe_cache_count(s.cache), 5);
    assert_int_equal(facet_probe_cache_save(s.cache), FACET_OK);
    facet_probe_cache_free(s.cache);

    s = scan(dir, cache_file, "runner" TOOLS_MODULE_SUFFIX);
    assert_int_equal(s.probed, 1);
    assert_string_equal(s.probed_names[0], "runner" TOOLS_MODULE_SUFFIX);
    facet_probe_cache_free(s.cache);

    /* A damaged cache starts afresh rather than failing the host. */
    facet_test_write_file(cache_file, "{\"facet_probe_cache\": 1, \"entr", 30);
    s = scan(dir, cache_file, NULL);
    assert_int_equal(s.probed, 6);
    facet_probe_cache_free(s.cache);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_tools_probe_cache__bad_arguments(void **state)
{
    FacetProbeCache *cache = NULL;
    FacetReport *rep = (FacetReport *)&cache;
    FacetProbeCacheEntry e = FACET_PROBE_CACHE_ENTRY_INIT;
    const char *dir = facet_test_tmpdir();
    char path[4200];
    (void)state;
    expect_error(facet_probe_cache_open(NULL, "x"), FACET_E_POINTER, "out");
    expect_error(facet_probe_cache_open(&cache, NULL), FACET_E_POINTER, "file");
    assert_int_equal(facet_probe_cache_open(&cache, dir), FACET_E_NOTAFILE);
    assert_null(cache);
    snprintf(path, sizeof(path), "%s/c.json", dir);
    assert_int_equal(facet_probe_cache_open(&cache, path), FACET_OK);
    assert_int_equal(facet_probe_cache_count(cache), 0);
    expect_error(facet_probe_cache_get(&rep, NULL, cache, NULL, NULL), FACET_E_POINTER, "path");
    assert_null(rep);
    expect_error(facet_probe_cache_get(&rep, NULL, cache, "/no/such/module.so", NULL),
                 FACET_E_FILENOTFOUND, "/no/such/module.so");
    expect_error(facet_probe_cache_get(&rep, NULL, cache, dir, NULL), FACET_E_NOTAFILE, dir);
    expect_error(facet_probe_cache_entry(&e, cache, 0), FACET_E_INVALIDARG, "index 0");
    e.struct_size = 4;
    expect_error(facet_probe_cache_entry(&e, cache, 0), FACET_E_STRUCTSIZE, "struct_size");
    expect_error(facet_module_files("/no/such/folder", NULL, NULL), FACET_E_POINTER, "fn");
    facet_probe_cache_free(cache);
    facet_probe_cache_free(NULL);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static FacetResult count_file(const char *path, void *payload)
{
    (void)path;
    ++*(int *)payload;
    return FACET_OK;
}

static FacetResult stop_at_first(const char *path, void *payload)
{
    (void)path;
    (void)payload;
    return FACET_E_ABORT;
}

static void test_tools_probe_cache__module_files(void **state)
{
    const char *dir = tools_scan_folder(broken_dir, runner_module);
    char other[4200];
    int n = 0;
    (void)state;
    /* Only files with the module suffix count; folders and others do not. */
    snprintf(other, sizeof(other), "%s/readme.txt", dir);
    facet_test_write_file(other, "x", 1);
    snprintf(other, sizeof(other), "%s/folder" TOOLS_MODULE_SUFFIX, dir);
    assert_int_equal(tools_mkdir(other), 0);
    assert_int_equal(facet_module_files(dir, count_file, &n), FACET_OK);
    assert_int_equal(n, 6);
    assert_int_equal(facet_module_files(dir, stop_at_first, NULL), FACET_E_ABORT);
    expect_error(facet_module_files("/no/such/folder", count_file, &n), FACET_E_FILENOTFOUND,
                 "/no/such/folder");
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* Every allocation of a probe, and of the cache around it, can fail: the
 * call fails with FACET_E_OUTOFMEMORY, leaves nothing behind, and the next
 * call works. */
static void test_tools_probe_cache__out_of_memory(void **state)
{
    const char *dir = tools_scan_folder(broken_dir, runner_module);
    char cache_file[4200], module_path[4200];
    uint64_t nth;
    int passed = 0;
    (void)state;
    snprintf(cache_file, sizeof(cache_file), "%s/probe.json", dir);
    snprintf(module_path, sizeof(module_path), "%s/good_widget" TOOLS_MODULE_SUFFIX, dir);
    for (nth = 1; nth < 400 && !passed; nth++) {
        uint64_t failures;
        FacetProbeCache *cache = NULL;
        FacetReport *rep = NULL;
        FacetResult r;
        facet_testing_fail(FACET_FAULT_ALLOC, nth, 0);
        r = facet_probe_cache_open(&cache, cache_file);
        if (FACET_SUCCEEDED(r))
            r = facet_probe_cache_get(&rep, NULL, cache, module_path, NULL);
        if (FACET_SUCCEEDED(r))
            r = facet_probe_cache_save(cache);
        failures = facet_testing_failures(FACET_FAULT_ALLOC);
        facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
        facet_report_free(rep);
        facet_probe_cache_free(cache);
        remove(cache_file);
        assert_no_leaks();
        if (failures == 0) {
            assert_int_equal(r, FACET_OK);
            passed = 1;
        } else if (r != FACET_E_OUTOFMEMORY && r != FACET_OK) {
            /* FACET_OK: the platform layer recovered (Windows' realpath
             * falls back when it cannot get the final path). */
            fail_msg("allocation %llu failed: %s (%s), expected FACET_E_OUTOFMEMORY",
                     (unsigned long long)nth, facet_result_name(r), facet_last_error());
        }
    }
    assert_true(passed);
    facet_test_remove_tree(dir);
}

/* A process that cannot be started is the probe's failure, with a message. */
static void test_tools_probe_cache__spawn_failure(void **state)
{
    const char *dir = tools_scan_folder(broken_dir, runner_module);
    char module_path[4200];
    FacetReport *rep = NULL;
    (void)state;
    snprintf(module_path, sizeof(module_path), "%s/good_widget" TOOLS_MODULE_SUFFIX, dir);
    facet_testing_fail(FACET_FAULT_PROCESS, 1, 1);
    expect_error(facet_probe(&rep, module_path, NULL), FACET_E_FAIL, "facet_probe",
                 "injected fault");
    assert_null(rep);
    expect_error(facet_validate(&rep, module_path, NULL), FACET_E_FAIL, "facet_validate");
    assert_null(rep);
    facet_testing_fail(FACET_FAULT_PROCESS, 0, 0);
    assert_int_equal(facet_probe(&rep, module_path, NULL), FACET_OK);
    facet_report_free(rep);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* The manifest written from a probe is one the runtime reads back. */
static void test_tools_probe_cache__write_manifest(void **state)
{
    const char *dir = tools_scan_folder(broken_dir, runner_module);
    char path[4200], manifest[4200];
    FacetManifestInfo info = FACET_MANIFEST_INFO_INIT;
    FacetClassInfo ci = FACET_CLASS_INFO_INIT;
    FacetManifest *mf = NULL;
    FacetReport *rep = NULL;
    (void)state;
    snprintf(path, sizeof(path), "%s/runner" TOOLS_MODULE_SUFFIX, dir);
    snprintf(manifest, sizeof(manifest), "%s/runner.facet.json", dir);
    assert_int_equal(facet_probe(&rep, path, NULL), FACET_OK);
    assert_int_equal(facet_report_write_manifest(rep, NULL), FACET_OK);
    facet_report_free(rep);
    assert_int_equal(facet_manifest_load(&mf, manifest), FACET_OK);
    assert_int_equal(facet_manifest_info(&info, mf), FACET_OK);
    assert_string_equal(info.name, "test.runner");
    assert_string_equal(info.version, "1.0.0");
    assert_string_equal(info.library, "runner" TOOLS_MODULE_SUFFIX);
    assert_int_equal(info.class_count, 2);
    assert_int_equal(facet_manifest_class(&ci, mf, 1), FACET_OK);
    assert_string_equal(ci.contract, "test.plain");
    facet_manifest_free(mf);
    /* and the module agrees with it */
    assert_int_equal(facet_probe(&rep, path, NULL), FACET_OK);
    {
        const char *problem = "unset";
        assert_non_null(facet_report_manifest(rep, &problem));
        assert_null(problem);
    }
    facet_report_free(rep);

    snprintf(path, sizeof(path), "%s/crash_in_entry" TOOLS_MODULE_SUFFIX, dir);
    assert_int_equal(facet_probe(&rep, path, NULL), FACET_FALSE);
    expect_error(facet_report_write_manifest(rep, NULL), FACET_E_STATE, "crash_in_entry",
                 "crashed in facet_module_entry");
    facet_report_free(rep);
    expect_error(facet_report_write_manifest(NULL, NULL), FACET_E_POINTER, "report");
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* A manifest and a cache file whose names are not ASCII are written and
 * read back by their UTF-8 names: on Windows every path reaches the system
 * as UTF-16 (a narrow call would write some other name, and the read
 * after it would find nothing). Only the library touches these files. */
static void test_tools_probe_cache__non_ascii_paths(void **state)
{
    const char *dir = facet_test_tmpdir();
    char module[4200], manifest[4200], cache_file[4200];
    FacetManifestInfo info = FACET_MANIFEST_INFO_INIT;
    FacetManifest *mf = NULL;
    FacetProbeCache *cache = NULL;
    FacetReport *rep = NULL;
    int probed = -1;
    (void)state;
    snprintf(module, sizeof(module), "%s", runner_module);
    /* "Grüße-日本.facet.json" and "cäche-α.json" */
    snprintf(manifest, sizeof(manifest),
             "%s/Gr\xc3\xbc\xc3\x9f" "e-\xe6\x97\xa5\xe6\x9c\xac.facet.json", dir);
    snprintf(cache_file, sizeof(cache_file), "%s/c\xc3\xa4" "che-\xce\xb1.json", dir);

    assert_int_equal(facet_probe(&rep, module, NULL), FACET_OK);
    assert_int_equal(facet_report_write_manifest(rep, manifest), FACET_OK);
    facet_report_free(rep);
    assert_int_equal(facet_manifest_load(&mf, manifest), FACET_OK);
    assert_int_equal(facet_manifest_info(&info, mf), FACET_OK);
    assert_string_equal(info.name, "test.runner");
    facet_manifest_free(mf);

    assert_int_equal(facet_probe_cache_open(&cache, cache_file), FACET_OK);
    assert_int_equal(facet_probe_cache_count(cache), 0);
    assert_int_equal(facet_probe_cache_get(&rep, &probed, cache, module, NULL), FACET_OK);
    assert_int_equal(probed, 1);
    facet_report_free(rep);
    assert_int_equal(facet_probe_cache_save(cache), FACET_OK);
    facet_probe_cache_free(cache);
    /* Read back from the file just written: the module comes from it. */
    assert_int_equal(facet_probe_cache_open(&cache, cache_file), FACET_OK);
    assert_int_equal(facet_probe_cache_count(cache), 1);
    assert_int_equal(facet_probe_cache_get(&rep, &probed, cache, module, NULL), FACET_OK);
    assert_int_equal(probed, 0);
    facet_report_free(rep);
    facet_probe_cache_free(cache);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* ---- What a plugin folder and a cache file can hold --------------------- */

#ifndef _WIN32
/* A link to itself, and one to nowhere, are passed over: every other
 * module of the folder is still visited. */
static void test_tools_probe_cache__module_files_with_bad_links(void **state)
{
    const char *dir = tools_scan_folder(broken_dir, runner_module);
    char link_path[4200];
    int n = 0;
    (void)state;
    snprintf(link_path, sizeof(link_path), "%s/a" TOOLS_MODULE_SUFFIX, dir);
    assert_int_equal(symlink("a" TOOLS_MODULE_SUFFIX, link_path), 0);
    snprintf(link_path, sizeof(link_path), "%s/zz" TOOLS_MODULE_SUFFIX, dir);
    assert_int_equal(symlink("nowhere" TOOLS_MODULE_SUFFIX, link_path), 0);
    assert_int_equal(facet_module_files(dir, count_file, &n), FACET_OK);
    assert_int_equal(n, 6);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* The cache is written to a file of its own: a link planted at the name
 * of its temporary file, or at its own name, is never written through. */
static void test_tools_probe_cache__save_writes_through_no_link(void **state)
{
    const char *dir = tools_scan_folder(broken_dir, runner_module);
    char cache_file[4200], planted[4300], victim[4300], module_path[4300];
    const char *precious = "precious, not a cache\n";
    FacetProbeCache *cache = NULL;
    FacetReport *rep = NULL;
    size_t size;
    char *data;
    struct stat st;
    (void)state;
    snprintf(cache_file, sizeof(cache_file), "%s/probe.json", dir);
    snprintf(victim, sizeof(victim), "%s/victim.txt", dir);
    snprintf(module_path, sizeof(module_path), "%s/good_widget" TOOLS_MODULE_SUFFIX, dir);
    facet_test_write_file(victim, precious, strlen(precious));
    snprintf(planted, sizeof(planted), "%s.new", cache_file);
    assert_int_equal(symlink(victim, planted), 0);

    assert_int_equal(facet_probe_cache_open(&cache, cache_file), FACET_OK);
    assert_int_equal(facet_probe_cache_get(&rep, NULL, cache, module_path, NULL), FACET_OK);
    facet_report_free(rep);
    assert_int_equal(facet_probe_cache_save(cache), FACET_OK);
    data = facet_test_read_file(victim, &size);
    assert_int_equal(size, strlen(precious));
    assert_memory_equal(data, precious, size);
    free(data);
    assert_int_equal(lstat(cache_file, &st), 0);
    assert_true(S_ISREG(st.st_mode));

    /* A link at the cache's own name is replaced, not followed. */
    remove(cache_file);
    assert_int_equal(symlink(victim, cache_file), 0);
    assert_int_equal(facet_probe_cache_save(cache), FACET_OK);
    data = facet_test_read_file(victim, &size);
    assert_memory_equal(data, precious, strlen(precious));
    free(data);
    assert_int_equal(lstat(cache_file, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    facet_probe_cache_free(cache);

    /* and what was written reads back */
    assert_int_equal(facet_probe_cache_open(&cache, cache_file), FACET_OK);
    assert_int_equal(facet_probe_cache_count(cache), 1);
    facet_probe_cache_free(cache);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* A cache file far larger than any cache (300 MB) starts afresh, as a
 * damaged one does, and the next save replaces it. */
static void test_tools_probe_cache__huge_cache_starts_afresh(void **state)
{
    const char *dir = tools_scan_folder(broken_dir, runner_module);
    char cache_file[4200];
    FacetProbeCache *cache = NULL;
    struct stat st;
    int fd;
    (void)state;
    snprintf(cache_file, sizeof(cache_file), "%s/probe.json", dir);
    fd = open(cache_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)300 * 1024 * 1024), 0); /* sparse */
    close(fd);
    assert_int_equal(facet_probe_cache_open(&cache, cache_file), FACET_OK);
    assert_int_equal(facet_probe_cache_count(cache), 0);
    assert_int_equal(facet_probe_cache_save(cache), FACET_OK);
    facet_probe_cache_free(cache);
    assert_int_equal(stat(cache_file, &st), 0);
    assert_true(st.st_size < 4096);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* A module that floods its output is quarantined like any other failure:
 * cached, saved, and not run again until it changes. */
static void test_tools_probe_cache__flood_is_quarantined(void **state)
{
    const char *dir = facet_test_tmpdir();
    char cache_file[4200], src[4200], module_path[4200];
    FacetCheckOptions opts = FACET_CHECK_OPTIONS_INIT;
    FacetProbeCacheEntry e = FACET_PROBE_CACHE_ENTRY_INIT;
    FacetProbeCache *cache = NULL;
    FacetReport *rep = NULL;
    int probed = -1;
    (void)state;
    snprintf(cache_file, sizeof(cache_file), "%s/probe.json", dir);
    snprintf(src, sizeof(src), "%s/hostile_flood" TOOLS_MODULE_SUFFIX, hostile_dir);
    tools_copy(src, dir, "flood" TOOLS_MODULE_SUFFIX);
    snprintf(module_path, sizeof(module_path), "%s/flood" TOOLS_MODULE_SUFFIX, dir);
    opts.timeout_ms = 20000;
    assert_int_equal(facet_probe_cache_open(&cache, cache_file), FACET_OK);
    assert_int_equal(facet_probe_cache_get(&rep, &probed, cache, module_path, &opts),
                     FACET_FALSE);
    assert_int_equal(probed, 1);
    assert_int_equal(facet_report_outcome(rep), FACET_OUTCOME_FLOODED);
    facet_report_free(rep);
    assert_int_equal(facet_probe_cache_save(cache), FACET_OK);
    facet_probe_cache_free(cache);

    /* Not probed again: a helper that does not exist is never asked. */
    opts.helper = "/nonexistent/facet-probe";
    assert_int_equal(facet_probe_cache_open(&cache, cache_file), FACET_OK);
    assert_int_equal(facet_probe_cache_get(&rep, &probed, cache, module_path, &opts),
                     FACET_FALSE);
    assert_int_equal(probed, 0);
    assert_int_equal(facet_report_outcome(rep), FACET_OUTCOME_FLOODED);
    assert_non_null(strstr(facet_report_stdout(rep), "bytes left out"));
    facet_report_free(rep);
    assert_int_equal(facet_probe_cache_entry(&e, cache, 0), FACET_OK);
    assert_int_equal(e.quarantined, 1);
    assert_non_null(strstr(e.reason, "16 MiB"));
    facet_probe_cache_free(cache);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* A module under a file name that is not UTF-8 (Latin-1) is cached and
 * quarantined like the rest: the cache saves, and reads back the same
 * path, byte for byte. */
static void test_tools_probe_cache__latin1_file_name(void **state)
{
    const char *dir = tools_scan_folder(broken_dir, runner_module);
    char cache_file[4200], src[4200], module_path[4200];
    FacetCheckOptions opts = FACET_CHECK_OPTIONS_INIT;
    FacetProbeCacheEntry e = FACET_PROBE_CACHE_ENTRY_INIT;
    FacetProbeCache *cache = NULL;
    FacetReport *rep = NULL;
    uint32_t i;
    int probed = -1, found = 0;
    (void)state;
    snprintf(cache_file, sizeof(cache_file), "%s/probe.json", dir);
    snprintf(src, sizeof(src), "%s/not_a_library" TOOLS_MODULE_SUFFIX, broken_dir);
    tools_copy(src, dir, "caf\xe9" TOOLS_MODULE_SUFFIX);
    snprintf(src, sizeof(src), "%s/good_widget" TOOLS_MODULE_SUFFIX, broken_dir);
    tools_copy(src, dir, "\xe9t\xe9" TOOLS_MODULE_SUFFIX);
    snprintf(module_path, sizeof(module_path), "%s/caf\xe9" TOOLS_MODULE_SUFFIX, dir);
    assert_int_equal(facet_probe_cache_open(&cache, cache_file), FACET_OK);
    assert_int_equal(facet_probe_cache_get(&rep, &probed, cache, module_path, &opts),
                     FACET_FALSE);
    assert_int_equal(facet_report_outcome(rep), FACET_OUTCOME_LOADFAILED);
    facet_report_free(rep);
    snprintf(module_path, sizeof(module_path), "%s/\xe9t\xe9" TOOLS_MODULE_SUFFIX, dir);
    assert_int_equal(facet_probe_cache_get(&rep, &probed, cache, module_path, &opts), FACET_OK);
    facet_report_free(rep);
    assert_int_equal(facet_probe_cache_save(cache), FACET_OK);
    facet_probe_cache_free(cache);

    opts.helper = "/nonexistent/facet-probe";
    assert_int_equal(facet_probe_cache_open(&cache, cache_file), FACET_OK);
    assert_int_equal(facet_probe_cache_count(cache), 2);
    for (i = 0; i < 2; i++) {
        assert_int_equal(facet_probe_cache_entry(&e, cache, i), FACET_OK);
        if (strstr(e.path, "/caf\xe9" TOOLS_MODULE_SUFFIX) != NULL) {
            found++;
            assert_int_equal(e.quarantined, 1);
        }
    }
    assert_int_equal(found, 1);
    assert_int_equal(facet_probe_cache_get(&rep, &probed, cache, module_path, &opts), FACET_OK);
    assert_int_equal(probed, 0);
    facet_report_free(rep);
    facet_probe_cache_free(cache);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}
#endif

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tools_probe_cache__scan_quarantine_rescan_touch),
        cmocka_unit_test(test_tools_probe_cache__content_hash),
        cmocka_unit_test(test_tools_probe_cache__forget_and_damaged_file),
        cmocka_unit_test(test_tools_probe_cache__bad_arguments),
        cmocka_unit_test(test_tools_probe_cache__module_files),
        cmocka_unit_test(test_tools_probe_cache__out_of_memory),
        cmocka_unit_test(test_tools_probe_cache__spawn_failure),
        cmocka_unit_test(test_tools_probe_cache__write_manifest),
        cmocka_unit_test(test_tools_probe_cache__non_ascii_paths),
#ifndef _WIN32
        cmocka_unit_test(test_tools_probe_cache__module_files_with_bad_links),
        cmocka_unit_test(test_tools_probe_cache__save_writes_through_no_link),
        cmocka_unit_test(test_tools_probe_cache__huge_cache_starts_afresh),
        cmocka_unit_test(test_tools_probe_cache__flood_is_quarantined),
        cmocka_unit_test(test_tools_probe_cache__latin1_file_name),
#endif
    };
    if (argc < 3) {
        fprintf(stderr, "usage: %s BROKEN_DIR RUNNER_MODULE [HOSTILE_DIR]\n", argv[0]);
        return 2;
    }
    broken_dir = argv[1];
    runner_module = argv[2];
    hostile_dir = argc > 3 ? argv[3] : "";
    return cmocka_run_group_tests(tests, NULL, NULL);
}
