/*
 * tests/isolation/broker.c - IFacetNet, the host's net.connect broker: a
 * module connects only to the host and port its manifest requests and the
 * configuration grants, in the host's process (the host object connects
 * for it) and in a process host (the host connects and hands the child
 * the socket: over the broker's socket pair on Linux, with
 * WSADuplicateSocketW over the broker's pipe on Windows). Against a server
 * listening on loopback, which answers a client's "PING" with four bytes:
 * the granted port answers; the next port, the granted host by another
 * name, a grant the manifest never requested, and a module the
 * configuration grants nothing are refused with FACET_E_ACCESSDENIED and a
 * log line naming host:port, and the server sees no connection for them.
 *
 * The same cases run on Linux and on Windows (the MinGW build, under
 * Wine), through tests/support/loopback.h.
 *
 * FACET_TEST_NETPROBE names the module's library, FACET_TEST_PROXY_STUBS
 * the library of its proxies and stubs.
 */
#ifndef _WIN32
#define _DEFAULT_SOURCE 1
#define _POSIX_C_SOURCE 200809L
#endif
#include <pthread.h>
#include <stdlib.h>

#include "plugtest.h"

#include <facet/proxystub.h>

#include "loopback.h"
#include "netprobe.h"

#ifdef _WIN32
#define test_pid() ((uint32_t)GetCurrentProcessId())
#else
#define test_pid() ((uint32_t)getpid())
#endif

#define MAGIC 0x5EC0FFEEu

static const char *module_file;

/* ---- A server on loopback ------------------------------------------------ */

typedef struct Server {
    TestSocket fd;
    uint16_t port;
    uint32_t accepted;          /* atomic: connections it answered */
    uint32_t stop;              /* atomic: the next connection ends it */
    pthread_t thread;
} Server;

/* Answers MAGIC to a client that says "PING", 0 to one that does not. */
static void *serve(void *arg)
{
    Server *s = arg;
    for (;;) {
        uint32_t value = MAGIC;
        char ping[4];
        size_t got = 0;
        TestSocket c = accept(s->fd, NULL, NULL);
        if (c == INVALID_SOCKET)
            break;
        if (__atomic_load_n(&s->stop, __ATOMIC_SEQ_CST)) {
            close_socket(c);
            break;
        }
        __atomic_add_fetch(&s->accepted, 1u, __ATOMIC_SEQ_CST);
        while (got < sizeof(ping)) {
            int n = (int)recv(c, ping + got, (int)(sizeof(ping) - got), 0);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        if (got != sizeof(ping) || memcmp(ping, "PING", 4) != 0)
            value = 0;
        (void)!send(c, (const char *)&value, sizeof(value), 0);
        close_socket(c);
    }
    return NULL;
}

static void server_start(Server *s)
{
    memset(s, 0, sizeof(*s));
    s->fd = loopback_listen(&s->port);
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

/* Ends the server by a last connection of its own (a listening socket
 * closed under a blocked accept wakes it on Linux, not everywhere). */
static void server_stop(Server *s)
{
    TestSocket c;
    __atomic_store_n(&s->stop, 1u, __ATOMIC_SEQ_CST);
    c = loopback_connect(s->port);
    pthread_join(s->thread, NULL);
    close_socket(c);
    close_socket(s->fd);
}

/* ---- The runtime's log ----------------------------------------------------- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_text[16384];

static void on_log(uint32_t level, const char *module, const char *message, void *payload)
{
    (void)payload;
    pthread_mutex_lock(&log_lock);
    if (level >= FACET_LOG_WARN && strlen(log_text) + strlen(message) + 64 < sizeof(log_text)) {
        strcat(log_text, module);
        strcat(log_text, ": ");
        strcat(log_text, message);
        strcat(log_text, "\n");
    }
    pthread_mutex_unlock(&log_lock);
}

static int logged(const char *text)
{
    int found;
    pthread_mutex_lock(&log_lock);
    found = strstr(log_text, text) != NULL;
    pthread_mutex_unlock(&log_lock);
    return found;
}

/* ---- The module, as the test sets it up ------------------------------------ */

/* A folder with the module, its manifest (which requests the server's
 * port, the next one, and the server's port by the name localhost), and a
 * configuration that grants the server's port and one the manifest does
 * not request (granted), or nothing (!granted), with isolation as given. */
static FacetRuntime *runtime_for(const char *isolation, int granted, uint16_t port, char *dir,
                                 size_t size)
{
    char grants[256];
    char text[4096], path[4400];
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;
    FacetRuntime *rt = NULL;
    size_t n;
    void *data;

    snprintf(dir, size, "%s", plug_folder());
    data = facet_test_read_file(module_file, &n);
    snprintf(path, sizeof(path), "%s/netprobe" PLUG_SUFFIX, dir);
    facet_test_write_file(path, data, n);
    free(data);
    snprintf(text, sizeof(text),
             "{\"name\": \"test.net\", \"version\": \"1.0.0\", \"library\": \"netprobe" PLUG_SUFFIX
             "\",\n"
             " \"classes\": [{\"clsid\": \"{E58CC76F-FC85-44FF-8B65-158AF191C2CA}\",\n"
             "   \"contract\": \"test.net.probe\", \"version\": \"1.0.0\", \"threading\": \"any\",\n"
             "   \"interfaces\": [\"{702DA9FA-CA3E-4EAF-B652-3B63354B42B6}\"]}],\n"
             " \"permissions\": [\"net.connect:127.0.0.1:%u\", \"net.connect:127.0.0.1:%u\",\n"
             "                   \"net.connect:localhost:%u\"]}",
             (unsigned)port, (unsigned)port + 1, (unsigned)port);
    plug_write(dir, "netprobe.facet.json", text);
    if (granted)
        snprintf(grants, sizeof(grants), "\"net.connect:127.0.0.1:%u\", \"net.connect:127.0.0.1:%u\"",
                 (unsigned)port, (unsigned)port + 2);
    else
        grants[0] = '\0';
    snprintf(text, sizeof(text),
             "{\"plugin_folders\": [\".\"],\n"
             " \"modules\": {\"test.net\": {\"isolation\": \"%s\",\n"
             "   \"permissions\": [%s]}}}",
             isolation, grants);
    plug_write(dir, "facet.conf.json", text);
    snprintf(path, sizeof(path), "%s/facet.conf.json", dir);
    opts.log = on_log;
    opts.scan_index = "";
    assert_int_equal(facet_runtime_new(&rt, &opts), FACET_OK);
    assert_int_equal(facet_runtime_load_config(NULL, rt, path), FACET_OK);
    return rt;
}

/* The module, made in the process isolation says, and checked to be
 * there. */
static INetProbe *probe_in(FacetRuntime *rt, const char *isolation)
{
    INetProbe *p = NULL;
    uint32_t pid = 0;
    FacetResult r;
    r = facet_create_instance_by_name((void **)&p, rt, "test.net.probe", NULL, &IID_INetProbe);
    if (r != FACET_OK)
        print_message("create: %s\n", facet_last_error());
    assert_int_equal(r, FACET_OK);
    assert_int_equal(INetProbe_Pid(p, &pid), FACET_OK);
    if (strcmp(isolation, "process") == 0)
        assert_int_not_equal(pid, test_pid());
    else
        assert_int_equal(pid, test_pid());
    return p;
}

static void run_broker(const char *isolation)
{
    char dir[4096], text[256];
    Server s;
    FacetRuntime *rt;
    INetProbe *p;
    uint32_t value = 0, before;
    FacetResult r;

    log_text[0] = '\0';
    server_start(&s);
    rt = runtime_for(isolation, 1, s.port, dir, sizeof(dir));
    p = probe_in(rt, isolation);

    /* granted: the server answers (the positive control) */
    r = INetProbe_Fetch(p, "127.0.0.1", s.port, &value);
    if (r != FACET_OK)
        print_message("fetch: %s\n%s", facet_last_error(), log_text);
    assert_int_equal(r, FACET_OK);
    assert_int_equal(value, MAGIC);
    assert_int_equal(__atomic_load_n(&s.accepted, __ATOMIC_SEQ_CST), 1);
    /* twice, each with its own socket */
    value = 0;
    assert_int_equal(INetProbe_Fetch(p, "127.0.0.1", s.port, &value), FACET_OK);
    assert_int_equal(value, MAGIC);
    before = __atomic_load_n(&s.accepted, __ATOMIC_SEQ_CST);
    assert_int_equal(before, 2);
    assert_false(logged("was denied"));

    /* the next port: requested, not granted */
    assert_int_equal(INetProbe_Fetch(p, "127.0.0.1", (uint32_t)s.port + 1, &value),
                     FACET_E_ACCESSDENIED);
    snprintf(text, sizeof(text), "denied a connection to 127.0.0.1:%u", (unsigned)s.port + 1);
    assert_true(logged(text));
    /* the granted host by another name */
    assert_int_equal(INetProbe_Fetch(p, "localhost", s.port, &value), FACET_E_ACCESSDENIED);
    snprintf(text, sizeof(text), "denied a connection to localhost:%u", (unsigned)s.port);
    assert_true(logged(text));
    /* granted, never requested */
    assert_int_equal(INetProbe_Fetch(p, "127.0.0.1", (uint32_t)s.port + 2, &value),
                     FACET_E_ACCESSDENIED);
    assert_true(logged("its manifest does not request it"));
    /* no port a permission could name */
    assert_int_equal(INetProbe_Fetch(p, "127.0.0.1", 0, &value), FACET_E_INVALIDARG);
    assert_int_equal(INetProbe_Fetch(p, "127.0.0.1", 70000, &value), FACET_E_INVALIDARG);
    assert_int_equal(__atomic_load_n(&s.accepted, __ATOMIC_SEQ_CST), before);

    /* and the granted one still works after the refusals */
    value = 0;
    assert_int_equal(INetProbe_Fetch(p, "127.0.0.1", s.port, &value), FACET_OK);
    assert_int_equal(value, MAGIC);
    INetProbe_Release(p);
    facet_runtime_free(rt);
    server_stop(&s);
}

/* The configuration grants the module nothing: the port its manifest
 * requests is refused, in the process it runs in, and the server sees no
 * connection. */
static void run_ungranted(const char *isolation)
{
    char dir[4096], text[256];
    Server s;
    FacetRuntime *rt;
    INetProbe *p;
    uint32_t value = 0;

    log_text[0] = '\0';
    server_start(&s);
    rt = runtime_for(isolation, 0, s.port, dir, sizeof(dir));
    p = probe_in(rt, isolation);
    assert_int_equal(INetProbe_Fetch(p, "127.0.0.1", s.port, &value), FACET_E_ACCESSDENIED);
    snprintf(text, sizeof(text), "denied a connection to 127.0.0.1:%u", (unsigned)s.port);
    assert_true(logged(text));
    assert_true(logged("the host configuration does not grant it"));
    assert_int_equal(__atomic_load_n(&s.accepted, __ATOMIC_SEQ_CST), 0);
    INetProbe_Release(p);
    facet_runtime_free(rt);
    server_stop(&s);
}

static void test_isolation_broker__in_process(void **state)
{
    (void)state;
    run_broker("in-process");
}

static void test_isolation_broker__process(void **state)
{
    (void)state;
    run_broker("process");
}

static void test_isolation_broker__ungranted_in_process(void **state)
{
    (void)state;
    run_ungranted("in-process");
}

static void test_isolation_broker__ungranted_process(void **state)
{
    (void)state;
    run_ungranted("process");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isolation_broker__in_process),
        cmocka_unit_test(test_isolation_broker__process),
        cmocka_unit_test(test_isolation_broker__ungranted_in_process),
        cmocka_unit_test(test_isolation_broker__ungranted_process),
    };
    const char *ps = getenv("FACET_TEST_PROXY_STUBS");
    module_file = getenv("FACET_TEST_NETPROBE");
    if (module_file == NULL || ps == NULL) {
        fprintf(stderr, "FACET_TEST_NETPROBE and FACET_TEST_PROXY_STUBS name the test module's "
                        "library and its proxies and stubs\n");
        return 2;
    }
    if (facet_proxy_stubs_load(ps) != FACET_OK) {
        fprintf(stderr, "%s\n", facet_last_error());
        return 2;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
