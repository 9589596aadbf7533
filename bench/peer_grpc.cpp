/*
 * bench/peer_grpc.cpp - gRPC, the RPC engine most services call each
 * other with, between two processes on loopback: a synchronous unary call
 * from this program to bench_grpc_server (bench/peer/grpc_server.cpp)
 * over 127.0.0.1, with protobuf messages (bench/peer/echo.proto), as a
 * C++ user of gRPC writes it. Neither process is pinned: gRPC runs
 * threads of its own on both sides.
 *
 * grpc.unary is the baseline of peer.grpc.roundtrip, Facet's call into a
 * process-isolated module: IBenchAdder::Add on bench_mod_one.so's adder
 * created through the runtime in facet-host (ops.c's
 * bench_isolated_calls), neither process pinned either.
 */
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "echo.grpc.pb.h"
#include "harness.h"
#include "ops.h"
#include "peer_process.h"

namespace {

BenchPeerProcess server;
std::unique_ptr<facet::bench::Echo::Stub> stub;
uint64_t counter;

/* iters unary calls with size bytes each way; nanoseconds per call, or
 * -1 if a call failed or came back wrong. */
double unary(uint64_t iters, size_t size)
{
    facet::bench::Payload request, reply;
    std::string data(size, 'x');
    uint64_t t0 = bench_now();
    for (uint64_t i = 0; i < iters; i++) {
        grpc::ClientContext ctx;
        uint64_t c = counter++, back = 0;
        if (size >= sizeof(c))
            std::memcpy(&data[0], &c, sizeof(c));
        request.set_data(data);
        grpc::Status st = stub->Call(&ctx, request, &reply);
        if (!st.ok()) {
            std::fprintf(stderr, "bench_peer_grpc: Echo.Call: %s\n", st.error_message().c_str());
            return -1;
        }
        if (size >= sizeof(back) && reply.data().size() == size)
            std::memcpy(&back, reply.data().data(), sizeof(back));
        if (reply.data().size() != size || (size >= sizeof(back) && back != c + 1)) {
            std::fprintf(stderr, "bench_peer_grpc: Echo.Call: wrong reply\n");
            return -1;
        }
    }
    return (double)(bench_now() - t0) / (double)iters;
}

double grpc_unary(uint64_t iters)
{
    return unary(iters, 0);
}

double grpc_unary_64b(uint64_t iters)
{
    return unary(iters, 64);
}

FacetRuntime *facet_rt;
IBenchAdder *facet_adder;

double peer_grpc_roundtrip(uint64_t iters)
{
    return bench_isolated_calls(facet_adder, iters);
}

void teardown();

int setup()
{
    static char path[4096];
    char line[128];
    int port = 0;
    std::snprintf(path, sizeof(path), "%s", bench_module_path("bench_grpc_server"));
    char *argv[] = {path, nullptr};
    if (bench_peer_start(&server, path, argv) != 0)
        return 1;
    if (bench_peer_read_line(&server, line, sizeof(line)) != 0 ||
        std::sscanf(line, "port %d", &port) != 1 || port <= 0) {
        std::fprintf(stderr, "bench_peer_grpc: %s did not say its port\n", path);
        bench_peer_stop(&server);
        return 1;
    }
    auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                       grpc::InsecureChannelCredentials());
    stub = facet::bench::Echo::NewStub(channel);
    /* The first call connects. */
    if (unary(1, 64) < 0 || (facet_rt = bench_isolated_runtime()) == nullptr ||
        (facet_adder = bench_isolated_adder(facet_rt)) == nullptr) {
        teardown();
        return 1;
    }
    return 0;
}

void teardown()
{
    if (facet_adder != nullptr)
        facet_adder->Release();
    facet_adder = nullptr;
    if (facet_rt != nullptr)
        facet_runtime_free(facet_rt);
    facet_rt = nullptr;
    stub.reset();
    bench_peer_stop(&server);
}

const BenchImpl impls[] = {
    {"grpc.unary", grpc_unary},
    {"grpc.unary.64b", grpc_unary_64b},
    {"peer.grpc.roundtrip", peer_grpc_roundtrip},
};

const BenchArea area = {"peer_grpc", setup, teardown, impls, sizeof(impls) / sizeof(impls[0])};

} // namespace

int main(int argc, char **argv)
{
    return bench_main(argc, argv, &area);
}
