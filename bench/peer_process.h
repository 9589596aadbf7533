/*
 * bench/peer_process.h - a peer's program run as a child of a benchmark
 * and spoken to in lines over its standard input and output: the gRPC
 * server (bench/peer/grpc_server.cpp) and the go-plugin host
 * (bench/peer/goplugin/main.go). Closing its standard input tells it to
 * stop.
 */
#ifndef FACET_BENCH_PEER_PROCESS_H
#define FACET_BENCH_PEER_PROCESS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct BenchPeerProcess {
    pid_t pid;
    FILE *to;   /* its standard input */
    FILE *from; /* its standard output */
} BenchPeerProcess;

/* Starts the program at path (of the module folder) with the arguments
 * argv (argv[0] first, NULL last); its standard error stays ours. 0 on
 * success, -1 with a message on stderr. */
int bench_peer_start(BenchPeerProcess *p, const char *path, char *const argv[]);

/* Reads one line (without its newline) into buf; 0 on success, -1 (with a
 * message naming the peer) at the end of its output. */
int bench_peer_read_line(BenchPeerProcess *p, char *buf, size_t size);

/* Closes its standard input and waits for it to exit; returns its exit
 * status, or -1 if it did not exit on its own within two seconds (it is
 * killed then). */
int bench_peer_stop(BenchPeerProcess *p);

#ifdef __cplusplus
}
#endif

#endif
