/*
 * sandbox_win32.c - the process host's wall on Windows, facet-host's side.
 *
 * On Windows the wall is put up from outside, by the spawner
 * (spawn_win32.c): a process's primary token cannot be changed once it
 * runs, and its job is the host's. The process host is told only that it
 * is walled ("--sandbox NAME"), so that it can say, in its answer to BOOT,
 * what it sees of the wall: its integrity level, whether its token is
 * restricted, its job's limits, and whether it is in an AppContainer. The
 * host's log puts that beside what the spawner says it put up, so that a
 * system that takes a part of the wall and does not keep it (Wine keeps
 * none of the token's parts nor the job's limits) shows in the log.
 */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox.h"

const char *facet__sandbox_disabled(void)
{
    const char *v = getenv("FACET_SANDBOX");
    if (v != NULL && strcmp(v, "off") == 0)
        return "FACET_SANDBOX=off";
    return NULL;
}

FacetResult facet__sandbox_args(const FacetSandboxPolicy *p, char ***out)
{
    char **argv = facet__calloc(3, sizeof(*argv));
    *out = NULL;
    if (argv == NULL || (argv[0] = facet__strdup("--sandbox")) == NULL ||
        (argv[1] = facet__strdup(p->module != NULL ? p->module : "?")) == NULL) {
        facet__sandbox_args_free(argv);
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
    }
    *out = argv;
    return FACET_OK;
}

int facet__sandbox_walled(int argc, char **argv)
{
    int i;
    for (i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--sandbox") == 0)
            return 1;
    return 0;
}

void facet__sandbox_say(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;
    int n;
    if (len + 3 >= size)
        return;
    if (len > 0) {
        memcpy(buf + len, "; ", 3);
        len += 2;
    }
    va_start(ap, fmt);
    n = vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
    if (n < 0)
        buf[len] = '\0';
}

static const char *level_name(DWORD rid)
{
    if (rid < SECURITY_MANDATORY_LOW_RID)
        return "Untrusted";
    if (rid < SECURITY_MANDATORY_MEDIUM_RID)
        return "Low";
    if (rid < SECURITY_MANDATORY_HIGH_RID)
        return "Medium";
    if (rid < SECURITY_MANDATORY_SYSTEM_RID)
        return "High";
    return "System";
}

void facet__sandbox_describe(char *report, size_t size)
{
    HANDLE token = NULL;
    union {
        TOKEN_MANDATORY_LABEL label;
        BYTE bytes[sizeof(TOKEN_MANDATORY_LABEL) + SECURITY_MAX_SID_SIZE];
    } il;
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
    JOBOBJECT_BASIC_UI_RESTRICTIONS ui;
    DWORD n = 0, app = 0;
    BOOL in_job = FALSE;
    report[0] = '\0';
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
        facet__sandbox_say(report, size, "its token cannot be read (error %lu)",
            (unsigned long)GetLastError());
    } else {
        if (GetTokenInformation(token, TokenIntegrityLevel, &il, sizeof(il), &n)) {
            PSID sid = il.label.Label.Sid;
            DWORD rid = *GetSidSubAuthority(sid, *GetSidSubAuthorityCount(sid) - 1u);
            if (rid <= SECURITY_MANDATORY_LOW_RID)
                facet__sandbox_say(report, size, "integrity level %s (S-1-16-%lu)", level_name(rid),
                    (unsigned long)rid);
            else
                facet__sandbox_say(report, size,
                                   "integrity level %s (S-1-16-%lu), not Low: not enforced",
                                   level_name(rid), (unsigned long)rid);
        } else {
            facet__sandbox_say(report, size, "integrity level unknown (error %lu)",
                (unsigned long)GetLastError());
        }
        if (IsTokenRestricted(token))
            facet__sandbox_say(report, size, "restricted token");
        else
            facet__sandbox_say(report, size, "token not restricted: not enforced");
        if (GetTokenInformation(token, TokenIsAppContainer, &app, sizeof(app), &n) && app)
            facet__sandbox_say(report, size, "in an AppContainer");
        else
            facet__sandbox_say(report, size, "no AppContainer");
        CloseHandle(token);
    }
    memset(&lim, 0, sizeof(lim));
    if (!IsProcessInJob(GetCurrentProcess(), NULL, &in_job) || !in_job) {
        facet__sandbox_say(report, size, "not in a job");
    } else if (!QueryInformationJobObject(NULL, JobObjectExtendedLimitInformation, &lim,
                                          sizeof(lim), &n)) {
        facet__sandbox_say(report, size, "its job's limits cannot be read (error %lu)",
            (unsigned long)GetLastError());
    } else {
        DWORD f = lim.BasicLimitInformation.LimitFlags;
        if (f & JOB_OBJECT_LIMIT_ACTIVE_PROCESS)
            facet__sandbox_say(report, size, "job: %lu process",
                (unsigned long)lim.BasicLimitInformation.ActiveProcessLimit);
        else
            facet__sandbox_say(report, size, "job: no process limit: not enforced");
        if (f & JOB_OBJECT_LIMIT_PROCESS_MEMORY)
            facet__sandbox_say(report, size, "memory %llu MiB",
                (unsigned long long)(lim.ProcessMemoryLimit >> 20));
        if (f & JOB_OBJECT_LIMIT_PROCESS_TIME)
            facet__sandbox_say(report, size, "CPU %lld s",
                (long long)(lim.BasicLimitInformation.PerProcessUserTimeLimit.QuadPart /
                            10000000));
        if (f & JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE)
            facet__sandbox_say(report, size, "killed with the job");
    }
    if (in_job) {
        if (QueryInformationJobObject(NULL, JobObjectBasicUIRestrictions, &ui, sizeof(ui), &n))
            facet__sandbox_say(report, size, "UI restrictions 0x%02lX",
                (unsigned long)ui.UIRestrictionsClass);
        else
            facet__sandbox_say(report, size, "UI restrictions cannot be read (error %lu)",
                (unsigned long)GetLastError());
    }
}
