/*
 * tests/isolation/policy.c - the sandbox policy a process-isolated module
 * gets (core/remote/sandbox.c): what its manifest requests and the host's
 * configuration grants, each relative path resolved against the folder
 * of the file that wrote it, every path as the system resolves it (a link
 * under a granted folder that leads out is outside it), the files the
 * child reads to load the module, the limits, and a log line for each
 * right requested and not granted.
 */
#define _XOPEN_SOURCE 700 /* realpath, symlink */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugtest.h"

#include "remote/sandbox.h"

typedef struct Log {
    char lines[16][1024];
    int count;
} Log;

static void on_log(uint32_t level, const char *module, const char *message, void *payload)
{
    Log *log = payload;
    (void)module;
    if (level >= FACET_LOG_WARN && log->count < 16)
        snprintf(log->lines[log->count++], sizeof(log->lines[0]), "%s", message);
}

static int logged(const Log *log, const char *a, const char *b)
{
    int i;
    for (i = 0; i < log->count; i++)
        if (strstr(log->lines[i], a) != NULL && (b == NULL || strstr(log->lines[i], b) != NULL))
            return 1;
    return 0;
}

static int has(char **list, size_t count, const char *s)
{
    size_t i;
    for (i = 0; i < count; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

static void test_isolation_policy__requested_and_granted(void **state)
{
    char base[4096], real[4096], plugin[4200], etc[4200], path[4400], want[4400];
    char data[4200], data2[4200], out[4200], secret[4200];
    FacetRuntimeOptions options = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntime *rt = NULL;
    FacetManifest *mf = NULL;
    FacetSandboxPolicy *p = NULL;
    Log log;
    (void)state;

    memset(&log, 0, sizeof(log));
    snprintf(base, sizeof(base), "%s", plug_folder());
    assert_non_null(realpath(base, real));
    plug_subfolder(plugin, sizeof(plugin), base, "plugin");
    plug_subfolder(etc, sizeof(etc), base, "etc");
    plug_subfolder(data, sizeof(data), base, "data");
    plug_subfolder(data2, sizeof(data2), base, "data2");
    plug_subfolder(out, sizeof(out), base, "out");
    plug_subfolder(secret, sizeof(secret), base, "secret");
    /* a link under the granted folder that leads out of it */
    snprintf(path, sizeof(path), "%s/escape", data);
    assert_int_equal(symlink(secret, path), 0);
    plug_write(plugin, "m.so", "not a library; the policy does not load it");
    /* Relative paths: against plugin/ in the manifest, etc/ in the
     * configuration. */
    plug_write(plugin, "m.facet.json",
               "{\"name\": \"test.m\", \"version\": \"1.0.0\", \"library\": \"m.so\",\n"
               " \"classes\": [],\n"
               " \"permissions\": [\"secrets\", \"fs.read:../data/in\", \"fs.read:../data2\",\n"
               "   \"fs.write:../out/new\", \"fs.read:../data/escape\", \"fs.write:../data/w\",\n"
               "   \"net.connect:127.0.0.1:8080\", \"net.connect:localhost:9090\",\n"
               "   \"net.connect:127.0.0.1:8081\"]}");
    plug_write(etc, "facet.conf.json",
               "{\"modules\": {\"test.m\": {\n"
               "   \"permissions\": [\"secrets\", \"fs.read:../data\", \"fs.write:../out\",\n"
               "     \"net.connect:127.0.0.1:8080\", \"net.connect:127.0.0.1:9090\",\n"
               "     \"fs.read:../never-asked\"],\n"
               "   \"limits\": {\"memory_mb\": 256, \"open_files\": 64, \"cpu_seconds\": 10}}}}");
    options.log = on_log;
    options.log_payload = &log;
    assert_int_equal(facet_runtime_new(&rt, &options), FACET_OK);
    snprintf(path, sizeof(path), "%s/facet.conf.json", etc);
    assert_int_equal(facet_runtime_load_config(NULL, rt, path), FACET_OK);
    snprintf(path, sizeof(path), "%s/m.facet.json", plugin);
    assert_int_equal(facet_manifest_load(&mf, path), FACET_OK);

    assert_int_equal(facet__sandbox_policy(rt, "test.m", mf, NULL, &p), FACET_OK);
    assert_non_null(p);
    assert_string_equal(p->module, "test.m");
    snprintf(want, sizeof(want), "%s/plugin/m.so", real);
    assert_string_equal(p->library, want);
    snprintf(want, sizeof(want), "%s/plugin/m.facet.json", real);
    assert_true(has(p->files, p->file_count, want));

    /* granted: data/in (under data), out/new (write, so read too) */
    snprintf(want, sizeof(want), "%s/data/in", real);
    assert_true(has(p->read, p->read_count, want));
    assert_false(has(p->write, p->write_count, want));
    snprintf(want, sizeof(want), "%s/out/new", real);
    assert_true(has(p->read, p->read_count, want));
    assert_true(has(p->write, p->write_count, want));
    assert_int_equal(p->read_count, 2);
    assert_int_equal(p->write_count, 1);
    /* not granted: a sibling with a shared prefix, a link out, writing
     * where only reading was granted; each named in the log */
    assert_true(logged(&log, "\"fs.read:", "/data2\""));
    assert_true(logged(&log, "/data/escape\"", "/secret)"));
    assert_true(logged(&log, "\"fs.write:", "/data/w\""));
    /* a grant never asked for gives nothing */
    snprintf(want, sizeof(want), "%s/never-asked", real);
    assert_false(has(p->read, p->read_count, want));

    /* net.connect: exactly as granted */
    assert_int_equal(p->connect_count, 1);
    assert_string_equal(p->connect[0].host, "127.0.0.1");
    assert_int_equal(p->connect[0].port, 8080);
    assert_true(logged(&log, "\"net.connect:localhost:9090\"", "not grant"));
    assert_true(logged(&log, "\"net.connect:127.0.0.1:8081\"", "not grant"));
    /* the positive control: nothing granted was logged as denied */
    assert_false(logged(&log, "127.0.0.1:8080", NULL));
    assert_false(logged(&log, "/data/in\"", NULL));
    assert_false(logged(&log, "secrets", NULL));
    assert_int_equal(log.count, 5);
    assert_int_equal(p->denied_count, 5);
    snprintf(want, sizeof(want), "fs.read:%s/data2", base);
    assert_true(has(p->denied, p->denied_count, want));
    assert_true(has(p->denied, p->denied_count, "net.connect:localhost:9090"));
    assert_false(has(p->denied, p->denied_count, "net.connect:127.0.0.1:8080"));
    assert_false(has(p->denied, p->denied_count, "secrets"));

    assert_int_equal(p->limits.memory_mb, 256);
    assert_int_equal(p->limits.open_files, 64);
    assert_int_equal(p->limits.cpu_seconds, 10);
    facet__sandbox_policy_free(p);

    /* A module the configuration does not name: nothing granted, no limit. */
    log.count = 0;
    assert_int_equal(facet__sandbox_policy(rt, "test.other", mf, NULL, &p), FACET_OK);
    assert_int_equal(p->read_count + p->write_count + p->connect_count, 0);
    assert_int_equal(p->limits.memory_mb + p->limits.open_files + p->limits.cpu_seconds, 0);
    /* "secrets" too: a host service's right, granted to nobody here */
    assert_int_equal(log.count, 9);
    assert_int_equal(p->denied_count, 9);
    assert_true(has(p->denied, p->denied_count, "secrets"));
    facet__sandbox_policy_free(p);

    assert_int_equal(facet__sandbox_policy(rt, "test.m", mf, NULL, NULL), FACET_E_POINTER);
    facet_manifest_free(mf);
    facet_runtime_free(rt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isolation_policy__requested_and_granted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
