/*
 * bench/net.c - what a connection through the host's broker costs.
 *
 * net.connect.plain: socket(), connect() to a listener on loopback and
 * close(), in this process: the floor.
 * net.connect.broker: the same connection asked of IFacetNet by a module
 * that runs in a process host (the net.connect right checked in the host,
 * the name resolved, the connection made there, and the socket handed to
 * the child over the broker's socket pair), then closed by the module.
 * One call into the module makes `iters` connections, so the row is the
 * broker's cost per connection, not the call's.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <facet/proxystub.h>

#include "harness.h"
#include "ops.h"
#include "bench.h"

static int listener = -1;
static uint16_t port;
static pthread_t acceptor;
static FacetRuntime *rt;
static IBenchNet *net;

/* Accepts and closes whatever connects, until the listener is shut. */
static void *accept_all(void *arg)
{
    (void)arg;
    for (;;) {
        int c = accept(listener, NULL, NULL);
        if (c < 0)
            break;
        close(c);
    }
    return NULL;
}

static void quiet(uint32_t level, const char *module, const char *message, void *payload)
{
    (void)level;
    (void)module;
    (void)message;
    (void)payload;
}

static int setup(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    char dir[4096], path[4200], text[4600];
    FacetRuntimeOptions opts = FACET_RUNTIME_OPTIONS_INIT;

    listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(listener, 512) != 0 || getsockname(listener, (struct sockaddr *)&a, &len) != 0 ||
        pthread_create(&acceptor, NULL, accept_all, NULL) != 0) {
        perror("bench: a listener on loopback");
        return 1;
    }
    port = ntohs(a.sin_port);

    snprintf(dir, sizeof(dir), "%s/net-plugins", bench_options.tmpdir);
    snprintf(path, sizeof(path), "%s/netbench.so", dir);
    if (mkdir(dir, 0755) != 0 || bench_copy_file(bench_module_path("netbench.so"), path) != 0)
        return bench_fail(dir);
    snprintf(text, sizeof(text),
             "{\"name\": \"bench.net\", \"version\": \"1.0.0\", \"library\": \"netbench.so\",\n"
             " \"isolation\": \"process\", \"permissions\": [\"net.connect:127.0.0.1:%u\"],\n"
             " \"classes\": [{\"clsid\": \"{B3C4E0A1-6F2D-4E57-9A10-5C3B2D1E0F30}\",\n"
             "   \"contract\": \"bench.net\", \"version\": \"1.0.0\", \"threading\": \"any\",\n"
             "   \"interfaces\": [\"{B3C4E0A1-6F2D-4E57-9A10-5C3B2D1E0F03}\"]}]}\n",
             (unsigned)port);
    snprintf(path, sizeof(path), "%s/netbench.facet.json", dir);
    if (bench_write_text(path, text) != 0)
        return bench_fail(path);
    snprintf(text, sizeof(text),
             "{\"plugin_folders\": [\"%s\"],\n"
             " \"modules\": {\"bench.net\": {\"permissions\": [\"net.connect:127.0.0.1:%u\"]}}}\n",
             dir, (unsigned)port);
    snprintf(path, sizeof(path), "%s/net.conf.json", bench_options.tmpdir);
    if (bench_write_text(path, text) != 0)
        return bench_fail(path);
    if (FACET_FAILED(facet_proxy_stubs_load(bench_module_path("bench_ps.so"))))
        return bench_fail("bench_ps.so");
    opts.scan_index = "";
    opts.log = quiet;
    if (FACET_FAILED(facet_runtime_new(&rt, &opts)) ||
        FACET_FAILED(facet_runtime_load_config(NULL, rt, path)) ||
        FACET_FAILED(facet_create_instance_by_name((void **)&net, rt, "bench.net", NULL,
                                                   &IID_IBenchNet)))
        return bench_fail("the process-isolated bench.net");
    /* the first connection, and the process host, warm */
    if (FACET_FAILED(IBenchNet_Connect(net, "127.0.0.1", port, 1)))
        return bench_fail("IFacetNet::Connect through the broker");
    return 0;
}

static void teardown(void)
{
    if (net != NULL)
        IBenchNet_Release(net);
    facet_runtime_free(rt);
    if (listener >= 0) {
        shutdown(listener, SHUT_RDWR);
        pthread_join(acceptor, NULL);
        close(listener);
    }
}

static double connect_plain(uint64_t iters)
{
    struct sockaddr_in a;
    uint64_t i, t0 = bench_now();
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    for (i = 0; i < iters; i++) {
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
            if (s >= 0)
                close(s);
            return bench_error("connect on loopback");
        }
        close(s);
    }
    return (double)(bench_now() - t0) / (double)iters;
}

static double connect_broker(uint64_t iters)
{
    uint64_t t0 = bench_now();
    if (FACET_FAILED(IBenchNet_Connect(net, "127.0.0.1", port, (uint32_t)iters)))
        return bench_error("IFacetNet::Connect through the broker");
    return (double)(bench_now() - t0) / (double)iters;
}

static const BenchImpl impls[] = {
    {"net.connect.plain", connect_plain},
    {"net.connect.broker", connect_broker},
};

static const BenchArea area = {"net", setup, teardown, impls, sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    return bench_main(argc, argv, &area);
}
