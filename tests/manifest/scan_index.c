/*
 * tests/manifest/scan_index.c - the scan index: a new runtime scanning a
 * folder parses only the manifests that changed since the index was
 * written (touched, replaced, added, renamed; a removed one is forgotten;
 * one changed in the tick the index was written is never trusted);
 * an index that is corrupt, of another format, another folder's or cannot
 * be written is ignored and written anew, and never fails a scan; where the
 * index lives (option, configuration, the user's cache folder, never the
 * plugin folder); two processes scanning at once never read a half-written
 * index.
 */
#define _DEFAULT_SOURCE 1
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#ifdef _WIN32
#include <sys/utime.h>
#else
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "plugtest.h"

/* Runs on many processes' output: each process starts clean. */
typedef struct Scan {
    FacetResult result;
    uint32_t problems, modules;
    FacetScanStats stats;
    char version[64];           /* the first module's */
    char manifests[8192];       /* every module's manifest, one a line */
} Scan;

/* A new runtime with its index in index_dir (NULL: the default, "": none)
 * scans dir. */
static Scan scan_new(const char *dir, const char *index_dir)
{
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntime *rt;
    FacetScanReport *rep = NULL;
    FacetScanModule m = FACET_SCAN_MODULE_INIT;
    uint32_t i;
    Scan s;
    memset(&s, 0, sizeof(s));
    s.stats.struct_size = sizeof(s.stats);
    opts.scan_index = index_dir;
    assert_int_equal(facet_runtime_new(&rt, &opts), FACET_OK);
    s.result = facet_scan(&rep, rt, dir);
    assert_non_null(rep);
    s.problems = facet_scan_report_problem_count(rep);
    s.modules = facet_scan_report_module_count(rep);
    assert_int_equal(facet_scan_report_stats(&s.stats, rep), FACET_OK);
    for (i = 0; i < s.modules; i++) {
        size_t used = strlen(s.manifests);
        assert_int_equal(facet_scan_report_module(&m, rep, i), FACET_OK);
        if (i == 0)
            snprintf(s.version, sizeof(s.version), "%s", m.version);
        snprintf(s.manifests + used, sizeof(s.manifests) - used, "%s\n", m.manifest);
    }
    facet_scan_report_free(rep);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    return s;
}

static void expect_scan(const Scan *s, uint32_t modules, uint32_t parsed, uint32_t indexed,
                        uint32_t written)
{
    if (s->result != FACET_OK || s->modules != modules || s->stats.parsed != parsed ||
        s->stats.indexed != indexed || s->stats.index_written != written)
        fail_msg("scan: result %d, %u modules (want %u), parsed %u (want %u), indexed %u "
                 "(want %u), written %u (want %u), ignored %u, failed %u",
                 (int)s->result, s->modules, modules, s->stats.parsed, parsed, s->stats.indexed,
                 indexed, s->stats.index_written, written, s->stats.index_ignored,
                 s->stats.index_failed);
    assert_int_equal(s->problems, 0);
}

static void join(char *out, size_t size, const char *dir, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

/* Sets a file's modification time, to the nanosecond, in the past: files
 * written just now would be "racily clean" (changed in the tick the index
 * was written), which the index never trusts. */
static void set_mtime(const char *dir, const char *name, long long sec, long nsec)
{
    char path[8448];
#ifndef _WIN32
    struct timespec ts[2];
    ts[0].tv_sec = ts[1].tv_sec = (time_t)sec;
    ts[0].tv_nsec = ts[1].tv_nsec = nsec;
    join(path, sizeof(path), dir, name);
    assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
#else
    struct _utimbuf t;
    (void)nsec; /* _utime sets whole seconds */
    t.actime = t.modtime = (time_t)sec;
    join(path, sizeof(path), dir, name);
    assert_int_equal(_utime(path, &t), 0);
#endif
}

/* The one index file in index_dir, into out. */
static void index_file(char *out, size_t size, const char *index_dir)
{
    DIR *d = opendir(index_dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 6 && strcmp(e->d_name + len - 6, ".index") == 0) {
            join(out, size, index_dir, e->d_name);
            n++;
        }
    }
    closedir(d);
    assert_int_equal(n, 1);
}

/* A plugin folder with two modules, written in the past, and the folder
 * for its index; both in base. */
static void setup(char *dir, char *index_dir, const char *base)
{
    plug_subfolder(dir, 4200, base, "plugins");
    join(index_dir, 4200, base, "index");
    plug_install(dir, "plug_a", "test.a", 1, NULL, NULL);
    plug_install(dir, "plug_b", "test.b", 2, "{\"test.a\": \"^1.0\"}", NULL);
    set_mtime(dir, "plug_a.facet.json", 1600000000, 1);
    set_mtime(dir, "plug_b.facet.json", 1600000000, 2);
}

/* The first runtime parses and writes the index; the next parses nothing,
 * and its modules work; without an index, every runtime parses. */
static void test_scan_index__second_runtime_parses_nothing(void **state)
{
    char base[4096], dir[4200], ix[4200];
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntime *rt;
    void *obj = NULL;
    Scan s;
    (void)state;
    snprintf(base, sizeof(base), "%s", plug_folder());
    setup(dir, ix, base);
    s = scan_new(dir, ix);
    expect_scan(&s, 2, 2, 0, 1);
    s = scan_new(dir, ix);
    expect_scan(&s, 2, 0, 2, 0);
    s = scan_new(dir, ix);
    expect_scan(&s, 2, 0, 2, 0);
    /* Modules from the index are the modules: they load and create. */
    opts.scan_index = ix;
    assert_int_equal(facet_runtime_new(&rt, &opts), FACET_OK);
    assert_int_equal(facet_scan(NULL, rt, dir), FACET_OK);
    assert_int_equal(facet_create_instance_by_name(&obj, rt, "test.b.thing", NULL, &IID_ITestProbe),
                     FACET_OK);
    ITestProbe_Release((ITestProbe *)obj);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    /* No index: parsed every time, nothing written. */
    s = scan_new(dir, "");
    expect_scan(&s, 2, 2, 0, 0);
    s = scan_new(dir, "");
    expect_scan(&s, 2, 2, 0, 0);
    facet_test_remove_tree(base);
    assert_no_leaks();
}

/* A touched manifest (its time moved by one nanosecond) is parsed again,
 * once; the other comes from the index. */
static void test_scan_index__touched_is_parsed_again(void **state)
{
    char base[4096], dir[4200], ix[4200];
    Scan s;
    (void)state;
    snprintf(base, sizeof(base), "%s", plug_folder());
    setup(dir, ix, base);
    expect_scan((s = scan_new(dir, ix), &s), 2, 2, 0, 1);
    expect_scan((s = scan_new(dir, ix), &s), 2, 0, 2, 0);
#ifndef _WIN32
    set_mtime(dir, "plug_a.facet.json", 1600000000, 3);
#else
    set_mtime(dir, "plug_a.facet.json", 1600000001, 0);
#endif
    expect_scan((s = scan_new(dir, ix), &s), 2, 1, 1, 1);
    expect_scan((s = scan_new(dir, ix), &s), 2, 0, 2, 0);
    /* Changed in size, time kept: parsed again. */
    plug_manifest(dir, "plug_a.facet.json", "test.a", "1.0.10", 1, "plug_a" PLUG_SUFFIX, NULL,
                  NULL);
    set_mtime(dir, "plug_a.facet.json", 1600000000, 1);
    s = scan_new(dir, ix);
    expect_scan(&s, 2, 1, 1, 1);
    assert_string_equal(s.version, "1.0.10");
    facet_test_remove_tree(base);
    assert_no_leaks();
}

/* A manifest whose time is not before the index's own (changed in the tick
 * the index was written, here: in the future) is never taken from it: a
 * second change in that tick could not be told. Once its time is in the
 * past, it is. */
static void test_scan_index__racily_clean_is_parsed(void **state)
{
    char base[4096], dir[4200], ix[4200];
    Scan s;
    (void)state;
    snprintf(base, sizeof(base), "%s", plug_folder());
    setup(dir, ix, base);
    set_mtime(dir, "plug_a.facet.json", (long long)time(NULL) + 3600, 0);
    expect_scan((s = scan_new(dir, ix), &s), 2, 2, 0, 1);
    expect_scan((s = scan_new(dir, ix), &s), 2, 1, 1, 1);
    expect_scan((s = scan_new(dir, ix), &s), 2, 1, 1, 1);
    set_mtime(dir, "plug_a.facet.json", 1600000000, 1);
    expect_scan((s = scan_new(dir, ix), &s), 2, 1, 1, 1);
    expect_scan((s = scan_new(dir, ix), &s), 2, 0, 2, 0);
    facet_test_remove_tree(base);
    assert_no_leaks();
}

/* Another file renamed over a manifest, with the same size and the same
 * time: only its inode tells, and it is parsed. */
static void test_scan_index__replaced_by_rename_is_parsed(void **state)
{
    char base[4096], dir[4200], ix[4200], from[8448], to[8448];
    Scan s;
    (void)state;
    snprintf(base, sizeof(base), "%s", plug_folder());
    plug_subfolder(dir, sizeof(dir), base, "plugins");
    join(ix, sizeof(ix), base, "index");
    plug_copy(dir, "plug_a", "plug_a" PLUG_SUFFIX);
    plug_manifest(dir, "a.facet.json", "test.a", "1.0.1", 1, "plug_a" PLUG_SUFFIX, NULL, NULL);
    plug_manifest(dir, "a.next", "test.a", "1.0.2", 1, "plug_a" PLUG_SUFFIX, NULL, NULL);
    set_mtime(dir, "a.facet.json", 1600000000, 5);
    set_mtime(dir, "a.next", 1600000000, 5);
    s = scan_new(dir, ix);
    expect_scan(&s, 1, 1, 0, 1);
    assert_string_equal(s.version, "1.0.1");
    s = scan_new(dir, ix);
    expect_scan(&s, 1, 0, 1, 0);
    assert_string_equal(s.version, "1.0.1");
    join(from, sizeof(from), dir, "a.next");
    join(to, sizeof(to), dir, "a.facet.json");
#ifdef _WIN32
    assert_int_equal(remove(to), 0);
#endif
    assert_int_equal(rename(from, to), 0);
    s = scan_new(dir, ix);
    expect_scan(&s, 1, 1, 0, 1);
    assert_string_equal(s.version, "1.0.2");
    facet_test_remove_tree(base);
    assert_no_leaks();
}

/* Added, removed and renamed manifests are seen by the next runtime, and
 * the index follows: it never keeps a file that is gone. */
static void test_scan_index__added_removed_renamed(void **state)
{
    char base[4096], dir[4200], ix[4200], from[8448], to[8448];
    Scan s;
    (void)state;
    snprintf(base, sizeof(base), "%s", plug_folder());
    setup(dir, ix, base);
    expect_scan((s = scan_new(dir, ix), &s), 2, 2, 0, 1);
    /* added */
    plug_install(dir, "plug_c", "test.c", 3, NULL, NULL);
    set_mtime(dir, "plug_c.facet.json", 1600000000, 7);
    expect_scan((s = scan_new(dir, ix), &s), 3, 1, 2, 1);
    expect_scan((s = scan_new(dir, ix), &s), 3, 0, 3, 0);
    /* removed: nothing parsed, the index written without it */
    join(to, sizeof(to), dir, "plug_c.facet.json");
    assert_int_equal(remove(to), 0);
    expect_scan((s = scan_new(dir, ix), &s), 2, 0, 2, 1);
    expect_scan((s = scan_new(dir, ix), &s), 2, 0, 2, 0);
    /* renamed: the new name is parsed, the old one forgotten */
    join(from, sizeof(from), dir, "plug_a.facet.json");
    join(to, sizeof(to), dir, "zz.facet.json");
    assert_int_equal(rename(from, to), 0);
    s = scan_new(dir, ix);
    expect_scan(&s, 2, 1, 1, 1);
    expect_scan((s = scan_new(dir, ix), &s), 2, 0, 2, 0);
    assert_non_null(strstr(s.manifests, "/zz.facet.json\n"));
    assert_null(strstr(s.manifests, "/plug_a.facet.json\n"));
    facet_test_remove_tree(base);
    assert_no_leaks();
}

/* Replaces byte at of the index file with value (-1: cut the file there). */
static void damage(const char *file, long at, int value)
{
    size_t size;
    unsigned char *data = facet_test_read_file(file, &size);
    if (at < 0)
        at += (long)size;
    assert_true(at >= 0 && (size_t)at < size);
    if (value < 0) {
        size = (size_t)at;
    } else {
        assert_int_not_equal(data[at], (unsigned char)value);
        data[at] = (unsigned char)value;
    }
    facet_test_write_file(file, data, size);
    free(data);
}

/* A damaged index: ignored, the scan as good as without, and written
 * anew, which the next runtime uses. */
static void test_scan_index__corrupt_is_ignored_and_rewritten(void **state)
{
    static const struct {
        long at;
        int value;
    } damages[] = {
        {-40, 'x'},  /* in the last entry: the checksum tells */
        {200, 0x7F}, /* early on */
        {-1, -1},    /* the last byte gone */
        {30, -1},    /* cut in the header */
        {0, 'G'},    /* not an index at all */
        {0, -1},     /* empty */
        {8, 99},     /* another format: version 99 */
    };
    char base[4096], dir[4200], ix[4200], file[8448];
    size_t i;
    Scan s;
    (void)state;
    snprintf(base, sizeof(base), "%s", plug_folder());
    setup(dir, ix, base);
    expect_scan((s = scan_new(dir, ix), &s), 2, 2, 0, 1);
    index_file(file, sizeof(file), ix);
    for (i = 0; i < sizeof(damages) / sizeof(damages[0]); i++) {
        print_message("damage %u\n", (unsigned)i);
        /* positive control: the index is used before each damage */
        expect_scan((s = scan_new(dir, ix), &s), 2, 0, 2, 0);
        assert_int_equal(s.stats.index_ignored, 0);
        damage(file, damages[i].at, damages[i].value);
        s = scan_new(dir, ix);
        expect_scan(&s, 2, 2, 0, 1);
        assert_int_equal(s.stats.index_ignored, 1);
    }
    expect_scan((s = scan_new(dir, ix), &s), 2, 0, 2, 0);
    facet_test_remove_tree(base);
    assert_no_leaks();
}

/* The index of one folder copied over another's: it names its folder, and
 * is not used for the other. */
static void test_scan_index__other_folders_index_is_ignored(void **state)
{
    char base[4096], dir[4200], ix[4200], dir2[4200], file[8448], file2[8448];
    size_t size;
    void *data;
    Scan s;
    (void)state;
    snprintf(base, sizeof(base), "%s", plug_folder());
    setup(dir, ix, base);
    plug_subfolder(dir2, sizeof(dir2), base, "other");
    plug_install(dir2, "plug_c", "test.c", 3, NULL, NULL);
    set_mtime(dir2, "plug_c.facet.json", 1600000000, 1);
    expect_scan((s = scan_new(dir, ix), &s), 2, 2, 0, 1);
    index_file(file, sizeof(file), ix);
    data = facet_test_read_file(file, &size);
    assert_int_equal(remove(file), 0);
    expect_scan((s = scan_new(dir2, ix), &s), 1, 1, 0, 1);
    index_file(file2, sizeof(file2), ix);
    facet_test_write_file(file2, data, size);
    free(data);
    s = scan_new(dir2, ix);
    expect_scan(&s, 1, 1, 0, 1);
    assert_int_equal(s.stats.index_ignored, 1);
    assert_string_equal(s.version, "1.0.0");
    assert_non_null(strstr(s.manifests, "/plug_c.facet.json\n"));
    facet_test_remove_tree(base);
    assert_no_leaks();
}

/* An index that cannot be written (its folder is under a file): the scan
 * is as good as without one, and says so; the same folder with a writable
 * index writes it. */
static void test_scan_index__unwritable_never_fails_a_scan(void **state)
{
    char base[4096], dir[4200], ix[4200], blocked[8448];
    Scan s;
    (void)state;
    snprintf(base, sizeof(base), "%s", plug_folder());
    setup(dir, ix, base);
    plug_write(base, "a-file", "not a folder");
    join(blocked, sizeof(blocked), base, "a-file/index");
    s = scan_new(dir, blocked);
    expect_scan(&s, 2, 2, 0, 0);
    assert_int_equal(s.stats.index_failed, 1);
    s = scan_new(dir, blocked);
    expect_scan(&s, 2, 2, 0, 0);
    assert_int_equal(s.stats.index_failed, 1);
    /* control */
    s = scan_new(dir, ix);
    expect_scan(&s, 2, 2, 0, 1);
    assert_int_equal(s.stats.index_failed, 0);
    facet_test_remove_tree(base);
    assert_no_leaks();
}

/* A read-only index folder: an index in it is used; none can be written,
 * and the scan does not fail. Root writes anyway: skipped then. */
static void test_scan_index__read_only_folder(void **state)
{
#ifdef _WIN32
    (void)state;
    skip(); /* folder permissions are ACLs there; the unwritable case covers it */
#else
    char base[4096], dir[4200], ix[4200], file[8448];
    Scan s;
    (void)state;
    snprintf(base, sizeof(base), "%s", plug_folder());
    setup(dir, ix, base);
    expect_scan((s = scan_new(dir, ix), &s), 2, 2, 0, 1);
    assert_int_equal(chmod(ix, 0555), 0);
    if (access(ix, W_OK) == 0) {
        assert_int_equal(chmod(ix, 0700), 0);
        facet_test_remove_tree(base);
        print_message("SKIPPED: a read-only folder is writable for this user (root)\n");
        skip();
    }
    /* readable: used */
    expect_scan((s = scan_new(dir, ix), &s), 2, 0, 2, 0);
    /* a change needs a new index, which cannot be written */
    set_mtime(dir, "plug_a.facet.json", 1600000000, 9);
    s = scan_new(dir, ix);
    expect_scan(&s, 2, 1, 1, 0);
    assert_int_equal(s.stats.index_failed, 1);
    index_file(file, sizeof(file), ix);
    assert_int_equal(chmod(ix, 0700), 0);
    expect_scan((s = scan_new(dir, ix), &s), 2, 1, 1, 1);
    facet_test_remove_tree(base);
    assert_no_leaks();
#endif
}

/* Where the index goes: the configuration's "scan_index" (relative to the
 * file), false for none; the option before the configuration; by default
 * the user's cache folder, never the plugin folder. */
static void test_scan_index__location(void **state)
{
    char base[4096], dir[4200], ix[4200], conf[8448], text[8448], file[8448], cache[4200];
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntime *rt;
    FacetScanReport *rep;
    FacetScanStats st = FACET_SCAN_STATS_INIT;
    struct stat sb;
    (void)state;
    snprintf(base, sizeof(base), "%s", plug_folder());
    setup(dir, ix, base);
    join(conf, sizeof(conf), base, "facet.conf.json");

    snprintf(text, sizeof(text), "{\"plugin_folders\": [\"plugins\"], \"scan_index\": \"conf-index\"}");
    facet_test_write_file(conf, text, strlen(text));
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_runtime_load_config(&rep, rt, conf), FACET_OK);
    assert_int_equal(facet_scan_report_stats(&st, rep), FACET_OK);
    assert_int_equal(st.index_written, 1);
    facet_scan_report_free(rep);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    join(file, sizeof(file), base, "conf-index");
    index_file(file, sizeof(file), file);

    /* the option wins over the configuration */
    opts.scan_index = ix;
    assert_int_equal(facet_runtime_new(&rt, &opts), FACET_OK);
    assert_int_equal(facet_runtime_load_config(&rep, rt, conf), FACET_OK);
    assert_int_equal(facet_scan_report_stats(&st, rep), FACET_OK);
    assert_int_equal(st.index_written, 1);
    assert_int_equal(st.parsed, 2);
    facet_scan_report_free(rep);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    index_file(file, sizeof(file), ix);

    /* false: none */
    snprintf(text, sizeof(text), "{\"plugin_folders\": [\"plugins\"], \"scan_index\": false}");
    facet_test_write_file(conf, text, strlen(text));
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_runtime_load_config(&rep, rt, conf), FACET_OK);
    assert_int_equal(facet_scan_report_stats(&st, rep), FACET_OK);
    assert_int_equal(st.index_written, 0);
    assert_int_equal(st.parsed, 2);
    facet_scan_report_free(rep);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);

    /* a bad value names the field */
    snprintf(text, sizeof(text), "{\"plugin_folders\": [\"plugins\"], \"scan_index\": 3}");
    facet_test_write_file(conf, text, strlen(text));
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    expect_error(facet_runtime_load_config(NULL, rt, conf), FACET_E_BADCONFIG, "$.scan_index",
                 "facet.conf.json");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);

    /* the default: the user's cache folder */
#ifndef _WIN32
    join(cache, sizeof(cache), base, "cache");
    assert_int_equal(setenv("XDG_CACHE_HOME", cache, 1), 0);
    {
        Scan s = scan_new(dir, NULL);
        expect_scan(&s, 2, 2, 0, 1);
    }
    snprintf(file, sizeof(file), "%s/facet/scan-index", cache);
    assert_int_equal(stat(file, &sb), 0);
    index_file(file, sizeof(file), file);
    {
        /* never in the plugin folder: only what was installed is there */
        DIR *d = opendir(dir);
        struct dirent *e;
        assert_non_null(d);
        while ((e = readdir(d)) != NULL)
            assert_true(e->d_name[0] == '.' || strncmp(e->d_name, "plug_", 5) == 0);
        closedir(d);
    }
    unsetenv("XDG_CACHE_HOME");
#else
    (void)cache;
    (void)sb;
#endif
    facet_test_remove_tree(base);
    assert_no_leaks();
}

/* Two processes scanning one folder at once, each touching a manifest so
 * that the index is written again and again: neither ever reads an index
 * that is not whole, and every scan finds every module. */
static void test_scan_index__two_processes_at_once(void **state)
{
#ifdef _WIN32
    (void)state;
    skip(); /* fork: POSIX; the write is a MoveFileEx replace on Windows */
#else
    char base[4096], dir[4200], ix[4200];
    pid_t kids[2];
    int i, n;
    Scan s;
    (void)state;
    snprintf(base, sizeof(base), "%s", plug_folder());
    plug_subfolder(dir, sizeof(dir), base, "plugins");
    join(ix, sizeof(ix), base, "index");
    /* enough manifests that writing the index takes a while */
    for (n = 0; n < 250; n++) {
        char file[64], name[64];
        snprintf(file, sizeof(file), "m%03d.facet.json", n);
        snprintf(name, sizeof(name), "test.m%03d", n);
        plug_manifest(dir, file, name, "1.0.0", n, "none" PLUG_SUFFIX, NULL, NULL);
        set_mtime(dir, file, 1600000000, n);
    }
    for (i = 0; i < 2; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0) {
            int round, bad = 0, used = 0, written = 0;
            for (round = 0; round < 40 && !bad; round++) {
                char file[64];
                FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
                FacetRuntime *rt;
                FacetScanReport *rep = NULL;
                FacetScanStats st = FACET_SCAN_STATS_INIT;
                opts.scan_index = ix;
                snprintf(file, sizeof(file), "m%03d.facet.json", (round * 7 + i * 3) % 250);
                set_mtime(dir, file, 1600000000, 1000 + round * 2 + i);
                if (facet_runtime_new(&rt, &opts) != FACET_OK)
                    _exit(3);
                if (facet_scan(&rep, rt, dir) != FACET_OK ||
                    facet_scan_report_module_count(rep) != 250 ||
                    facet_scan_report_stats(&st, rep) != FACET_OK)
                    bad = 1;
                if (st.index_ignored != 0 || st.index_failed != 0) {
                    fprintf(stderr, "process %d round %d: index ignored %u, failed %u\n", i,
                            round, st.index_ignored, st.index_failed);
                    bad = 1;
                }
                used += st.indexed > 0;
                written += st.index_written;
                facet_scan_report_free(rep);
                facet_runtime_free(rt);
            }
            /* the index was used and written, or the run proves nothing */
            _exit(bad ? 1 : used == 0 || written == 0 ? 2 : 0);
        }
    }
    for (i = 0; i < 2; i++) {
        int status = 0;
        assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    /* the index left behind is whole */
    s = scan_new(dir, ix);
    expect_scan(&s, 250, 0, 250, 0);
    facet_test_remove_tree(base);
    assert_no_leaks();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_index__second_runtime_parses_nothing),
        cmocka_unit_test(test_scan_index__touched_is_parsed_again),
        cmocka_unit_test(test_scan_index__racily_clean_is_parsed),
        cmocka_unit_test(test_scan_index__replaced_by_rename_is_parsed),
        cmocka_unit_test(test_scan_index__added_removed_renamed),
        cmocka_unit_test(test_scan_index__corrupt_is_ignored_and_rewritten),
        cmocka_unit_test(test_scan_index__other_folders_index_is_ignored),
        cmocka_unit_test(test_scan_index__unwritable_never_fails_a_scan),
        cmocka_unit_test(test_scan_index__read_only_folder),
        cmocka_unit_test(test_scan_index__location),
        cmocka_unit_test(test_scan_index__two_processes_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
