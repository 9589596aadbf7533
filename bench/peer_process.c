/*
 * bench/peer_process.c - a peer's program as a child (peer_process.h).
 */
#define _GNU_SOURCE
#include "peer_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int bench_peer_start(BenchPeerProcess *p, const char *path, char *const argv[])
{
    posix_spawn_file_actions_t fa;
    int down[2], up[2], r;
    memset(p, 0, sizeof(*p));
    if (pipe2(down, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(up, O_CLOEXEC) != 0) {
        close(down[0]);
        close(down[1]);
        return -1;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, down[0], 0);
    posix_spawn_file_actions_adddup2(&fa, up[1], 1);
    fflush(NULL);
    r = posix_spawn(&p->pid, path, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(down[0]);
    close(up[1]);
    if (r != 0) {
        fprintf(stderr, "bench: cannot start %s: %s\n", path, strerror(r));
        close(down[1]);
        close(up[0]);
        p->pid = 0;
        return -1;
    }
    p->to = fdopen(down[1], "w");
    p->from = fdopen(up[0], "r");
    if (p->to == NULL || p->from == NULL) {
        fprintf(stderr, "bench: fdopen: %s\n", strerror(errno));
        bench_peer_stop(p);
        return -1;
    }
    return 0;
}

int bench_peer_read_line(BenchPeerProcess *p, char *buf, size_t size)
{
    size_t n;
    if (p->from == NULL || fgets(buf, (int)size, p->from) == NULL) {
        fprintf(stderr, "bench: the peer program (pid %d) ended its output\n", (int)p->pid);
        return -1;
    }
    n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n')
        buf[n - 1] = '\0';
    return 0;
}

int bench_peer_stop(BenchPeerProcess *p)
{
    int status = 0, k;
    if (p->to != NULL)
        fclose(p->to);
    if (p->from != NULL)
        fclose(p->from);
    p->to = p->from = NULL;
    if (p->pid <= 0)
        return -1;
    for (k = 0; k < 200; k++) {
        struct timespec ts = {0, 10000000};
        pid_t w = waitpid(p->pid, &status, WNOHANG);
        if (w == p->pid) {
            p->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "bench: the peer program (pid %d) did not stop; killed\n", (int)p->pid);
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &status, 0);
    p->pid = 0;
    return -1;
}
