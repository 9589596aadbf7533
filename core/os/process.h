/*
 * core/os/process.h - child processes and threads for the probe
 * and the conformance run (core/probe.c, core/validate.c).
 * core/os/process_posix.c and core/os/process_win32.c implement the same
 * names.
 */
#ifndef FACET_CORE_OS_PROCESS_H
#define FACET_CORE_OS_PROCESS_H

#include <stdint.h>

#include "facet/abi.h"

/* How a child process ended. */
#define FACET_OS_CHILD_EXITED 0u   /* it returned or called exit(); code is the status */
#define FACET_OS_CHILD_SIGNALED 1u /* killed by a signal (an exception code on Windows) */
#define FACET_OS_CHILD_TIMEDOUT 2u /* still running at the deadline; it was killed */

typedef struct FacetOsChildResult {
    uint32_t how;        /* FACET_OS_CHILD_* */
    int64_t code;        /* exit status, signal number or exception code */
    char *out;           /* what it wrote to stdout, NUL-terminated (facet__malloc) */
    uint64_t out_size;
    char *err;           /* the last bytes it wrote to stderr, NUL-terminated */
} FacetOsChildResult;

/* Runs exe with argv (argv[0] included, NULL-terminated), stdin closed,
 * and collects stdout (up to max_out bytes; more is a FACET_E_FAIL) and the
 * tail of stderr. A child still running after timeout_ms is killed with its
 * whole process group. Fails only when the child cannot be started or
 * watched (FACET_E_FILENOTFOUND, FACET_E_FAIL); how the child ended is in
 * out. */
FacetResult facet__os_run_child(FacetOsChildResult *out, const char *exe,
                                const char *const *argv, uint32_t timeout_ms, uint64_t max_out);
/* Frees out and err (the same on every platform: core/report.c). */
void facet__os_child_result_free(FacetOsChildResult *r);

/* "SIGSEGV", "access violation (0xC0000005)": how a child died, for a message. */
const char *facet__os_death_name(int64_t code, char *buf, uint32_t size);

/* The folder libfacet itself was loaded from (facet__malloc). */
FacetResult facet__os_library_dir(char **out);

/* A file a program can run: "x" on POSIX, "x.exe" on Windows. */
const char *facet__os_exe_suffix(void);
/* A module's file name suffix: ".so", ".dll", ".dylib". */
const char *facet__os_module_suffix(void);

/* Renames from to to, replacing to if it exists, in one step where the
 * system can (rename on POSIX, MoveFileExW on Windows). */
FacetResult facet__os_replace_file(const char *from, const char *to);

typedef struct FacetOsThread {
    void *handle;
} FacetOsThread;

FacetResult facet__os_thread_start(FacetOsThread *out, void (*fn)(void *), void *arg);
void facet__os_thread_join(FacetOsThread *t);

#endif /* FACET_CORE_OS_PROCESS_H */
