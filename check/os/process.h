/*
 * check/os/process.h - child processes and threads for the probe
 * and the conformance run (check/validate.c, check/helper.c).
 * check/os/process_posix.c and check/os/process_win32.c implement the same
 * names.
 */
#ifndef FACET_CORE_OS_PROCESS_H
#define FACET_CORE_OS_PROCESS_H

#include <stdint.h>
#include <stdio.h>

#include "facet/abi.h"
#include "os/os.h" /* FacetOsThread */

/* How a child process ended. */
#define FACET_OS_CHILD_EXITED 0u   /* it returned or called exit(); code is the status */
#define FACET_OS_CHILD_SIGNALED 1u /* killed by a signal (an exception code on Windows) */
#define FACET_OS_CHILD_TIMEDOUT 2u /* still running at the deadline; it was killed */
#define FACET_OS_CHILD_FLOODED 3u  /* it wrote more than the limit to one stream and was
                                      killed; code is FACET_OS_STREAM_* */

/* The streams of a child, for FACET_OS_CHILD_FLOODED. */
#define FACET_OS_STREAM_REPORT 0u
#define FACET_OS_STREAM_STDOUT 1u
#define FACET_OS_STREAM_STDERR 2u

/* The bytes of stdout and stderr a result keeps: the first HEAD and the
 * last TAIL, with a line between saying how many were left out. */
#define FACET_OS_OUTPUT_HEAD 1024u
#define FACET_OS_OUTPUT_TAIL 3072u

typedef struct FacetOsChildResult {
    uint32_t how;         /* FACET_OS_CHILD_* */
    int64_t code;         /* exit status, signal number or exception code */
    char *report;         /* what it wrote on its report channel, NUL-terminated
                             (facet__malloc); it may hold NUL bytes itself */
    uint64_t report_size;
    char *out;            /* its stdout, cut (FACET_OS_OUTPUT_*), NUL-terminated */
    char *err;            /* its stderr, the same */
} FacetOsChildResult;

/* Runs exe with argv (argv[0] included, NULL-terminated) and "--report" and
 * the number of the child's report channel appended: a pipe (POSIX) or an
 * inheritable handle (Windows) that is the child's alone, apart from its
 * stdout and stderr, which are captured separately; stdin is empty. Only
 * those three are inherited: no other descriptor or handle of this
 * process, whatever thread opened it. The child runs in its own process
 * group (a job object on Windows).
 *
 * A child still running after timeout_ms is asked to end (SIGTERM, which
 * facet-probe's supervisor answers by killing everything the module
 * started) and, after a grace period, killed with its whole group. A
 * stream that passes max bytes gets the same. Once the child has ended,
 * whatever is left of its group is killed and the streams are read as far
 * as they were written, without waiting for a descendant that still holds
 * them open.
 *
 * Fails only when the child cannot be started or watched
 * (FACET_E_FILENOTFOUND, FACET_E_FAIL, FACET_E_OUTOFMEMORY); how the child
 * ended is in out. */
FacetResult facet__os_run_child(FacetOsChildResult *out, const char *exe,
                                const char *const *argv, uint32_t timeout_ms, uint64_t max);
/* Frees what out holds (the same on every platform: child.c). */
void facet__os_child_result_free(FacetOsChildResult *r);
/* The text a result keeps of a stream: head, a line saying how many bytes
 * were left out (total - head_len - tail_len), tail; NUL and invalid
 * UTF-8 replaced (core/base/base.h). From facet__malloc; NULL when out of
 * memory. (child.c) */
char *facet__os_cut_output(const char *head, uint64_t head_len, const char *tail,
                           uint64_t tail_len, uint64_t total);

/* In facet-probe, before anything else: where the system allows, the
 * process splits in two. The supervisor, which never loads module code,
 * collects every process the module starts (Linux: it is their child
 * subreaper), and once the worker has ended, or when asked to end
 * (SIGTERM), it kills them all and ends the way the worker ended. Returns
 * in the worker (and, where there is no supervisor, in the one process).
 * On Windows the job object of facet__os_run_child does this, and here a
 * crash ends the process at once, with no debugger or error report. */
void facet__os_probe_supervise(void);

/* The report channel named by facet-probe's "--report" argument, opened
 * for writing and kept from any process the module starts; NULL when text
 * names none. */
FILE *facet__os_report_open(const char *text);

/* What the system loader is called in a message: "dlopen", "LoadLibrary". */
const char *facet__os_loader_name(void);

/* "SIGSEGV", "access violation (0xC0000005)": how a child died, for a message. */
const char *facet__os_death_name(int64_t code, char *buf, uint32_t size);

/* The folder libfacet-check itself was loaded from (facet__malloc). */
FacetResult facet__os_library_dir(char **out);

/* A file a program can run: "x" on POSIX, "x.exe" on Windows. */
const char *facet__os_exe_suffix(void);
/* A module's file name suffix: ".so", ".dll", ".dylib". */
const char *facet__os_module_suffix(void);


#endif /* FACET_CORE_OS_PROCESS_H */
