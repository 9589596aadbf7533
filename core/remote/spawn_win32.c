/*
 * core/remote/spawn_win32.c - starting, watching and killing the process
 * host on Windows.
 *
 * The child is made suspended, put in a job object of its own and only
 * then resumed, so that nothing it starts runs outside the job even for
 * an instant. The job kills on close (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE)
 * and only the host holds its handle: when the host ends, however it
 * ends, the system closes the handle and kills the child and everything
 * it started. Breaking away is not allowed (no JOB_OBJECT_LIMIT_BREAKAWAY_OK).
 *
 * What the child inherits is named explicitly (a handle list): the
 * transport's section and a handle of the host's process that can only be
 * waited on (its lifeline), made inheritable for this spawn alone, and
 * the host's stdout and stderr, so that the child's output goes where the
 * host's does. The command line ends with "--transport" and "--lifeline"
 * and their values in the child. The transport's events are duplicated
 * into the suspended child (facet__shm_give). The process host reads
 * the values with facet__child_handles.
 *
 * The watch is a wait of the system's thread pool on the child's process
 * handle: its end marks the connection dead and tells the owner how the
 * child ended. The transport's waiters wait on the handle themselves
 * (facet__shm_watch_process), so a call in flight ends at once too.
 */
#ifdef _WIN32

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../os/os.h"
#include "remote.h"

/* How a child killed by the host is reported: as a kill, the way POSIX
 * reports SIGKILL. */
#define KILLED_CODE 9

struct FacetChild {
    HANDLE process;
    HANDLE job;
    HANDLE wait;         /* the thread pool's wait on process */
    DWORD pid;
    FacetTransport *tr;
    FacetConn *conn;
    void (*ended)(void *payload, const FacetChildEnd *end);
    void *payload;
    uint32_t killed;     /* atomic: the host killed it */
    uint32_t finished;   /* atomic: its end was told */
};

/* The command line: exe, args, then the handles' values (facet__malloc). */
static char *command_line(const char *exe, const char *const *args, HANDLE section,
                          HANDLE lifeline)
{
    char values[2][24];
    const char *tail[4];
    size_t cap = 2 * strlen(exe) + 3 + 1, len = 0, i;
    char *cmd;
    snprintf(values[0], sizeof(values[0]), "%llu", (unsigned long long)(uintptr_t)section);
    snprintf(values[1], sizeof(values[1]), "%llu", (unsigned long long)(uintptr_t)lifeline);
    tail[0] = "--transport";
    tail[1] = values[0];
    tail[2] = "--lifeline";
    tail[3] = values[1];
    for (i = 0; args[i] != NULL; i++)
        cap += 2 * strlen(args[i]) + 3;
    for (i = 0; i < 4; i++)
        cap += 2 * strlen(tail[i]) + 3;
    cmd = facet__malloc(cap);
    if (cmd == NULL)
        return NULL;
    cmd[0] = '\0';
    facet__win_quote_arg(cmd, &len, exe);
    for (i = 0; args[i] != NULL; i++)
        facet__win_quote_arg(cmd, &len, args[i]);
    for (i = 0; i < 4; i++)
        facet__win_quote_arg(cmd, &len, tail[i]);
    if (len > 0)
        cmd[len - 1] = '\0'; /* the last space */
    return cmd;
}

/* An inheritable copy of h (access 0: the same), or NULL. (This
 * process's own handle is INVALID_HANDLE_VALUE's value: is_self says so.) */
static HANDLE inheritable(HANDLE h, DWORD access, int is_self)
{
    HANDLE self = GetCurrentProcess(), copy = NULL;
    if (h == NULL || (h == INVALID_HANDLE_VALUE && !is_self))
        return NULL;
    if (!DuplicateHandle(self, h, self, &copy, access, TRUE, access ? 0 : DUPLICATE_SAME_ACCESS))
        return NULL;
    return copy;
}

static HANDLE new_job(void)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (job == NULL)
        return NULL;
    memset(&lim, 0, sizeof(lim));
    lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE |
                                           JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
    if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &lim, sizeof(lim))) {
        CloseHandle(job);
        return NULL;
    }
    return job;
}

void facet__child_end_name(char *buf, size_t size, const FacetChildEnd *end)
{
    const char *what = "an unhandled exception";
    if (end->how == FACET_OS_CHILD_EXITED) {
        snprintf(buf, size, "exited with status %lld", (long long)end->code);
        return;
    }
    if (end->code == KILLED_CODE) {
        snprintf(buf, size, "was killed (TerminateJobObject)");
        return;
    }
    switch ((uint32_t)end->code) {
    case 0xC0000005u: what = "an access violation"; break;
    case 0xC00000FDu: what = "a stack overflow"; break;
    case 0xC000001Du: what = "an illegal instruction"; break;
    case 0xC0000094u: what = "an integer division by zero"; break;
    case 0xC0000409u: what = "a stack buffer overrun (or a fail-fast abort)"; break;
    default: break;
    }
    snprintf(buf, size, "crashed with %s (exception 0x%08lX)", what,
             (unsigned long)(uint32_t)end->code);
}

/* Once the child has ended: the connection dead, then the owner told. */
static void finish(FacetChild *ch)
{
    FacetChildEnd end;
    DWORD code = 0;
    uint32_t killed;
    char text[96];
    end.syscall = -1;
    if (__atomic_exchange_n(&ch->finished, 1u, __ATOMIC_ACQ_REL) != 0)
        return;
    killed = __atomic_load_n(&ch->killed, __ATOMIC_ACQUIRE);
    GetExitCodeProcess(ch->process, &code);
    if (killed) {
        end.how = FACET_OS_CHILD_SIGNALED;
        end.code = KILLED_CODE;
    } else {
        /* An NTSTATUS error (0xC...) is an unhandled exception: a crash. */
        end.how = (code & 0xC0000000u) == 0xC0000000u ? FACET_OS_CHILD_SIGNALED
                                                      : FACET_OS_CHILD_EXITED;
        end.code = (int64_t)code;
    }
    facet__child_end_name(text, sizeof(text), &end);
    if (ch->conn != NULL)
        facet__conn_kill(ch->conn, FACET_E_CRASHED, "the process host (pid %lu) %s",
                         (unsigned long)ch->pid, text);
    else
        ch->tr->ops->mark_dead(ch->tr);
    /* Whatever it started goes with it. */
    TerminateJobObject(ch->job, KILLED_CODE);
    if (ch->ended != NULL)
        ch->ended(ch->payload, &end);
}

static VOID CALLBACK on_end(PVOID arg, BOOLEAN timed_out)
{
    (void)timed_out;
    finish(arg);
}

FacetResult facet__child_spawn(FacetChild **out, const char *exe, const char *const *args,
                               FacetTransport *tr, FacetConn *conn,
                               void (*ended)(void *payload, const FacetChildEnd *end),
                               void *payload)
{
    static const char *const none[] = {NULL};
    FacetChild *ch;
    HANDLE self = GetCurrentProcess();
    HANDLE handles[4], section = NULL, lifeline = NULL, std_out, std_err;
    DWORD n = 0;
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    wchar_t *wexe = NULL, *wcmd = NULL;
    char *cmd = NULL;
    FacetResult r = FACET_OK;
    size_t i;
    *out = NULL;
    if (exe == NULL || tr == NULL || !tr->host || facet__shm_handle(tr) == -1)
        return facet__error(FACET_E_INVALIDARG, "facet__child_spawn: no program or no transport");
    if (args == NULL)
        args = none;
    ch = facet__calloc(1, sizeof(*ch));
    if (ch == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
    ch->tr = tr;
    ch->conn = conn;
    ch->ended = ended;
    ch->payload = payload;
    memset(&pi, 0, sizeof(pi));
    ch->job = new_job();
    if (ch->job == NULL) {
        r = facet__error(FACET_E_FAIL, "%s: no job object for the process host (error %lu)", exe,
                         (unsigned long)GetLastError());
        goto fail;
    }
    /* For this spawn alone: inheritable copies, closed once it is made. */
    section = inheritable((HANDLE)facet__shm_handle(tr), 0, 0);
    lifeline = inheritable(self, SYNCHRONIZE, 1);
    if (section == NULL || lifeline == NULL) {
        r = facet__error(FACET_E_FAIL, "%s: cannot pass handles to the process host (error %lu)",
                         exe, (unsigned long)GetLastError());
        goto fail;
    }
    handles[n++] = section;
    handles[n++] = lifeline;
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    std_out = inheritable(GetStdHandle(STD_OUTPUT_HANDLE), 0, 0);
    std_err = inheritable(GetStdHandle(STD_ERROR_HANDLE), 0, 0);
    if (std_out != NULL || std_err != NULL) {
        si.dwFlags = STARTF_USESTDHANDLES;
        si.hStdOutput = std_out;
        si.hStdError = std_err;
        if (std_out != NULL)
            handles[n++] = std_out;
        if (std_err != NULL)
            handles[n++] = std_err;
    }
    cmd = command_line(exe, args, section, lifeline);
    if (cmd == NULL) {
        r = facet__error(FACET_E_OUTOFMEMORY, "out of memory");
        goto fail;
    }
    r = facet__win_widen(&wexe, exe);
    if (FACET_SUCCEEDED(r))
        r = facet__win_widen(&wcmd, cmd);
    if (FACET_FAILED(r))
        goto fail;
    if (facet__fault(FACET_FAULT_PROCESS)) {
        r = facet__error(FACET_E_FAIL, "%s: CreateProcessW failed: injected fault", exe);
        goto fail;
    }
    if (!facet__win_create_process(wexe, wcmd, &si, (void *const *)handles, n, &pi)) {
        DWORD err = GetLastError();
        r = facet__error(err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND
                             ? FACET_E_FILENOTFOUND
                             : FACET_E_FAIL,
                         "%s: CreateProcessW failed (error %lu)", exe, (unsigned long)err);
        goto fail;
    }
    ch->process = pi.hProcess;
    ch->pid = pi.dwProcessId;
    /* Suspended until it is in the job and has its events: nothing it
     * starts can escape the job. */
    if (!AssignProcessToJobObject(ch->job, pi.hProcess)) {
        r = facet__error(FACET_E_FAIL, "%s: cannot put the process host in a job (error %lu)",
                         exe, (unsigned long)GetLastError());
        goto fail;
    }
    if (facet__shm_give(tr, pi.hProcess) != FACET_TR_OK) {
        r = facet__error(FACET_E_FAIL, "%s: cannot give the transport to the process host "
                                       "(error %lu)",
                         exe, (unsigned long)GetLastError());
        goto fail;
    }
    facet__shm_watch_process(tr, pi.hProcess);
    if (!RegisterWaitForSingleObject(&ch->wait, pi.hProcess, on_end, ch, INFINITE,
                                     WT_EXECUTEONLYONCE)) {
        r = facet__error(FACET_E_FAIL, "%s: cannot watch the process host (error %lu)", exe,
                         (unsigned long)GetLastError());
        ch->wait = NULL;
        goto fail;
    }
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    for (i = 0; i < n; i++)
        CloseHandle(handles[i]);
    facet__free(wexe);
    facet__free(wcmd);
    facet__free(cmd);
    *out = ch;
    return FACET_OK;
fail:
    if (pi.hThread != NULL)
        CloseHandle(pi.hThread);
    if (ch->process != NULL) {
        TerminateProcess(ch->process, KILLED_CODE);
        WaitForSingleObject(ch->process, INFINITE);
        facet__shm_watch_process(tr, NULL);
        CloseHandle(ch->process);
    }
    if (ch->job != NULL)
        CloseHandle(ch->job);
    for (i = 0; i < n; i++)
        CloseHandle(handles[i]);
    facet__free(wexe);
    facet__free(wcmd);
    facet__free(cmd);
    facet__free(ch);
    return r;
}

void facet__child_kill(FacetChild *ch)
{
    if (ch == NULL || __atomic_exchange_n(&ch->killed, 1u, __ATOMIC_ACQ_REL) != 0)
        return;
    if (!TerminateJobObject(ch->job, KILLED_CODE))
        TerminateProcess(ch->process, KILLED_CODE);
}

void facet__child_free(FacetChild *ch, uint32_t grace_ms)
{
    if (ch == NULL)
        return;
    if (WaitForSingleObject(ch->process, grace_ms) != WAIT_OBJECT_0)
        facet__child_kill(ch);
    WaitForSingleObject(ch->process, INFINITE);
    /* Waits for a callback under way; one that never started is run here. */
    if (ch->wait != NULL)
        UnregisterWaitEx(ch->wait, INVALID_HANDLE_VALUE);
    finish(ch);
    CloseHandle(ch->job); /* kills on close: nothing it started stays */
    CloseHandle(ch->process);
    facet__free(ch);
}

uint64_t facet__child_pid(const FacetChild *ch)
{
    return ch->pid;
}

FacetResult facet__child_send_socket(FacetChild *ch, uint64_t socket, uint64_t token)
{
    (void)ch;
    (void)socket;
    (void)token;
    return facet__error(FACET_E_NOTIMPL, "IFacetNet::Connect: a socket cannot be handed to a "
                                         "process-isolated module on Windows in this build");
}

/* A crash ends the process host at once, with its exception code as its
 * exit status (which the host reads as a crash): no error report dialog,
 * no debugger (Wine starts winedbg), nothing that waits for a person. */
static LONG WINAPI end_on_crash(EXCEPTION_POINTERS *e)
{
    TerminateProcess(GetCurrentProcess(), e->ExceptionRecord->ExceptionCode);
    return EXCEPTION_EXECUTE_HANDLER;
}

static VOID CALLBACK host_ended(PVOID arg, BOOLEAN timed_out)
{
    (void)arg;
    (void)timed_out;
    TerminateProcess(GetCurrentProcess(), KILLED_CODE);
}

void facet__child_supervise(intptr_t lifeline)
{
    HANDLE wait = NULL;
    /* The job does the supervisor's work: the host's end closes it, and
     * that kills this process and everything it started. The lifeline is
     * watched too, for a host that could not make the job kill on close
     * (the wait is never unregistered: it lasts as long as the process). */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
    SetUnhandledExceptionFilter(end_on_crash);
    if (lifeline == 0 || lifeline == -1)
        return;
    if (WaitForSingleObject((HANDLE)lifeline, 0) == WAIT_OBJECT_0)
        TerminateProcess(GetCurrentProcess(), KILLED_CODE);
    RegisterWaitForSingleObject(&wait, (HANDLE)lifeline, host_ended, NULL, INFINITE,
                                WT_EXECUTEONLYONCE);
}

FacetResult facet__child_handles(int argc, char **argv, intptr_t *transport, intptr_t *lifeline)
{
    int i;
    *transport = *lifeline = -1;
    for (i = 1; i + 1 < argc; i++) {
        intptr_t *to = strcmp(argv[i], "--transport") == 0  ? transport
                       : strcmp(argv[i], "--lifeline") == 0 ? lifeline
                                                           : NULL;
        char *end;
        unsigned long long v;
        if (to == NULL)
            continue;
        v = strtoull(argv[i + 1], &end, 10);
        if (end == argv[i + 1] || *end != '\0' || v == 0 || v > (unsigned long long)INTPTR_MAX)
            return facet__error(FACET_E_INVALIDARG, "%s %s: not a handle's value", argv[i],
                                argv[i + 1]);
        *to = (intptr_t)v;
        i++;
    }
    if (*transport == -1 || *lifeline == -1)
        return facet__error(FACET_E_INVALIDARG,
                            "the process host needs --transport and --lifeline (it is started "
                            "by libfacet, not by hand)");
    return FACET_OK;
}

static int is_file(const wchar_t *path)
{
    DWORD a = GetFileAttributesW(path);
    return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY) == 0;
}

FacetResult facet__host_program(char **out)
{
    HMODULE self = NULL;
    wchar_t env[32768], path[32768], *slash;
    DWORD n;
    *out = NULL;
    n = GetEnvironmentVariableW(L"FACET_HOST_PROGRAM", env, 32768);
    if (n > 0 && n < 32768) {
        *out = facet__win_narrow(env);
        if (*out == NULL)
            return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
        if (!is_file(env)) {
            FacetResult r = facet__error(FACET_E_FILENOTFOUND,
                                         "%s: no such program (the process host, named by "
                                         "FACET_HOST_PROGRAM)",
                                         *out);
            facet__free(*out);
            *out = NULL;
            return r;
        }
        return FACET_OK;
    }
    /* facet-host.exe next to facet.dll: the build tree and the install
     * alike put both in one folder. */
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCWSTR)(void *)(uintptr_t)facet__host_program, &self) ||
        (n = GetModuleFileNameW(self, path, 32768)) == 0 || n >= 32768 - 16)
        return facet__error(FACET_E_NOTFOUND, "cannot tell which file libfacet was loaded from");
    slash = wcsrchr(path, L'\\');
    if (slash == NULL)
        slash = wcsrchr(path, L'/');
    slash = slash != NULL ? slash + 1 : path;
    wcscpy(slash, L"facet-host.exe");
    *out = facet__win_narrow(path);
    if (*out == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
    if (!is_file(path)) {
        FacetResult r = facet__error(FACET_E_FILENOTFOUND,
                                     "%s: no such program (the process host, installed next to "
                                     "libfacet); install it, or name it with FACET_HOST_PROGRAM",
                                     *out);
        facet__free(*out);
        *out = NULL;
        return r;
    }
    return FACET_OK;
}

#endif /* _WIN32 */
