/*
 * tests/tools/cli.c - the facet command itself: exit codes, text and JSON
 * output of every subcommand, driven through the binary.
 * argv[1]: the facet binary, argv[2]: the broken widgets' folder,
 * argv[3]: the runner module, argv[4]: the hostile modules' folder,
 * argv[5]: widget.idl.
 */
#define _POSIX_C_SOURCE 200809L /* popen, getpid */

#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#include <jansson.h>

#include "tools_util.h"

static const char *facet_bin, *broken_dir, *runner_module, *hostile_dir, *widget_idl;

typedef struct Run {
    int code;
    char *out;
    char *err;
} Run;

static char *slurp(FILE *f)
{
    size_t cap = 4096, len = 0, n;
    char *buf = malloc(cap);
    assert_non_null(buf);
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[len] = '\0';
    return buf;
}

/* Runs `facet ARGS` (args given as one printf-formatted string) and keeps
 * its exit code, stdout and stderr. */
static Run facet(const char *fmt, ...)
{
    char args[8192], cmd[16700], err_path[4200];
    const char *tmp = getenv("TMPDIR");
    static unsigned seq;
    va_list ap;
    FILE *p, *e;
    Run r;
    int status;

    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    snprintf(err_path, sizeof(err_path), "%s/facet-cli-%ld-%u.err", tmp && *tmp ? tmp : "/tmp",
             (long)getpid(), seq++);
    snprintf(cmd, sizeof(cmd), "'%s' %s 2>'%s'", facet_bin, args, err_path);
    p = popen(cmd, "r");
    assert_non_null(p);
    r.out = slurp(p);
    status = pclose(p);
    assert_true(WIFEXITED(status));
    r.code = WEXITSTATUS(status);
    e = fopen(err_path, "r");
    assert_non_null(e);
    r.err = slurp(e);
    fclose(e);
    remove(err_path);
    return r;
}

static void run_free(Run *r)
{
    free(r->out);
    free(r->err);
}

static void expect_in(const char *text, const char *what)
{
    if (strstr(text, what) == NULL)
        fail_msg("expected '%s' in:\n%s", what, text);
}

static json_t *parse(const Run *r)
{
    json_error_t err;
    json_t *doc = json_loads(r->out, 0, &err);
    if (doc == NULL)
        fail_msg("not JSON (%s, line %d):\n%s", err.text, err.line, r->out);
    return doc;
}

static const char *module(const char *name)
{
    static char path[4][4096];
    static unsigned next;
    char *p = path[next++ % 4];
    snprintf(p, 4096, "%s/%s" TOOLS_MODULE_SUFFIX, broken_dir, name);
    return p;
}

/* ---- facet, facet help ------------------------------------------------- */

static void test_tools_cli__help(void **state)
{
    static const char *const cmds[] = {"inspect", "validate", "scan", "run"};
    size_t i;
    Run r;
    (void)state;
    r = facet("--help");
    assert_int_equal(r.code, 0);
    for (i = 0; i < 4; i++)
        expect_in(r.out, cmds[i]);
    expect_in(r.out, "--json");
    expect_in(r.out, "0 clean, 1 violations");
    run_free(&r);
    for (i = 0; i < 4; i++) {
        char usage[64];
        snprintf(usage, sizeof(usage), "usage: facet %s", cmds[i]);
        r = facet("%s --help", cmds[i]);
        assert_int_equal(r.code, 0);
        expect_in(r.out, usage);
        expect_in(r.out, "--json");
        expect_in(r.out, "Exit:");
        run_free(&r);
        r = facet("help %s", cmds[i]);
        assert_int_equal(r.code, 0);
        expect_in(r.out, usage);
        run_free(&r);
    }
    r = facet("--version");
    assert_int_equal(r.code, 0);
    expect_in(r.out, "facet ");
    run_free(&r);
}

static void test_tools_cli__bad_usage(void **state)
{
    Run r;
    (void)state;
    r = facet("");
    assert_int_equal(r.code, 2);
    expect_in(r.err, "usage: facet");
    run_free(&r);
    r = facet("frobnicate");
    assert_int_equal(r.code, 2);
    expect_in(r.err, "no command 'frobnicate'");
    run_free(&r);
    r = facet("help frobnicate");
    assert_int_equal(r.code, 2);
    run_free(&r);
    r = facet("validate");
    assert_int_equal(r.code, 2);
    expect_in(r.err, "no module or folder given");
    run_free(&r);
    r = facet("validate --threads many '%s'", module("good_widget"));
    assert_int_equal(r.code, 2);
    expect_in(r.err, "--threads wants a positive whole number, not 'many'");
    run_free(&r);
    r = facet("validate --timeout");
    assert_int_equal(r.code, 2);
    expect_in(r.err, "--timeout needs a value");
    run_free(&r);
    r = facet("inspect --frob x");
    assert_int_equal(r.code, 2);
    expect_in(r.err, "unknown option '--frob'");
    run_free(&r);
    r = facet("scan a b");
    assert_int_equal(r.code, 2);
    expect_in(r.err, "exactly one folder");
    run_free(&r);
}

static void test_tools_cli__unreadable_input(void **state)
{
    Run r;
    (void)state;
    r = facet("validate /no/such/module.so");
    assert_int_equal(r.code, 2);
    expect_in(r.err, "/no/such/module.so");
    run_free(&r);
    r = facet("inspect --json /no/such/module.so");
    assert_int_equal(r.code, 2);
    run_free(&r);
    r = facet("scan /no/such/folder");
    assert_int_equal(r.code, 2);
    expect_in(r.err, "/no/such/folder");
    run_free(&r);
}

/* ---- inspect ----------------------------------------------------------- */

static void test_tools_cli__inspect(void **state)
{
    json_t *doc, *m, *itfs;
    Run r;
    (void)state;
    r = facet("inspect '%s'", module("good_widget"));
    assert_int_equal(r.code, 0);
    expect_in(r.out, "module     test.widget 1.0.0");
    expect_in(r.out, "compiler   ");
    expect_in(r.out, "abi        1 (this host: 1)");
    expect_in(r.out, "class      test.widget 1.0.0 {5A1D6E70-4C1B-4F0E-9A57-3B8D2C61C001}");
    expect_in(r.out, "interface  IWidgetPing");
    expect_in(r.out, "interface  IWidgetPong");
    run_free(&r);

    r = facet("inspect --json '%s' '%s'", module("good_widget"), runner_module);
    assert_int_equal(r.code, 0);
    doc = parse(&r);
    assert_int_equal(json_array_size(json_object_get(doc, "modules")), 2);
    m = json_array_get(json_object_get(doc, "modules"), 0);
    assert_string_equal(json_string_value(json_object_get(m, "outcome")), "ok");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(m, "module"), "name")), "test.widget");
    itfs = json_object_get(json_array_get(json_object_get(m, "classes"), 0), "interfaces");
    assert_string_equal(json_string_value(json_object_get(json_array_get(itfs, 1), "name")),
                        "IWidgetPong");
    /* The runner's IFacetRunnable is named from the runtime's own facet.idl. */
    m = json_array_get(json_object_get(doc, "modules"), 1);
    itfs = json_object_get(json_array_get(json_object_get(m, "classes"), 0), "interfaces");
    assert_string_equal(json_string_value(json_object_get(json_array_get(itfs, 0), "name")),
                        "IFacetRunnable");
    json_decref(doc);
    run_free(&r);

    /* A module that crashes while loaded is reported, and facet lives on. */
    r = facet("inspect '%s'", module("crash_in_entry"));
    assert_int_equal(r.code, 1);
    expect_in(r.out, "crashed in facet_module_entry");
    run_free(&r);
}

/* ---- validate ---------------------------------------------------------- */

static void test_tools_cli__validate(void **state)
{
    json_t *doc, *v;
    Run r;
    (void)state;
    r = facet("validate '%s' '%s'", module("good_widget"), runner_module);
    assert_int_equal(r.code, 0);
    expect_in(r.out, "good_widget" TOOLS_MODULE_SUFFIX ": ok");
    expect_in(r.out, "runner" TOOLS_MODULE_SUFFIX ": ok");
    run_free(&r);

    r = facet("validate '%s'", module("qi_identity"));
    assert_int_equal(r.code, 1);
    expect_in(r.out, "qi-identity");
    expect_in(r.out, "class test.widget, interface IWidgetPong");
    expect_in(r.out, "expected: the same IFacetUnknown pointer from every interface");
    run_free(&r);

    r = facet("validate --json --timeout 1500 '%s'", module("hang_in_entry"));
    assert_int_equal(r.code, 1);
    doc = parse(&r);
    assert_int_equal(json_integer_value(json_object_get(doc, "violations")), 1);
    v = json_array_get(
        json_object_get(json_array_get(json_object_get(doc, "modules"), 0), "violations"), 0);
    assert_string_equal(json_string_value(json_object_get(v, "rule")), "hang");
    expect_in(json_string_value(json_object_get(v, "seen")), "1500 ms");
    json_decref(doc);
    run_free(&r);
}

/* A whole folder: every broken widget is flagged, the good one is not. The
 * timeout leaves the good widget's multi-thread stress room on a busy
 * machine (under TSan it took 2.6 s with the two cores loaded 4 to 1). */
static void test_tools_cli__validate_folder(void **state)
{
    json_t *doc, *mods, *m;
    size_t i;
    Run r;
    (void)state;
    /* Long enough for a good widget's thread stress in a TSan build
     * (about 2 s) on a loaded machine, short enough for the one that hangs. */
    r = facet("validate --json --timeout 10000 '%s'", broken_dir);
    assert_int_equal(r.code, 1);
    doc = parse(&r);
    mods = json_object_get(doc, "modules");
    assert_int_equal(json_array_size(mods), 22);
    json_array_foreach(mods, i, m) {
        const char *path = json_string_value(json_object_get(m, "path"));
        size_t n = json_array_size(json_object_get(m, "violations"));
        if (strstr(path, "good_widget") != NULL || strstr(path, "manifest_agrees") != NULL)
            assert_int_equal(n, 0);
        else if (n == 0)
            fail_msg("%s: no violation", path);
    }
    json_decref(doc);
    run_free(&r);
}

/* A module without type info: --idl names its interfaces; an IDL file with
 * errors is bad input. */
static void test_tools_cli__validate_idl(void **state)
{
    json_t *doc, *v;
    Run r;
    (void)state;
    r = facet("validate --json '%s'", module("unnamed_one_way"));
    assert_int_equal(r.code, 1);
    doc = parse(&r);
    {
        json_t *list = json_object_get(json_array_get(json_object_get(doc, "modules"), 0),
                                       "violations");
        size_t i;
        const char *itf = NULL;
        json_array_foreach(list, i, v)
            if (strcmp(json_string_value(json_object_get(v, "rule")), "qi-symmetric") == 0)
                itf = json_string_value(json_object_get(v, "interface"));
        assert_non_null(itf);
        assert_string_equal(itf, "{5A1D6E70-4C1B-4F0E-9A57-3B8D2C61E001}");
    }
    json_decref(doc);
    run_free(&r);

    r = facet("validate --idl '%s' '%s'", widget_idl, module("unnamed_one_way"));
    assert_int_equal(r.code, 1);
    expect_in(r.out, "qi-symmetric     class test.widget, interface IWidgetPing");
    expect_in(r.out, "QueryInterface for IWidgetPing to succeed from IWidgetPong got from it");
    run_free(&r);

    r = facet("inspect --idl '%s' '%s'", widget_idl, module("unnamed_one_way"));
    assert_int_equal(r.code, 0);
    expect_in(r.out, "interface  IWidgetPong");
    run_free(&r);

    r = facet("validate --idl /no/such/file.idl '%s'", module("good_widget"));
    assert_int_equal(r.code, 2);
    expect_in(r.err, "/no/such/file.idl");
    run_free(&r);
    r = facet("validate --idl");
    assert_int_equal(r.code, 2);
    expect_in(r.err, "--idl needs a file");
    run_free(&r);
}

/* ---- The probe's word -------------------------------------------------- */

/* A module that prints a report of its own and _exit(0)s is no "ok": not
 * for validate, and run --dir never loads it into the facet process on
 * what it printed. */
static void test_tools_cli__forged_report(void **state)
{
    const char *dir = facet_test_tmpdir();
    char src[4200];
    Run r;
    (void)state;
    snprintf(src, sizeof(src), "%s/hostile_forge" TOOLS_MODULE_SUFFIX, hostile_dir);
    r = facet("validate '%s'", src);
    assert_int_equal(r.code, 1);
    expect_in(r.out, "exit             the module");
    expect_in(r.out, "expected: facet_module_entry to return");
    expect_in(r.out, "seen:     the process ended with exit status 0");
    run_free(&r);
    r = facet("inspect --json '%s'", src);
    assert_int_equal(r.code, 1);
    expect_in(r.out, "\"outcome\": \"exited\"");
    run_free(&r);

    tools_copy(src, dir, "forge" TOOLS_MODULE_SUFFIX);
    r = facet("run --dir '%s' test.runner 0", dir);
    assert_int_equal(r.code, 1);
    expect_in(r.err, "no loaded module offers a class");
    run_free(&r);
    /* Positive control: with the real test.runner beside it, run finds
     * that one. */
    tools_copy(runner_module, dir, "runner" TOOLS_MODULE_SUFFIX);
    r = facet("run --dir '%s' test.runner 0", dir);
    assert_int_equal(r.code, 0);
    expect_in(r.out, "hello from test.runner: [0]");
    run_free(&r);
    facet_test_remove_tree(dir);
}

/* A crash in the system loader shows the module's stderr, which says
 * what happened. */
static void test_tools_cli__shows_module_output(void **state)
{
    json_t *doc, *m;
    Run r;
    (void)state;
    r = facet("inspect '%s/hostile_ctor_crash" TOOLS_MODULE_SUFFIX "'", hostile_dir);
    assert_int_equal(r.code, 1);
    expect_in(r.out, "error      crashed in dlopen (");
    expect_in(r.out, "stderr     | hostile: the constructor of this library dereferences NULL");
    run_free(&r);
    r = facet("inspect --json '%s/hostile_ctor_crash" TOOLS_MODULE_SUFFIX "'", hostile_dir);
    doc = parse(&r);
    m = json_array_get(json_object_get(doc, "modules"), 0);
    expect_in(json_string_value(json_object_get(m, "stderr")), "dereferences NULL");
    assert_string_equal(json_string_value(json_object_get(m, "stdout")), "");
    json_decref(doc);
    run_free(&r);
}

/* A module under a file name that is not UTF-8 is in the JSON like any
 * other, its bad bytes as U+FFFD, and the scan's cache saves it. */
static void test_tools_cli__latin1_file_name_in_json(void **state)
{
    const char *dir = facet_test_tmpdir();
    char src[4200], cache[4200];
    json_t *doc;
    Run r;
    (void)state;
    snprintf(src, sizeof(src), "%s/not_a_library" TOOLS_MODULE_SUFFIX, broken_dir);
    tools_copy(src, dir, "caf\xe9" TOOLS_MODULE_SUFFIX);
    snprintf(src, sizeof(src), "%s/good_widget" TOOLS_MODULE_SUFFIX, broken_dir);
    tools_copy(src, dir, "good" TOOLS_MODULE_SUFFIX);
    r = facet("inspect --json '%s'", dir);
    assert_int_equal(r.code, 1);
    doc = parse(&r);
    assert_int_equal(json_array_size(json_object_get(doc, "modules")), 2);
    expect_in(json_string_value(json_object_get(json_array_get(json_object_get(doc, "modules"),
                                                                0),
                                                "path")),
              "caf\xEF\xBF\xBD" TOOLS_MODULE_SUFFIX);
    json_decref(doc);
    run_free(&r);

    snprintf(cache, sizeof(cache), "%s/probe-cache.json", dir);
    r = facet("scan --json --probe --cache '%s' '%s'", cache, dir);
    assert_int_equal(r.code, 1);
    doc = parse(&r);
    assert_int_equal(json_array_size(json_object_get(doc, "modules")), 2);
    assert_int_equal(json_integer_value(json_object_get(doc, "quarantined")), 1);
    json_decref(doc);
    assert_string_equal(r.err, "");
    run_free(&r);
    r = facet("scan --json --probe --cache '%s' '%s'", cache, dir);
    doc = parse(&r);
    assert_int_equal(json_integer_value(json_object_get(doc, "cached")), 2);
    json_decref(doc);
    run_free(&r);

    /* A bad manifest under such a name is a problem in the JSON too. */
    snprintf(src, sizeof(src), "%s/caf\xe9.facet.json", dir);
    facet_test_write_file(src, "{", 1);
    r = facet("scan --json '%s'", dir);
    assert_int_equal(r.code, 1);
    doc = parse(&r);
    assert_int_equal(json_array_size(json_object_get(doc, "problems")), 1);
    expect_in(json_string_value(json_object_get(json_array_get(json_object_get(doc, "problems"),
                                                               0),
                                                "path")),
              "caf\xEF\xBF\xBD.facet.json");
    json_decref(doc);
    run_free(&r);
    facet_test_remove_tree(dir);
}

/* ---- run --------------------------------------------------------------- */

static void test_tools_cli__run(void **state)
{
    json_t *doc;
    Run r;
    (void)state;
    r = facet("run --module '%s' test.runner a 'b c'", runner_module);
    assert_int_equal(r.code, 0);
    expect_in(r.out, "hello from test.runner: [a] [b c]");
    run_free(&r);

    r = facet("run --json --module '%s' test.runner 7", runner_module);
    assert_int_equal(r.code, 1);
    expect_in(r.out, "hello from test.runner: [7]");
    doc = parse(&(Run){0, strchr(r.out, '{'), NULL});
    assert_int_equal(json_integer_value(json_object_get(doc, "exit_code")), 7);
    assert_true(json_is_true(json_object_get(doc, "ran")));
    json_decref(doc);
    run_free(&r);

    r = facet("run --module '%s' test.plain", runner_module);
    assert_int_equal(r.code, 1);
    expect_in(r.err, "does not implement IFacetRunnable");
    run_free(&r);

    r = facet("run --module '%s' test.nobody", runner_module);
    assert_int_equal(r.code, 1);
    expect_in(r.err, "\"test.nobody\": no loaded module offers a class");
    run_free(&r);

    r = facet("run --module '%s' test.runner", module("not_a_library"));
    assert_int_equal(r.code, 1);
    expect_in(r.err, "not_a_library");
    run_free(&r);

    r = facet("run test.runner");
    assert_int_equal(r.code, 2);
    expect_in(r.err, "no --config, --module or --dir given");
    run_free(&r);

    r = facet("run --config /no/such/facet.conf.json test.runner");
    assert_int_equal(r.code, 2);
    expect_in(r.err, "/no/such/facet.conf.json");
    run_free(&r);
}

/* A folder with the runner module and its manifest (extra: more fields of
 * the manifest, "" for none), and beside it facet.conf.json (conf) whose
 * path is put in conf_path; returns the folder. */
static const char *runner_setup(char *conf_path, size_t size, const char *extra, const char *conf)
{
    const char *dir = facet_test_tmpdir();
    char path[4200], manifest[1024];
    snprintf(manifest, sizeof(manifest),
             "{\"name\": \"test.runner\", \"version\": \"1.0.0\", %s\"library\": \"runner"
             TOOLS_MODULE_SUFFIX "\", \"classes\": [{\"clsid\": "
             "\"{70017001-0000-4000-8000-000000000001}\", \"contract\": \"test.runner\"}, "
             "{\"clsid\": \"{70017001-0000-4000-8000-000000000002}\", \"contract\": "
             "\"test.plain\"}]}\n",
             extra);
    snprintf(path, sizeof(path), "%s/plugins", dir);
    assert_int_equal(mkdir(path, 0777), 0);
    tools_copy(runner_module, path, "runner" TOOLS_MODULE_SUFFIX);
    snprintf(path, sizeof(path), "%s/plugins/runner.facet.json", dir);
    facet_test_write_file(path, manifest, strlen(manifest));
    snprintf(conf_path, size, "%s/facet.conf.json", dir);
    facet_test_write_file(conf_path, conf, strlen(conf));
    return dir;
}

/* run --config: the configuration's plugin folders are scanned (manifests
 * only) and its aliases name classes. */
static void test_tools_cli__run_config(void **state)
{
    char path[4200];
    const char *conf = "{\"plugin_folders\": [\"plugins\"], \"aliases\": {\"hello\": "
                       "\"test.runner\"}}\n";
    const char *dir = runner_setup(path, sizeof(path), "", conf);
    Run r;
    (void)state;

    r = facet("run --config '%s' hello 0", path);
    assert_int_equal(r.code, 0);
    expect_in(r.out, "hello from hello: [0]");
    run_free(&r);
    r = facet("run --json --config '%s' test.runner 2", path);
    assert_int_equal(r.code, 1);
    expect_in(r.out, "\"exit_code\": 2");
    run_free(&r);

    facet_test_write_file(path, "{\"aliases\": 3}", 14);
    r = facet("run --config '%s' hello", path);
    assert_int_equal(r.code, 2);
    expect_in(r.err, "facet.conf.json");
    run_free(&r);
    facet_test_remove_tree(dir);
}

/* The line "  permission NAME ... granted" (or "not granted") is in out. */
static void expect_right(const char *out, const char *name, int granted)
{
    char head[512];
    const char *at, *end;
    snprintf(head, sizeof(head), "  permission %s ", name);
    at = strstr(out, head);
    if (at == NULL)
        fail_msg("expected '%s' in:\n%s", head, out);
    end = strchr(at, '\n');
    assert_non_null(end);
    if (granted ? strncmp(end - 12, " not granted", 12) == 0 || strncmp(end - 8, " granted", 8) != 0
                : strncmp(end - 12, " not granted", 12) != 0)
        fail_msg("expected %s %s in:\n%s", name, granted ? "granted" : "not granted", out);
}

/* inspect --config: each permission the manifest requests, granted or not
 * by the configuration, relative paths resolved per file, and the limits. */
static void test_tools_cli__inspect_config(void **state)
{
    char path[4200], want[4400];
    const char *conf = "{\"modules\": {\"test.runner\": {\"permissions\": [\"fs.read:plugins\",\n"
                       "  \"net.connect:127.0.0.1:8080\", \"secrets\"],\n"
                       "  \"limits\": {\"memory_mb\": 64, \"open_files\": 32}}}}\n";
    const char *dir = runner_setup(path, sizeof(path),
                                   "\"permissions\": [\"fs.read:data\", \"fs.write:data\", "
                                   "\"net.connect:127.0.0.1:8081\", \"net.connect:127.0.0.1:8080\", "
                                   "\"net.connect:localhost:8080\", \"secrets\", \"other\"], ",
                                   conf);
    json_t *doc, *rights, *list, *limits;
    Run r;
    (void)state;

    snprintf(want, sizeof(want), "%s/plugins/runner" TOOLS_MODULE_SUFFIX, dir);
    r = facet("inspect --config '%s' '%s'", path, want);
    assert_int_equal(r.code, 0);
    expect_in(r.out, "config     ");
    /* fs.read:data in plugins/ is plugins/data, under the granted plugins */
    snprintf(want, sizeof(want), "fs.read:%s/plugins/data", dir);
    expect_right(r.out, want, 1);
    snprintf(want, sizeof(want), "fs.write:%s/plugins/data", dir);
    expect_right(r.out, want, 0);
    expect_right(r.out, "net.connect:127.0.0.1:8080", 1);
    expect_right(r.out, "net.connect:127.0.0.1:8081", 0);
    expect_right(r.out, "net.connect:localhost:8080", 0);
    expect_right(r.out, "secrets", 1);
    expect_right(r.out, "other", 0);
    expect_in(r.out, "limits     memory 64 MiB, open files 32, cpu 0 s");
    run_free(&r);

    snprintf(want, sizeof(want), "%s/plugins/runner" TOOLS_MODULE_SUFFIX, dir);
    r = facet("inspect --json --config '%s' '%s'", path, want);
    assert_int_equal(r.code, 0);
    doc = parse(&r);
    rights = json_object_get(json_array_get(json_object_get(doc, "modules"), 0), "rights");
    assert_non_null(rights);
    list = json_object_get(rights, "permissions");
    assert_int_equal(json_array_size(list), 7);
    assert_true(json_is_true(json_object_get(json_array_get(list, 0), "granted")));  /* fs.read */
    assert_true(json_is_false(json_object_get(json_array_get(list, 1), "granted"))); /* fs.write */
    assert_true(json_is_false(json_object_get(json_array_get(list, 2), "granted"))); /* :8081 */
    assert_true(json_is_true(json_object_get(json_array_get(list, 3), "granted")));  /* :8080 */
    assert_true(json_is_false(json_object_get(json_array_get(list, 4), "granted"))); /* localhost */
    limits = json_object_get(rights, "limits");
    assert_int_equal(json_integer_value(json_object_get(limits, "memory_mb")), 64);
    assert_int_equal(json_integer_value(json_object_get(limits, "cpu_seconds")), 0);
    json_decref(doc);
    run_free(&r);

    /* without --config: no rights shown */
    snprintf(want, sizeof(want), "%s/plugins/runner" TOOLS_MODULE_SUFFIX, dir);
    r = facet("inspect '%s'", want);
    assert_int_equal(r.code, 0);
    assert_null(strstr(r.out, "permission "));
    run_free(&r);
    /* a configuration that cannot be read is bad input */
    r = facet("inspect --config '%s/none.json' '%s'", dir, want);
    assert_int_equal(r.code, 2);
    expect_in(r.err, "none.json");
    run_free(&r);
    facet_test_remove_tree(dir);
}

/* run on a process-isolated module: through the configuration, or a
 * manifest that asks for it, the class runs in facet-host, and its crash
 * is a failed run that names the cause, not the end of facet. --module
 * loads in this process whatever the manifest says. (Process isolation
 * is built on Linux, where the runner can name its program.) */
static void test_tools_cli__run_process(void **state)
{
#ifdef __linux__
    char path[4200];
    const char *conf = "{\"plugin_folders\": [\"plugins\"], \"modules\": {\"test.runner\": "
                       "{\"isolation\": \"process\"}}}\n";
    const char *plain = "{\"plugin_folders\": [\"plugins\"]}\n";
    const char *dir = runner_setup(path, sizeof(path), "", conf);
    char plugins[4200], module_path[4300];
    json_t *doc;
    Run r;
    (void)state;
    snprintf(plugins, sizeof(plugins), "%s/plugins", dir);

    /* the configuration says process */
    r = facet("run --config '%s' test.runner where", path);
    assert_int_equal(r.code, 0);
    expect_in(r.out, "hello from test.runner: [where]");
    expect_in(r.out, "running in facet-host\n");
    run_free(&r);
    r = facet("run --config '%s' test.runner 4", path); /* its exit code comes back */
    assert_int_equal(r.code, 1);
    expect_in(r.err, "test.runner exited with code 4");
    run_free(&r);
    r = facet("run --config '%s' test.runner crash", path);
    assert_int_equal(r.code, 1);
    expect_in(r.out, "hello from test.runner: [crash]"); /* it ran, then died */
    expect_in(r.err, "FACET_E_CRASHED");
    expect_in(r.err, "SIGSEGV");
    run_free(&r);
    r = facet("run --json --config '%s' test.runner crash", path);
    assert_int_equal(r.code, 1);
    doc = parse(&(Run){0, strchr(r.out, '{'), NULL});
    assert_true(json_is_false(json_object_get(doc, "ran")));
    expect_in(json_string_value(json_object_get(doc, "error")), "FACET_E_CRASHED");
    json_decref(doc);
    run_free(&r);

    /* positive control: without it, the same class runs in facet itself */
    facet_test_write_file(path, plain, strlen(plain));
    r = facet("run --config '%s' test.runner where", path);
    assert_int_equal(r.code, 0);
    expect_in(r.out, "running in facet\n");
    run_free(&r);
    r = facet("run --dir '%s' test.runner where", plugins);
    assert_int_equal(r.code, 0);
    expect_in(r.out, "running in facet\n");
    run_free(&r);
    facet_test_remove_tree(dir);

    /* the manifest says process: --dir and --config honour it, --module not */
    dir = runner_setup(path, sizeof(path), "\"isolation\": \"process\", ", plain);
    snprintf(plugins, sizeof(plugins), "%s/plugins", dir);
    snprintf(module_path, sizeof(module_path), "%s/runner" TOOLS_MODULE_SUFFIX, plugins);
    r = facet("run --dir '%s' test.runner where", plugins);
    assert_int_equal(r.code, 0);
    expect_in(r.out, "running in facet-host\n");
    run_free(&r);
    r = facet("run --dir '%s' test.runner crash", plugins);
    assert_int_equal(r.code, 1);
    expect_in(r.err, "SIGSEGV");
    run_free(&r);
    r = facet("run --config '%s' test.runner where", path);
    assert_int_equal(r.code, 0);
    expect_in(r.out, "running in facet-host\n");
    run_free(&r);
    r = facet("run --module '%s' test.runner where", module_path);
    assert_int_equal(r.code, 0);
    expect_in(r.out, "running in facet\n");
    run_free(&r);
    /* validate checks its code as any module's, in a child of its own, and
     * its manifest with "isolation" agrees with it */
    r = facet("validate '%s'", plugins);
    assert_int_equal(r.code, 0);
    expect_in(r.out, "runner" TOOLS_MODULE_SUFFIX ": ok");
    run_free(&r);
    facet_test_remove_tree(dir);
#else
    (void)state;
    skip();
#endif
}

/* ---- scan -------------------------------------------------------------- */

static json_t *scan_json(const char *dir, const char *cache, int expect_code)
{
    json_t *doc;
    Run r = facet("scan --json --probe --timeout 5000 --cache '%s' '%s'", cache, dir);
    if (r.code != expect_code)
        fail_msg("scan exited %d:\n%s%s", r.code, r.out, r.err);
    doc = parse(&r);
    run_free(&r);
    return doc;
}

static const char *status_of(json_t *doc, const char *name)
{
    json_t *m;
    size_t i;
    json_array_foreach(json_object_get(doc, "modules"), i, m)
        if (strstr(json_string_value(json_object_get(m, "path")), name) != NULL)
            return json_string_value(json_object_get(m, "status"));
    fail_msg("%s not in the scan", name);
    return NULL;
}

static void test_tools_cli__scan_probe(void **state)
{
    const char *dir = tools_scan_folder(broken_dir, runner_module);
    char cache[4200], manifest[4200];
    json_t *doc;
    Run r;
    (void)state;
    snprintf(cache, sizeof(cache), "%s/probe-cache.json", dir);

    doc = scan_json(dir, cache, 1);
    assert_int_equal(json_integer_value(json_object_get(doc, "probed")), 6);
    assert_int_equal(json_integer_value(json_object_get(doc, "quarantined")), 4);
    assert_string_equal(status_of(doc, "good_widget"), "probed");
    assert_string_equal(status_of(doc, "crash_in_entry"), "quarantined");
    assert_string_equal(status_of(doc, "not_a_library"), "quarantined");
    json_decref(doc);

    doc = scan_json(dir, cache, 1);
    assert_int_equal(json_integer_value(json_object_get(doc, "probed")), 0);
    assert_int_equal(json_integer_value(json_object_get(doc, "cached")), 6);
    assert_string_equal(status_of(doc, "runner"), "cached");
    assert_string_equal(status_of(doc, "hang_in_entry"), "quarantined");
    json_decref(doc);

    tools_set_mtime(dir, "runner" TOOLS_MODULE_SUFFIX, time(NULL) + 100);
    doc = scan_json(dir, cache, 1);
    assert_int_equal(json_integer_value(json_object_get(doc, "probed")), 1);
    assert_string_equal(status_of(doc, "runner"), "probed");
    json_decref(doc);

    /* Text output names the reasons. */
    r = facet("scan --probe --cache '%s' '%s'", cache, dir);
    assert_int_equal(r.code, 1);
    expect_in(r.out, "quarantined");
    expect_in(r.out, "crashed in facet_module_entry");
    expect_in(r.out, "skipped until it changes");
    expect_in(r.out, "0 manifest problems, 0 probed now, 6 from the cache, 4 quarantined");
    run_free(&r);

    /* run --dir loads only the module that offers NAME, found by probing:
     * the ones that crash, hang or exit on load never enter the process. */
    r = facet("run --dir '%s' test.runner 0", dir);
    assert_int_equal(r.code, 0);
    expect_in(r.out, "hello from test.runner: [0]");
    run_free(&r);

    /* A module with a manifest is not probed, but its manifest is read
     * (without loading code); without --probe nothing is probed. */
    snprintf(manifest, sizeof(manifest), "%s/good_widget.facet.json", dir);
    {
        const char *text =
            "{\"name\": \"test.widget\", \"version\": \"1.0.0\", \"library\": "
            "\"good_widget" TOOLS_MODULE_SUFFIX "\", \"classes\": [{\"clsid\": "
            "\"{5A1D6E70-4C1B-4F0E-9A57-3B8D2C61C001}\", \"contract\": \"test.widget\"}]}\n";
        facet_test_write_file(manifest, text, strlen(text));
    }
    r = facet("scan --json '%s'", dir);
    assert_int_equal(r.code, 0);
    doc = parse(&r);
    assert_string_equal(status_of(doc, "good_widget"), "manifest");
    assert_string_equal(status_of(doc, "crash_in_entry"), "no-manifest");
    assert_int_equal(json_integer_value(json_object_get(doc, "with_manifest")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(doc, "manifests"), 0), "name")),
                        "test.widget");
    assert_int_equal(json_array_size(json_object_get(doc, "problems")), 0);
    json_decref(doc);
    run_free(&r);

    /* A bad manifest is reported, with where it is wrong, and is a finding. */
    facet_test_write_file(manifest, "{\"name\": \"test.widget\"}", 23);
    r = facet("scan '%s'", dir);
    assert_int_equal(r.code, 1);
    expect_in(r.out, "problem");
    expect_in(r.out, "good_widget.facet.json:1:");
    expect_in(r.out, "1 manifest problem,");
    run_free(&r);
    facet_test_remove_tree(dir);
}

/* --write-manifest writes a manifest that the runtime accepts and that
 * agrees with the module: validate cross-checks it, scan reads it. */
static void test_tools_cli__write_manifest(void **state)
{
    const char *dir = tools_scan_folder(broken_dir, runner_module);
    char manifest[4200];
    json_t *doc;
    Run r;
    (void)state;
    r = facet("inspect --write-manifest '%s/good_widget" TOOLS_MODULE_SUFFIX "'", dir);
    assert_int_equal(r.code, 0);
    expect_in(r.out, "wrote      ");
    expect_in(r.out, "good_widget.facet.json");
    run_free(&r);
    snprintf(manifest, sizeof(manifest), "%s/good_widget.facet.json", dir);
    r = facet("validate '%s/good_widget" TOOLS_MODULE_SUFFIX "'", dir);
    assert_int_equal(r.code, 0);
    run_free(&r);
    r = facet("inspect '%s/good_widget" TOOLS_MODULE_SUFFIX "'", dir);
    expect_in(r.out, "(agrees with the module)");
    run_free(&r);

    /* A manifest there is merged into: the hand-written fields stay, what
     * the module says wins, and each change is named. */
    {
        static const char edited[] =
            "{\"name\": \"test.widget\", \"version\": \"0.9.0\", \"api_level\": 1,\n"
            " \"description\": \"hand-written\",\n"
            " \"library\": {\"linux\": \"old.so\", \"windows\": \"good_widget.dll\"},\n"
            " \"classes\": [{\"clsid\": \"{5A1D6E70-4C1B-4F0E-9A57-3B8D2C61C001}\",\n"
            "   \"contract\": \"test.widget\", \"description\": \"a class note\",\n"
            "   \"interfaces\": []}],\n"
            " \"requires\": {\"test.other\": \"^1.0\"},\n"
            " \"permissions\": [\"guestbook\"], \"isolation\": \"process\"}\n";
        json_error_t err;
        json_t *c;
        facet_test_write_file(manifest, edited, sizeof(edited) - 1);
        r = facet("inspect --write-manifest '%s/good_widget" TOOLS_MODULE_SUFFIX "'", dir);
        assert_int_equal(r.code, 0);
        expect_in(r.out, "changed    version: \"0.9.0\" -> \"1.0.0\"");
        expect_in(r.out, "changed    library.linux: \"old.so\" -> \"good_widget.so\"");
        expect_in(r.out, "changed    classes[{5A1D6E70-4C1B-4F0E-9A57-3B8D2C61C001}].interfaces");
        expect_in(r.out, "merged     ");
        run_free(&r);
        doc = json_load_file(manifest, 0, &err);
        assert_non_null(doc);
        assert_string_equal(json_string_value(json_object_get(doc, "version")), "1.0.0");
        assert_string_equal(json_string_value(json_object_get(doc, "description")),
                            "hand-written");
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(doc, "requires"), "test.other")),
            "^1.0");
        assert_int_equal(json_array_size(json_object_get(doc, "permissions")), 1);
        assert_string_equal(json_string_value(json_object_get(doc, "isolation")), "process");
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(doc, "library"), "windows")),
            "good_widget.dll");
        c = json_array_get(json_object_get(doc, "classes"), 0);
        assert_string_equal(json_string_value(json_object_get(c, "description")), "a class note");
        assert_true(json_array_size(json_object_get(c, "interfaces")) > 0);
        json_decref(doc);
        /* Again: nothing to change, nothing written. */
        r = facet("inspect --json --write-manifest '%s/good_widget" TOOLS_MODULE_SUFFIX "'", dir);
        assert_int_equal(r.code, 0);
        doc = parse(&r);
        c = json_array_get(json_object_get(doc, "modules"), 0);
        assert_true(json_is_false(json_object_get(c, "manifest_written")));
        assert_int_equal(json_array_size(json_object_get(c, "manifest_changes")), 0);
        json_decref(doc);
        run_free(&r);

        /* Another module's manifest, or one that is no JSON object, is
         * left as it is without --force. */
        facet_test_write_file(manifest, "{\"name\": \"test.other\"}", 22);
        r = facet("inspect --write-manifest '%s/good_widget" TOOLS_MODULE_SUFFIX "'", dir);
        assert_int_equal(r.code, 1);
        expect_in(r.err, "describes module \"test.other\"");
        expect_in(r.err, "--force");
        run_free(&r);
        facet_test_write_file(manifest, "[1, 2", 5);
        r = facet("inspect --write-manifest '%s/good_widget" TOOLS_MODULE_SUFFIX "'", dir);
        assert_int_equal(r.code, 1);
        expect_in(r.err, "good_widget.facet.json:1:");
        expect_in(r.err, "--force");
        run_free(&r);
        {
            size_t n;
            char *kept = facet_test_read_file(manifest, &n);
            assert_int_equal(n, 5);
            assert_memory_equal(kept, "[1, 2", 5);
            free(kept);
        }
        r = facet("inspect --write-manifest --force '%s/good_widget" TOOLS_MODULE_SUFFIX "'", dir);
        assert_int_equal(r.code, 0);
        expect_in(r.out, "wrote      ");
        run_free(&r);
        r = facet("validate '%s/good_widget" TOOLS_MODULE_SUFFIX "'", dir);
        assert_int_equal(r.code, 0);
        run_free(&r);
    }

    /* A module that does not load gets none, and that is a finding. */
    r = facet("inspect --write-manifest '%s/not_a_library" TOOLS_MODULE_SUFFIX "'", dir);
    assert_int_equal(r.code, 1);
    run_free(&r);

    /* scan --probe --write-manifest: the clean ones get manifests, and the
     * next scan reads those instead of probing. */
    remove(manifest);
    r = facet("scan --json --probe --write-manifest --timeout 5000 --cache '%s/c.json' '%s'",
              dir, dir);
    assert_int_equal(r.code, 1);
    run_free(&r);
    r = facet("scan --json '%s'", dir);
    assert_int_equal(r.code, 0);
    doc = parse(&r);
    assert_int_equal(json_integer_value(json_object_get(doc, "with_manifest")), 2);
    assert_int_equal(json_array_size(json_object_get(doc, "manifests")), 2);
    assert_int_equal(json_array_size(json_object_get(doc, "problems")), 0);
    assert_string_equal(status_of(doc, "runner"), "manifest");
    json_decref(doc);
    run_free(&r);
    facet_test_remove_tree(dir);
}

/* scan --json lists each manifest's classes with their interfaces, and
 * --interface only the classes that declare one: of the chosen version,
 * read without loading code (the libraries are not there). */
static void write_module(const char *dir, const char *name, const char *version, int id,
                         const char *itfs)
{
    char path[4200], text[2048];
    snprintf(path, sizeof(path), "%s/%s-%s.facet.json", dir, name, version);
    snprintf(text, sizeof(text),
             "{\"name\": \"%s\", \"version\": \"%s\", \"library\": \"absent.so\", \"classes\": "
             "[{\"clsid\": \"{7B000000-0003-4000-8000-0000000000%02X}\", \"contract\": "
             "\"%s.thing\", \"interfaces\": %s}]}\n",
             name, version, id, name, itfs);
    facet_test_write_file(path, text, strlen(text));
}

#define CLI_IID_A "{7A000001-0000-4000-8000-0000000000A1}"
#define CLI_IID_B "{7A000001-0000-4000-8000-0000000000B2}"

static void test_tools_cli__scan_interface(void **state)
{
    const char *dir = facet_test_tmpdir();
    json_t *doc, *m, *classes;
    Run r;
    (void)state;
    write_module(dir, "test.one", "1.0.0", 1, "[\"" CLI_IID_A "\"]");
    write_module(dir, "test.one", "2.0.0", 1, "[\"" CLI_IID_B "\"]");
    write_module(dir, "test.two", "1.0.0", 2, "[\"" CLI_IID_B "\", \"" CLI_IID_A "\"]");

    r = facet("scan --json '%s'", dir);
    assert_int_equal(r.code, 0);
    doc = parse(&r);
    m = json_array_get(json_object_get(doc, "manifests"), 2); /* test.two-1.0.0 */
    assert_string_equal(json_string_value(json_object_get(m, "name")), "test.two");
    classes = json_object_get(m, "classes");
    assert_int_equal(json_array_size(classes), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(classes, 0), "clsid")),
                        "{7B000000-0003-4000-8000-000000000002}");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(classes, 0), "contract")),
        "test.two.thing");
    classes = json_object_get(json_array_get(classes, 0), "interfaces");
    assert_int_equal(json_array_size(classes), 2);
    assert_string_equal(json_string_value(json_array_get(classes, 1)), CLI_IID_A);
    assert_null(json_object_get(doc, "classes")); /* only with --interface */
    json_decref(doc);
    run_free(&r);

    /* test.one 1.0.0 declares A too, but 2.0.0 is the version chosen */
    r = facet("scan --json --interface '%s' '%s'", CLI_IID_A, dir);
    assert_int_equal(r.code, 0);
    doc = parse(&r);
    assert_string_equal(json_string_value(json_object_get(doc, "interface")), CLI_IID_A);
    classes = json_object_get(doc, "classes");
    assert_int_equal(json_array_size(classes), 1);
    m = json_array_get(classes, 0);
    assert_string_equal(json_string_value(json_object_get(m, "contract")), "test.two.thing");
    assert_string_equal(json_string_value(json_object_get(m, "clsid")),
                        "{7B000000-0003-4000-8000-000000000002}");
    assert_string_equal(json_string_value(json_object_get(m, "module")), "test.two");
    assert_string_equal(json_string_value(json_object_get(m, "version")), "1.0.0");
    expect_in(json_string_value(json_object_get(m, "manifest")), "test.two-1.0.0.facet.json");
    json_decref(doc);
    run_free(&r);

    r = facet("scan --interface '%s' '%s'", CLI_IID_B, dir);
    assert_int_equal(r.code, 0);
    expect_in(r.out, "test.one.thing in test.one 2.0.0");
    expect_in(r.out, "test.two.thing in test.two 1.0.0");
    expect_in(r.out, "2 classes declare " CLI_IID_B);
    run_free(&r);

    /* an interface nobody declares: an empty list, not an error */
    r = facet("scan --json --interface '{7A000001-0000-4000-8000-0000000000FF}' '%s'", dir);
    assert_int_equal(r.code, 0);
    doc = parse(&r);
    assert_int_equal(json_array_size(json_object_get(doc, "classes")), 0);
    json_decref(doc);
    run_free(&r);

    r = facet("scan --interface not-a-guid '%s'", dir);
    assert_int_equal(r.code, 2);
    expect_in(r.err, "--interface");
    run_free(&r);
    r = facet("scan '%s' --interface", dir);
    assert_int_equal(r.code, 2);
    expect_in(r.err, "--interface needs an IID");
    run_free(&r);
    facet_test_remove_tree(dir);
}

/* ---- facet guid ---------------------------------------------------------- */

/* facet guid: a new version-4 GUID each time, the same one in each form. */
static void test_tools_cli__guid(void **state)
{
    char seen[2][FACET_GUID_STRING_SIZE], c[128];
    FacetGuid g;
    json_t *doc;
    const char *text;
    int i;
    Run r;
    (void)state;
    for (i = 0; i < 2; i++) {
        r = facet("guid --json CLSID_Invert");
        assert_int_equal(r.code, 0);
        doc = parse(&r);
        text = json_string_value(json_object_get(doc, "guid"));
        assert_non_null(text);
        assert_int_equal(facet_guid_parse(&g, text), FACET_OK);
        assert_int_equal(g.Data3 >> 12, 4);        /* version 4 */
        assert_int_equal(g.Data4[0] & 0xC0, 0x80); /* RFC 4122 variant */
        snprintf(seen[i], sizeof(seen[i]), "%s", text);
        snprintf(c, sizeof(c), "{0x%08X, 0x%04X, 0x%04X, {0x%02X, 0x%02X, 0x%02X, 0x%02X, 0x%02X, "
                 "0x%02X, 0x%02X, 0x%02X}}", (unsigned)g.Data1, (unsigned)g.Data2,
                 (unsigned)g.Data3, g.Data4[0], g.Data4[1], g.Data4[2], g.Data4[3], g.Data4[4],
                 g.Data4[5], g.Data4[6], g.Data4[7]);
        assert_string_equal(json_string_value(json_object_get(doc, "c")), c);
        snprintf(c, sizeof(c), "[uuid(%.36s)]", text + 1);
        assert_string_equal(json_string_value(json_object_get(doc, "idl")), c);
        json_decref(doc);
        run_free(&r);
    }
    assert_string_not_equal(seen[0], seen[1]);

    r = facet("guid CLSID_Invert");
    assert_int_equal(r.code, 0);
    expect_in(r.out, "manifest  \"{");
    expect_in(r.out, "idl       [uuid(");
    expect_in(r.out, "c         #define CLSID_Invert_INIT {0x");
    run_free(&r);

    r = facet("guid one two");
    assert_int_equal(r.code, 2);
    expect_in(r.err, "one NAME at most");
    run_free(&r);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tools_cli__help),
        cmocka_unit_test(test_tools_cli__guid),
        cmocka_unit_test(test_tools_cli__bad_usage),
        cmocka_unit_test(test_tools_cli__unreadable_input),
        cmocka_unit_test(test_tools_cli__inspect),
        cmocka_unit_test(test_tools_cli__validate),
        cmocka_unit_test(test_tools_cli__validate_folder),
        cmocka_unit_test(test_tools_cli__run),
        cmocka_unit_test(test_tools_cli__run_config),
        cmocka_unit_test(test_tools_cli__inspect_config),
        cmocka_unit_test(test_tools_cli__run_process),
        cmocka_unit_test(test_tools_cli__scan_probe),
        cmocka_unit_test(test_tools_cli__scan_interface),
        cmocka_unit_test(test_tools_cli__write_manifest),
        cmocka_unit_test(test_tools_cli__validate_idl),
        cmocka_unit_test(test_tools_cli__forged_report),
        cmocka_unit_test(test_tools_cli__shows_module_output),
        cmocka_unit_test(test_tools_cli__latin1_file_name_in_json),
    };
    if (argc < 6) {
        fprintf(stderr, "usage: %s FACET BROKEN_DIR RUNNER_MODULE HOSTILE_DIR WIDGET_IDL\n",
                argv[0]);
        return 2;
    }
    facet_bin = argv[1];
    broken_dir = argv[2];
    runner_module = argv[3];
    hostile_dir = argv[4];
    widget_idl = argv[5];
    facet_test_let_signals_kill(); /* test.runner's crash is a SIGSEGV in every build */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
