/*
 * core/remote/sandbox.h - the wall around a process-isolated module: what it
 * may reach (the policy, computed in the host from the module's manifest and
 * the host's configuration) and how facet-host puts the wall up before the
 * module's code runs. Not installed.
 *
 * A right is given only when the manifest requests it and the configuration
 * grants it (modules.<name>.permissions), as host services are. The
 * operating-system rights are permission names of the form kind:argument:
 *
 *   fs.read:PATH          read files under PATH (a file or a folder)
 *   fs.write:PATH         create, write and delete under PATH; implies read
 *   net.connect:HOST:PORT outbound TCP to HOST (compared in lower case as
 *                         written) and PORT, through the host's broker;
 *                         an IPv6 address is written in brackets
 *
 * docs/isolation.md describes the whole.
 */
#ifndef FACET_CORE_SANDBOX_H
#define FACET_CORE_SANDBOX_H

#include "../runtime/runtime.h"

/* One granted net.connect right. */
typedef struct FacetNetGrant {
    char *host;                 /* lower case, IPv6 without its brackets */
    uint16_t port;
} FacetNetGrant;

/* modules.<name>.limits; 0 is "no limit" for each. */
typedef struct FacetSandboxLimits {
    uint64_t memory_mb;         /* address space (RLIMIT_AS; a job's memory on Windows) */
    uint64_t open_files;        /* RLIMIT_NOFILE */
    uint64_t cpu_seconds;       /* RLIMIT_CPU */
} FacetSandboxLimits;

/* What one process-isolated module may reach. Every path is absolute and
 * normalised (no "." or ".." parts, no trailing separator); symbolic links
 * in granted paths are resolved by the host when the policy is made. */
typedef struct FacetSandboxPolicy {
    char *module;               /* the module's name, for the log */
    char *library;              /* the module's own library: readable */
    size_t file_count;          /* files the manifest lists (and the
                                   manifest itself, and the proxy/stub
                                   libraries the child loads): readable */
    char **files;
    size_t read_count;          /* granted fs.read (and fs.write) paths */
    char **read;
    size_t write_count;         /* granted fs.write paths */
    char **write;
    size_t connect_count;       /* granted net.connect rights */
    FacetNetGrant *connect;
    FacetSandboxLimits limits;
    size_t denied_count;        /* requested and not granted, as the
                                   manifest keeps them (each is logged) */
    char **denied;
} FacetSandboxPolicy;

/* Host side: the policy of the module `name` (its manifest mf, possibly
 * NULL) under the runtime's configuration. Requested rights the
 * configuration does not grant are left out, with a log line naming them.
 * Free with facet__sandbox_policy_free. */
FACET_INTERNAL FacetResult facet__sandbox_policy(FacetRuntime *rt, const char *name,
                                                 const FacetManifest *mf, const char *library,
                                                 FacetSandboxPolicy **out);
FACET_INTERNAL void facet__sandbox_policy_free(FacetSandboxPolicy *p);

/* Whether a grant covers a request: facet__permission_covers, declared
 * with the permission names in core/formats/formats.h, since the runtime's
 * services check with it too. */

/* ---- Enforcement: facet-host's worker (sandbox_linux.c) ------------------- */
/* (On Windows facet__sandbox_args and facet__sandbox_disabled are
 * sandbox_win32.c's, and the wall is the spawner's: below.) */

/* The policy as facet-host's arguments (NULL-terminated; free with
 * facet__sandbox_args_free), and back in facet-host (*out NULL: the
 * command line asks for no sandbox; free with facet__sandbox_policy_free,
 * which frees any policy whose parts are all facet__malloc'd). */
FacetResult facet__sandbox_args(const FacetSandboxPolicy *p, char ***out);
void facet__sandbox_args_free(char **argv);
FacetResult facet__sandbox_from_args(int argc, char **argv, FacetSandboxPolicy **out);

/* Why process-isolated modules run without the wall here, or NULL:
 * FACET_SANDBOX=off in the environment, or a runtime (ThreadSanitizer's,
 * valgrind's) that needs calls the filter refuses. */
const char *facet__sandbox_disabled(void);

/* Puts the wall up around this process: no_new_privs, namespaces, the
 * file view, the limits, the filter. Call it with one thread, before the
 * module's library is loaded. report gets what was put up and what was
 * given up and why; -1 when the wall could not be put up (the process
 * must not go on to load the module). */
int facet__sandbox_enter(const FacetSandboxPolicy *p, char *report, size_t size);

#ifdef _WIN32
/* ---- Windows: the spawner puts the wall up (spawn_win32.c) ---------------- *
 *
 * facet__sandbox_args is "--sandbox NAME": facet-host learns that it is
 * walled, and facet__sandbox_describe says what it sees of the wall (its
 * integrity level, restricted token, job limits, AppContainer), each part
 * the system did not keep marked "not enforced". */
int facet__sandbox_walled(int argc, char **argv);
void facet__sandbox_describe(char *report, size_t size);
/* Appends "; " (when buf is not empty) and the text to buf. */
void facet__sandbox_say(char *buf, size_t size, const char *fmt, ...) FACET_PRINTF(3, 4);
#endif

/* "execve (59)" into buf, for the host's log. */
const char *facet__sandbox_syscall_name(int nr, char *buf, size_t size);

#endif
