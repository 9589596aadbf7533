/*
 * bench/peer_goplugin.c - HashiCorp's go-plugin, the plugin system of
 * Terraform, Vault and Nomad: a Go host calling a method of a Go plugin in
 * another process, with a 64-byte argument and a 64-byte result, over
 * net/rpc (go-plugin's default) and over gRPC. The host and the plugins
 * are bench/peer/goplugin/main.go, built with Debian's Go and go-plugin;
 * this program runs the host as a child and asks it for N calls at a time
 * (the time of the N calls is measured inside the host, so this program's
 * own requests are not in the figure). Nothing is pinned: go-plugin's
 * processes run Go's scheduler threads.
 *
 * goplugin.netrpc, go-plugin as its users use it by default, is the
 * baseline of peer.goplugin.roundtrip, Facet's call into a
 * process-isolated module: IBenchAdder::Add on bench_mod_one.so's adder
 * created through the runtime in facet-host (ops.c's
 * bench_isolated_calls), as in bench/peer_grpc.cpp. It carries an int
 * there and back, not 64 bytes: a copy that costs nanoseconds against a
 * call that costs microseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ops.h"
#include "peer_process.h"

static BenchPeerProcess host;
static FacetRuntime *facet_rt;
static IBenchAdder *facet_adder;

/* iters calls through the plugin of protocol ("netrpc" or "grpc");
 * nanoseconds per call. */
static double calls(const char *protocol, uint64_t iters)
{
    char line[256], *end;
    double ns;
    fprintf(host.to, "%s %llu\n", protocol, (unsigned long long)iters);
    fflush(host.to);
    if (bench_peer_read_line(&host, line, sizeof(line)) != 0)
        return -1;
    ns = strtod(line, &end);
    if (end == line || *end != '\0' || ns <= 0) {
        fprintf(stderr, "bench_peer_goplugin: the host answered '%s'\n", line);
        return -1;
    }
    return ns / (double)iters;
}

static double goplugin_netrpc(uint64_t iters)
{
    return calls("netrpc", iters);
}

static double goplugin_grpc(uint64_t iters)
{
    return calls("grpc", iters);
}

static double peer_goplugin_roundtrip(uint64_t iters)
{
    return bench_isolated_calls(facet_adder, iters);
}

static void teardown(void);

static int setup(void)
{
    static char path[4096];
    char line[256];
    char *argv[2];
    snprintf(path, sizeof(path), "%s", bench_module_path("goplugin_bench"));
    argv[0] = path;
    argv[1] = NULL;
    if (bench_peer_start(&host, path, argv) != 0)
        return 1;
    if (bench_peer_read_line(&host, line, sizeof(line)) != 0 || strcmp(line, "ready") != 0) {
        fprintf(stderr, "bench_peer_goplugin: %s did not start its plugins\n", path);
        bench_peer_stop(&host);
        return 1;
    }
    if ((facet_rt = bench_isolated_runtime()) == NULL ||
        (facet_adder = bench_isolated_adder(facet_rt)) == NULL) {
        teardown();
        return 1;
    }
    return 0;
}

static void teardown(void)
{
    if (facet_adder != NULL)
        IBenchAdder_Release(facet_adder);
    facet_adder = NULL;
    if (facet_rt != NULL)
        facet_runtime_free(facet_rt);
    facet_rt = NULL;
    bench_peer_stop(&host);
}

static const BenchImpl impls[] = {
    {"goplugin.netrpc", goplugin_netrpc},
    {"goplugin.grpc", goplugin_grpc},
    {"peer.goplugin.roundtrip", peer_goplugin_roundtrip},
};

static const BenchArea area = {"peer_goplugin", setup, teardown, impls,
                               sizeof(impls) / sizeof(impls[0])};

int main(int argc, char **argv)
{
    return bench_main(argc, argv, &area);
}
