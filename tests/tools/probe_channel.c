/*
 * tests/tools/probe_channel.c - the probe's report cannot be forged, lost
 * or misread by accident: it travels on a channel of its own, apart from
 * the module's stdout and stderr (kept, cut, in the report); "ok" needs the
 * whole report and the end the helper gives itself; the child is waited
 * for with a deadline, whatever it did to its descriptors; what the module
 * starts dies with the probe, setsid() or not; probes on several threads
 * keep to their own pipes; text that is not UTF-8 is repaired, never
 * dropped; a module that floods its output is killed and reported.
 * argv[1]: the hostile modules' folder (tests/broken/hostile.c),
 * argv[2]: the broken widgets' folder (for the good widget).
 */
#define _GNU_SOURCE /* pipe2 is not used; setenv, kill, usleep */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "facet/check.h"
#include "tools_util.h"

static const char *hostile_dir, *broken_dir;

static const char *hostile(const char *name)
{
    static char path[4][4096];
    static unsigned next;
    char *p = path[next++ % 4];
    snprintf(p, 4096, "%s/hostile_%s" TOOLS_MODULE_SUFFIX, hostile_dir, name);
    return p;
}

/* Set once by main, before any thread: the probes on several threads
 * share it. */
static char good_widget_path[4096];

static const char *good_widget(void)
{
    return good_widget_path;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Probes path with a timeout; checks the result agrees with the outcome. */
static FacetReport *probe(const char *path, uint32_t timeout_ms, uint32_t outcome)
{
    FacetCheckOptions opts = FACET_CHECK_OPTIONS_INIT;
    FacetReport *rep = NULL;
    FacetResult r;
    opts.timeout_ms = timeout_ms;
    r = facet_probe(&rep, path, &opts);
    if (rep == NULL)
        fail_msg("%s: facet_probe failed: %s", path, facet_last_error());
    if (facet_report_outcome(rep) != outcome)
        fail_msg("%s: outcome %u (%s), expected %u; stderr: %s", path,
                 (unsigned)facet_report_outcome(rep), facet_report_reason(rep),
                 (unsigned)outcome, facet_report_stderr(rep));
    assert_int_equal(r, outcome == FACET_OUTCOME_OK ? FACET_OK : FACET_FALSE);
    return rep;
}

static void expect_reason(const FacetReport *rep, const char *what)
{
    if (strstr(facet_report_reason(rep), what) == NULL)
        fail_msg("reason '%s' does not say '%s'", facet_report_reason(rep), what);
}

/* The pid $FACET_TEST_PIDFILE names, once the module has written it. */
static long pid_from(const char *file)
{
    size_t size;
    char *text;
    long pid;
    struct stat st;
    if (stat(file, &st) != 0)
        fail_msg("%s: the module wrote no process id", file);
    text = facet_test_read_file(file, &size);
    pid = strtol(text, NULL, 10);
    free(text);
    assert_true(pid > 0);
    return pid;
}

/* Process pid is gone (not even a zombie) within a few seconds. */
static void expect_gone(long pid)
{
    int64_t until = now_ms() + 5000;
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/%ld", pid);
    while (now_ms() < until) {
        if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
            return;
        usleep(20000);
    }
    if (stat(path, &st) == 0)
        fail_msg("process %ld, started by the module, outlived its probe", pid);
}

/* No process is left whose command line names path (a facet-probe that
 * was never reaped, or one that runs on). */
static void expect_no_process_for(const char *path)
{
    int64_t until = now_ms() + 5000;
    for (;;) {
        DIR *proc = opendir("/proc");
        struct dirent *e;
        long found = 0;
        if (proc == NULL)
            return; /* no /proc: nothing to look at */
        while ((e = readdir(proc)) != NULL && found == 0) {
            char file[300], cmd[8192];
            long pid = strtol(e->d_name, NULL, 10);
            ssize_t n, i;
            int fd;
            if (pid <= 0 || pid == (long)getpid())
                continue;
            snprintf(file, sizeof(file), "/proc/%ld/cmdline", pid);
            fd = open(file, O_RDONLY);
            if (fd < 0)
                continue;
            n = read(fd, cmd, sizeof(cmd) - 1);
            close(fd);
            for (i = 0; i < n; i++)
                if (cmd[i] == '\0')
                    cmd[i] = ' ';
            if (n > 0) {
                cmd[n] = '\0';
                if (strstr(cmd, path) != NULL)
                    found = pid;
            }
        }
        closedir(proc);
        if (found == 0)
            return;
        if (now_ms() > until)
            fail_msg("process %ld (%s) outlived its probe", found, path);
        usleep(50000);
    }
}

/* ---- The report is the helper's, not the module's ---------------------- */

/* A module that prints a report of its own (a module line, a class that
 * says it is test.runner, "done") on stdout and _exit(0)s: that is an exit
 * in facet_module_entry, and nothing it printed is believed. */
static void test_tools_probe_channel__forged_report(void **state)
{
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    FacetReport *rep;
    (void)state;
    rep = probe(hostile("forge"), 10000, FACET_OUTCOME_EXITED);
    expect_reason(rep, "exit status 0 in facet_module_entry");
    assert_int_equal(facet_report_module(&info, rep), FACET_E_NOTFOUND);
    assert_int_equal(facet_report_class_count(rep), 0);
    /* What it printed is shown as what it is: its stdout. */
    assert_non_null(strstr(facet_report_stdout(rep), "\"ev\":\"done\""));
    facet_report_free(rep);
    /* validate says the same, and fails. */
    {
        FacetCheckOptions opts = FACET_CHECK_OPTIONS_INIT;
        assert_int_equal(facet_validate(&rep, hostile("forge"), &opts), FACET_FALSE);
        assert_int_equal(facet_report_outcome(rep), FACET_OUTCOME_EXITED);
        facet_report_free(rep);
    }
    /* Positive control: the same widget without the forgery. */
    rep = probe(good_widget(), 10000, FACET_OUTCOME_OK);
    assert_int_equal(facet_report_module(&info, rep), FACET_OK);
    assert_string_equal(info.name, "test.widget");
    facet_report_free(rep);
    assert_no_leaks();
}

/* A banner without a newline, and a NUL byte, on stdout change nothing
 * in the report; the output is kept, repaired for display. */
static void test_tools_probe_channel__innocent_output(void **state)
{
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    FacetReport *rep;
    (void)state;
    rep = probe(hostile("banner"), 10000, FACET_OUTCOME_OK);
    assert_int_equal(facet_report_module(&info, rep), FACET_OK);
    assert_string_equal(info.name, "test.widget");
    assert_int_equal(facet_report_class_count(rep), 1);
    assert_string_equal(facet_report_stdout(rep), "hostile banner, and no newline after it");
    assert_string_equal(facet_report_stderr(rep), "");
    facet_report_free(rep);

    rep = probe(hostile("nul_stdout"), 10000, FACET_OUTCOME_OK);
    assert_int_equal(facet_report_module(&info, rep), FACET_OK);
    assert_int_equal(facet_report_class_count(rep), 1);
    assert_string_equal(facet_report_stdout(rep), "\xEF\xBF\xBD"); /* U+FFFD for the NUL */
    facet_report_free(rep);
    assert_no_leaks();
}

/* A module that closes the descriptors it inherited and returns: the
 * report is cut short, and that is no "ok". */
static void test_tools_probe_channel__closed_report(void **state)
{
    FacetReport *rep;
    (void)state;
    rep = probe(hostile("close_fds"), 10000, FACET_OUTCOME_BADREPORT);
    expect_reason(rep, "facet_module_entry");
    expect_reason(rep, "report channel");
    facet_report_free(rep);
    assert_no_leaks();
}

/* ---- Deadlines and what the module starts ------------------------------ */

/* Every descriptor closed, then pause(): both pipes end, and the wait for
 * the child still has its deadline. Nothing of it is left behind. */
static void test_tools_probe_channel__closed_descriptors_and_pause(void **state)
{
    int64_t start = now_ms();
    FacetReport *rep;
    (void)state;
    rep = probe(hostile("close_fds_pause"), 1500, FACET_OUTCOME_TIMEDOUT);
    expect_reason(rep, "hung in facet_module_entry (killed after 1500 ms)");
    facet_report_free(rep);
    if (now_ms() - start > 8000)
        fail_msg("the probe took %lld ms with a 1500 ms timeout", (long long)(now_ms() - start));
    expect_no_process_for(hostile("close_fds_pause"));
    assert_no_leaks();
}

/* A child of the module that holds its stdout open does not make a good
 * module "hang", and does not outlive the probe. */
static void test_tools_probe_channel__child_holds_stdout(void **state)
{
    const char *dir = facet_test_tmpdir();
    char pidfile[4200];
    int64_t start = now_ms();
    FacetReport *rep;
    (void)state;
    snprintf(pidfile, sizeof(pidfile), "%s/pid", dir);
    setenv("FACET_TEST_PIDFILE", pidfile, 1);
    rep = probe(hostile("fork_holds_stdout"), 10000, FACET_OUTCOME_OK);
    unsetenv("FACET_TEST_PIDFILE");
    facet_report_free(rep);
    if (now_ms() - start > 6000)
        fail_msg("the probe took %lld ms: it waited for the module's child",
                 (long long)(now_ms() - start));
    expect_gone(pid_from(pidfile));
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* A grandchild in a session of its own (a daemon) dies with the probe,
 * whether the module then returns, crashes or hangs. */
static void test_tools_probe_channel__setsid_grandchild(void **state)
{
    static const struct {
        const char *name;
        uint32_t outcome;
    } cases[] = {
        {"setsid_grandchild", FACET_OUTCOME_OK},
        {"setsid_then_crash", FACET_OUTCOME_CRASHED},
        {"setsid_then_hang", FACET_OUTCOME_TIMEDOUT},
    };
    size_t i;
    (void)state;
#ifndef __linux__
    skip(); /* only Linux lets the probe collect processes outside its group */
#endif
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *dir = facet_test_tmpdir();
        char pidfile[4200];
        FacetReport *rep;
        snprintf(pidfile, sizeof(pidfile), "%s/pid", dir);
        setenv("FACET_TEST_PIDFILE", pidfile, 1);
        rep = probe(hostile(cases[i].name), 5000, cases[i].outcome);
        unsetenv("FACET_TEST_PIDFILE");
        facet_report_free(rep);
        expect_gone(pid_from(pidfile));
        facet_test_remove_tree(dir);
    }
    assert_no_leaks();
}

/* ---- Probes on several threads ----------------------------------------- */

typedef struct Load {
    const char *path;
    uint32_t timeout_ms, outcome;
    unsigned rounds;
    unsigned wrong;     /* probes with another outcome */
    char reason[512];   /* the first of them */
} Load;

static void *probe_thread(void *p)
{
    Load *l = p;
    unsigned i;
    for (i = 0; i < l->rounds; i++) {
        FacetCheckOptions opts = FACET_CHECK_OPTIONS_INIT;
        FacetReport *rep = NULL;
        opts.timeout_ms = l->timeout_ms;
        facet_probe(&rep, l->path, &opts);
        if (rep == NULL || facet_report_outcome(rep) != l->outcome) {
            if (l->wrong++ == 0)
                snprintf(l->reason, sizeof(l->reason), "%s",
                         rep ? facet_report_reason(rep) : facet_last_error());
        }
        facet_report_free(rep);
    }
    return NULL;
}

/* Fast good probes beside slow ones on other threads: no child holds
 * another probe's pipe, so every fast one ends well within its time. */
static void test_tools_probe_channel__concurrent_probes(void **state)
{
    Load fast[3], slow[2];
    pthread_t t[5];
    size_t i;
    (void)state;
    for (i = 0; i < 3; i++) {
        memset(&fast[i], 0, sizeof(fast[i]));
        fast[i].path = good_widget();
        fast[i].timeout_ms = 3000;
        fast[i].outcome = FACET_OUTCOME_OK;
        fast[i].rounds = 30;
        assert_int_equal(pthread_create(&t[i], NULL, probe_thread, &fast[i]), 0);
    }
    for (i = 0; i < 2; i++) {
        memset(&slow[i], 0, sizeof(slow[i]));
        slow[i].path = hostile("slow");
        slow[i].timeout_ms = 20000;
        slow[i].outcome = FACET_OUTCOME_OK;
        slow[i].rounds = 3;
        assert_int_equal(pthread_create(&t[3 + i], NULL, probe_thread, &slow[i]), 0);
    }
    for (i = 0; i < 5; i++)
        pthread_join(t[i], NULL);
    for (i = 0; i < 3; i++)
        if (fast[i].wrong != 0)
            fail_msg("%u of %u good probes on thread %u failed: %s", fast[i].wrong,
                     fast[i].rounds, (unsigned)i, fast[i].reason);
    for (i = 0; i < 2; i++)
        if (slow[i].wrong != 0)
            fail_msg("a slow probe failed: %s", slow[i].reason);
    assert_no_leaks();
}

/* A descriptor this process opened without close-on-exec (a host's
 * sloppy pipe) does not reach the probe. The module checks the number it
 * is given; given one the probe always has (stderr), it sees it. */
static void test_tools_probe_channel__no_inherited_descriptors(void **state)
{
    FacetReport *rep;
    char number[16];
    int p[2];
    (void)state;
    assert_int_equal(pipe(p), 0);
    snprintf(number, sizeof(number), "%d", p[1]);
    setenv("FACET_TEST_LEAKED_FD", number, 1);
    rep = probe(hostile("leaked_fd"), 10000, FACET_OUTCOME_OK);
    facet_report_free(rep);
    /* Positive control: a descriptor the child does have is seen. */
    setenv("FACET_TEST_LEAKED_FD", "2", 1);
    rep = probe(hostile("leaked_fd"), 10000, FACET_OUTCOME_EXITED);
    expect_reason(rep, "exit status 9");
    assert_non_null(strstr(facet_report_stderr(rep), "descriptor 2 of the host is open here"));
    facet_report_free(rep);
    unsetenv("FACET_TEST_LEAKED_FD");
    close(p[0]);
    close(p[1]);
    assert_no_leaks();
}

/* ---- Output ------------------------------------------------------------ */

/* More than 16 MiB on stdout: killed and reported, its output cut. */
static void test_tools_probe_channel__flood(void **state)
{
    FacetReport *rep;
    const char *out;
    (void)state;
    rep = probe(hostile("flood"), 20000, FACET_OUTCOME_FLOODED);
    expect_reason(rep, "more than 16 MiB to stdout in facet_module_entry");
    out = facet_report_stdout(rep);
    assert_non_null(strstr(out, "bytes left out"));
    assert_true(strlen(out) < 4096 + 200);
    assert_int_equal(out[0], 'x');
    facet_report_free(rep);
    assert_no_leaks();
}

/* A crash inside the system loader (here a constructor) is said to be
 * there, and what the module wrote to stderr comes with it. */
static void test_tools_probe_channel__crash_in_dlopen(void **state)
{
    FacetReport *rep;
    (void)state;
    rep = probe(hostile("ctor_crash"), 10000, FACET_OUTCOME_CRASHED);
    expect_reason(rep, "crashed in dlopen ("); /* SIGSEGV; SIGABRT under UBSan */
    assert_non_null(strstr(facet_report_stderr(rep),
                           "the constructor of this library dereferences NULL"));
    facet_report_free(rep);
    assert_no_leaks();
}

/* ---- Text that is not UTF-8 -------------------------------------------- */

/* A compiler name and a class version in Latin-1: the records are kept,
 * each bad byte a U+FFFD. */
static void test_tools_probe_channel__latin1_module_info(void **state)
{
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    FacetClassInfo ci = FACET_CLASS_INFO_INIT;
    FacetReport *rep;
    (void)state;
    rep = probe(hostile("latin1_info"), 10000, FACET_OUTCOME_OK);
    assert_int_equal(facet_report_module(&info, rep), FACET_OK);
    assert_string_equal(info.compiler, "cc \xEF\xBF\xBDt\xEF\xBF\xBD (Latin-1)");
    assert_int_equal(facet_report_class_count(rep), 1);
    assert_int_equal(facet_report_class(&ci, rep, 0), FACET_OK);
    assert_string_equal(ci.version, "1.0.0-caf\xEF\xBF\xBD");
    facet_report_free(rep);
    assert_no_leaks();
}

/* Two kinds of non-library whose load error is not UTF-8 (a Latin-1 file
 * name; a 16-byte snippet cut in a character) fail to load, as they are:
 * never "ok". */
static void test_tools_probe_channel__latin1_load_errors(void **state)
{
    const char *dir = facet_test_tmpdir();
    char path[4200];
    const char *text = "123456789012345\xc3\xa9 is where the snippet is cut\n";
    FacetReport *rep;
    (void)state;
    snprintf(path, sizeof(path), "%s/caf\xe9" TOOLS_MODULE_SUFFIX, dir);
    facet_test_write_file(path, "This text file is named in Latin-1.\n", 36);
    rep = probe(path, 10000, FACET_OUTCOME_LOADFAILED);
    assert_string_equal(facet_report_path(rep) + strlen(facet_report_path(rep)) - 7,
                        "caf\xe9" TOOLS_MODULE_SUFFIX); /* the path itself is unchanged */
    expect_reason(rep, "caf\xEF\xBF\xBD" TOOLS_MODULE_SUFFIX);
    facet_report_free(rep);

    snprintf(path, sizeof(path), "%s/snippet" TOOLS_MODULE_SUFFIX, dir);
    facet_test_write_file(path, text, strlen(text));
    rep = probe(path, 10000, FACET_OUTCOME_LOADFAILED);
    expect_reason(rep, "text file");
    facet_report_free(rep);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tools_probe_channel__forged_report),
        cmocka_unit_test(test_tools_probe_channel__innocent_output),
        cmocka_unit_test(test_tools_probe_channel__closed_report),
        cmocka_unit_test(test_tools_probe_channel__closed_descriptors_and_pause),
        cmocka_unit_test(test_tools_probe_channel__child_holds_stdout),
        cmocka_unit_test(test_tools_probe_channel__setsid_grandchild),
        cmocka_unit_test(test_tools_probe_channel__concurrent_probes),
        cmocka_unit_test(test_tools_probe_channel__no_inherited_descriptors),
        cmocka_unit_test(test_tools_probe_channel__flood),
        cmocka_unit_test(test_tools_probe_channel__crash_in_dlopen),
        cmocka_unit_test(test_tools_probe_channel__latin1_module_info),
        cmocka_unit_test(test_tools_probe_channel__latin1_load_errors),
    };
    if (argc < 3) {
        fprintf(stderr, "usage: %s HOSTILE_DIR BROKEN_DIR\n", argv[0]);
        return 2;
    }
    hostile_dir = argv[1];
    broken_dir = argv[2];
    snprintf(good_widget_path, sizeof(good_widget_path), "%s/good_widget" TOOLS_MODULE_SUFFIX,
             broken_dir);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
