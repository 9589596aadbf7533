// bench/peer/grpc_server.cpp - the server side of the gRPC peer
// (bench/peer_grpc.cpp): a synchronous gRPC server of the Echo service on
// 127.0.0.1, at a port the system picks. It writes "port N" on its
// standard output once it listens, and stops when its standard input ends
// (the benchmark closed it, or died).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include "echo.grpc.pb.h"

namespace {

class EchoService final : public facet::bench::Echo::Service {
    grpc::Status Call(grpc::ServerContext *, const facet::bench::Payload *request,
                      facet::bench::Payload *reply) override
    {
        std::string data = request->data();
        if (data.size() >= sizeof(uint64_t)) {
            uint64_t counter;
            std::memcpy(&counter, data.data(), sizeof(counter));
            counter++;
            std::memcpy(&data[0], &counter, sizeof(counter));
        }
        reply->set_data(std::move(data));
        return grpc::Status::OK;
    }
};

} // namespace

int main()
{
    EchoService service;
    int port = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service);
    std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
    if (!server || port == 0) {
        std::fprintf(stderr, "bench_grpc_server: cannot listen on 127.0.0.1\n");
        return 1;
    }
    std::printf("port %d\n", port);
    std::fflush(stdout);
    std::thread stopper([&server] {
        char c;
        while (read(0, &c, 1) > 0)
            ;
        server->Shutdown();
    });
    server->Wait();
    stopper.join();
    return 0;
}
