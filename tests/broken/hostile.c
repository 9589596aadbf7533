/*
 * tests/broken/hostile.c - the good widget of widget.c in a module that
 * misbehaves around it, one HOSTILE_* macro at a time
 * (tests/broken/CMakeLists.txt): what the probe must survive and report
 * truthfully. widget.c calls widget_hook_entry() at the start of its
 * facet_module_entry and hands widget_hook_factory() its factory's vtable.
 *
 * FACET_TEST_PIDFILE, when set, is where a module that starts processes
 * writes the id of the one that should not outlive the probe.
 */
#define _GNU_SOURCE /* setsid, pause */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "facet/abi.h"

void widget_hook_entry(void);
void widget_hook_factory(IFacetFactoryVtbl *vtbl);

#if defined(HOSTILE_CTOR_CRASH) || defined(HOSTILE_THEN_CRASH)
volatile int *volatile hostile_nowhere;
#endif

/* Writes pid to $FACET_TEST_PIDFILE. */
static void save_pid(long pid)
{
    const char *file = getenv("FACET_TEST_PIDFILE");
    FILE *f = file != NULL ? fopen(file, "w") : NULL;
    if (f != NULL) {
        fprintf(f, "%ld\n", pid);
        fclose(f);
    }
}

#ifdef HOSTILE_CTOR_CRASH
/* Dies inside the system loader, as a constructor (or an ld.so assertion)
 * does, after saying so on stderr. */
__attribute__((constructor)) static void hostile_ctor(void)
{
    fprintf(stderr, "hostile: the constructor of this library dereferences NULL\n");
    fflush(stderr);
    *hostile_nowhere = 1;
}
#endif

#ifdef HOSTILE_SETSID_GRANDCHILD
/* A daemon: a child that leaves the session and forks a grandchild that
 * outlives it, far from the probe's process group. */
static void start_daemon(void)
{
    int p[2];
    long pid = 0;
    pid_t child;
    if (pipe(p) != 0)
        return;
    child = fork();
    if (child == 0) {
        setsid();
        if (fork() == 0) {
            long me = (long)getpid();
            if (write(p[1], &me, sizeof(me)) != (ssize_t)sizeof(me))
                _exit(1);
            for (;;)
                sleep(60);
        }
        _exit(0);
    }
    close(p[1]);
    if (child > 0 && read(p[0], &pid, sizeof(pid)) == (ssize_t)sizeof(pid))
        save_pid(pid);
    close(p[0]);
    if (child > 0)
        waitpid(child, NULL, 0);
}
#endif

void widget_hook_entry(void)
{
#if defined(HOSTILE_FORGE)
    /* The report of a module that says it is test.runner and that all went
     * well, in the form the probe once wrote on stdout, and a quiet end. */
    printf("{\"ev\":\"module\",\"name\":\"test.runner\",\"version\":\"1.0.0\","
           "\"api_level\":1,\"compiler\":\"forged\",\"abi_version\":1}\n"
           "{\"ev\":\"class\",\"clsid\":\"{70017001-0000-4000-8000-000000000001}\","
           "\"contract\":\"test.runner\",\"version\":\"1.0.0\",\"threading\":0,"
           "\"interfaces\":[\"{7DFAF1A2-E689-4C12-81D5-B0C9BE7BF48F}\"]}\n"
           "{\"ev\":\"done\"}\n");
    fflush(stdout);
    _exit(0);
#elif defined(HOSTILE_BANNER)
    printf("hostile banner, and no newline after it");
    fflush(stdout);
#elif defined(HOSTILE_NUL_STDOUT)
    fwrite("\0", 1, 1, stdout);
    fflush(stdout);
#elif defined(HOSTILE_CLOSE_FDS_PAUSE)
    int fd;
    for (fd = 0; fd < 1024; fd++)
        close(fd);
    for (;;)
        pause();
#elif defined(HOSTILE_CLOSE_FDS)
    /* What a daemon does to what it inherited, here in a library. */
    int fd;
    for (fd = 3; fd < 1024; fd++)
        close(fd);
#elif defined(HOSTILE_FORK_HOLDS_STDOUT)
    /* A child that keeps the module's stdout and stderr open, and lives. */
    pid_t child = fork();
    if (child == 0) {
        sleep(60);
        _exit(0);
    }
    save_pid((long)child);
#elif defined(HOSTILE_SETSID_GRANDCHILD)
    start_daemon();
#if defined(HOSTILE_THEN_CRASH)
    *hostile_nowhere = 1;
#elif defined(HOSTILE_THEN_HANG)
    for (;;)
        sleep(60);
#endif
#elif defined(HOSTILE_FLOOD)
    /* 17 MiB on stdout, then a module like any other. */
    static char block[65536];
    int i;
    memset(block, 'x', sizeof(block));
    for (i = 0; i < 17 * 16; i++)
        if (fwrite(block, 1, sizeof(block), stdout) != sizeof(block))
            break;
    fflush(stdout);
#elif defined(HOSTILE_LEAKED_FD)
    /* A descriptor of the host's, opened without close-on-exec, must not
     * have reached the probe. */
    const char *leaked = getenv("FACET_TEST_LEAKED_FD");
    if (leaked != NULL && fcntl(atoi(leaked), F_GETFD) != -1) {
        fprintf(stderr, "hostile: descriptor %s of the host is open here\n", leaked);
        exit(9);
    }
#elif defined(HOSTILE_SLOW)
    sleep(5);
#endif
}

#ifdef HOSTILE_LATIN1_INFO
static FacetResult(FACET_CALL *kit_info)(IFacetFactory *, FacetModuleInfo *);
static FacetResult(FACET_CALL *kit_describe)(IFacetFactory *, uint32_t, FacetClassInfo *);

/* A compiler and a contract name in Latin-1, not UTF-8. */
static FacetResult FACET_CALL latin1_info(IFacetFactory *self, FacetModuleInfo *out)
{
    FacetResult r = kit_info(self, out);
    if (FACET_SUCCEEDED(r))
        out->compiler = "cc \xe9t\xe9 (Latin-1)";
    return r;
}

static FacetResult FACET_CALL latin1_describe(IFacetFactory *self, uint32_t index,
                                              FacetClassInfo *out)
{
    FacetResult r = kit_describe(self, index, out);
    if (FACET_SUCCEEDED(r))
        out->version = "1.0.0-caf\xe9";
    return r;
}
#endif

void widget_hook_factory(IFacetFactoryVtbl *vtbl)
{
#ifdef HOSTILE_LATIN1_INFO
    kit_info = vtbl->GetModuleInfo;
    kit_describe = vtbl->DescribeClass;
    vtbl->GetModuleInfo = latin1_info;
    vtbl->DescribeClass = latin1_describe;
#else
    (void)vtbl;
#endif
}
