/*
 * check/os/process_win32.c - child processes and threads on
 * Windows. A child runs in a job object, so a timeout ends it and whatever
 * it started, and so does its end: what it left running goes with it. Its
 * stdout, its stderr and its report channel are three temporary files,
 * the last passed by the value of its inheritable handle on the command
 * line; only those three handles are inherited (a handle list), so
 * probes started at once on several threads never hold each other's.
 * Their sizes are watched while it runs, and they are read once it has
 * ended.
 */
#ifdef _WIN32

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime.h"
#include "process.h"


/* How often a running child's output files are measured. */
#define CHECK_MS 50u

static FacetResult temp_file(HANDLE *out, const char *exe)
{
    wchar_t dir[MAX_PATH + 1], name[MAX_PATH + 1];
    SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
    *out = INVALID_HANDLE_VALUE;
    if (GetTempPathW(MAX_PATH, dir) == 0 || GetTempFileNameW(dir, L"fct", 0, name) == 0)
        return facet__error(FACET_E_FAIL, "%s: no temporary file for its output (error %lu)",
                            exe, (unsigned long)GetLastError());
    *out = CreateFileW(name, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                       &sa, CREATE_ALWAYS,
                       FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, NULL);
    if (*out == INVALID_HANDLE_VALUE)
        return facet__error(FACET_E_FAIL, "%s: cannot create a temporary file (error %lu)", exe,
                            (unsigned long)GetLastError());
    return FACET_OK;
}

static uint64_t file_size(HANDLE h)
{
    LARGE_INTEGER len;
    return GetFileSizeEx(h, &len) ? (uint64_t)len.QuadPart : 0;
}

/* Reads n bytes of h at offset into buf; returns how many it got. */
static uint64_t read_at(HANDLE h, uint64_t offset, char *buf, uint64_t n)
{
    LARGE_INTEGER pos;
    uint64_t done = 0;
    pos.QuadPart = (LONGLONG)offset;
    if (!SetFilePointerEx(h, pos, NULL, FILE_BEGIN))
        return 0;
    while (done < n) {
        DWORD got = 0, want = n - done > 0x40000000u ? 0x40000000u : (DWORD)(n - done);
        if (!ReadFile(h, buf + done, want, &got, NULL) || got == 0)
            break;
        done += got;
    }
    return done;
}

/* The report channel's whole text (facet__malloc). */
static char *read_all(HANDLE h, uint64_t size, uint64_t *got)
{
    char *text = facet__malloc((size_t)size + 1);
    if (text == NULL)
        return NULL;
    *got = read_at(h, 0, text, size);
    text[*got] = '\0';
    return text;
}

/* stdout or stderr as a result keeps it: its first and last bytes. */
static char *read_cut(HANDLE h, uint64_t size)
{
    char head[FACET_OS_OUTPUT_HEAD], tail[FACET_OS_OUTPUT_TAIL];
    uint64_t h_len = size < sizeof(head) ? size : sizeof(head), t_len = 0;
    h_len = read_at(h, 0, head, h_len);
    if (size > h_len) {
        t_len = size - h_len < sizeof(tail) ? size - h_len : sizeof(tail);
        t_len = read_at(h, size - t_len, tail, t_len);
    }
    return facet__os_cut_output(head, h_len, tail, t_len, size);
}

FacetResult facet__os_run_child(FacetOsChildResult *out, const char *exe,
                                const char *const *argv, uint32_t timeout_ms, uint64_t max)
{
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HANDLE files[3] = {INVALID_HANDLE_VALUE, INVALID_HANDLE_VALUE, INVALID_HANDLE_VALUE};
    HANDLE job = NULL;
    wchar_t *wexe = NULL, *wcmd = NULL;
    char *cmd = NULL, report_arg[32];
    size_t cap = 64, len = 0, i;
    ULONGLONG deadline;
    DWORD code = 0;
    uint32_t stopped = 0; /* FACET_OS_CHILD_TIMEDOUT or _FLOODED once it is stopped */
    FacetResult r;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < 3 && FACET_SUCCEEDED(r = temp_file(&files[i], exe)); i++)
        ;
    if (FACET_FAILED(r))
        goto done;
    /* The child's report channel is its handle's value. */
    snprintf(report_arg, sizeof(report_arg), "%llu",
             (unsigned long long)(uintptr_t)files[FACET_OS_STREAM_REPORT]);
    for (i = 0; argv[i] != NULL; i++)
        cap += strlen(argv[i]) * 2 + 4;
    cap += sizeof("--report") * 2 + 4 + strlen(report_arg) * 2;
    cmd = facet__malloc(cap);
    if (cmd == NULL) {
        r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", exe);
        goto done;
    }
    cmd[0] = '\0';
    for (i = 0; argv[i] != NULL; i++)
        facet__win_quote_arg(cmd, &len, argv[i]);
    facet__win_quote_arg(cmd, &len, "--report");
    facet__win_quote_arg(cmd, &len, report_arg);
    r = facet__win_widen(&wexe, exe);
    if (FACET_SUCCEEDED(r))
        r = facet__win_widen(&wcmd, cmd);
    if (FACET_FAILED(r))
        goto done;
    job = CreateJobObjectW(NULL, NULL);
    if (job != NULL) {
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
        memset(&lim, 0, sizeof(lim));
        lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE |
                                               JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
        SetInformationJobObject(job, JobObjectExtendedLimitInformation, &lim, sizeof(lim));
    }
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = NULL;
    si.hStdOutput = files[FACET_OS_STREAM_STDOUT];
    si.hStdError = files[FACET_OS_STREAM_STDERR];
    if (facet__fault(FACET_FAULT_PROCESS)) {
        r = facet__error(FACET_E_FAIL, "%s: CreateProcessW failed: injected fault", exe);
        goto done;
    }
    if (!facet__win_create_process(wexe, wcmd, &si, files, 3, &pi)) {
        DWORD err = GetLastError();
        r = facet__error(err == ERROR_FILE_NOT_FOUND ? FACET_E_FILENOTFOUND : FACET_E_FAIL,
                         "%s: CreateProcessW failed (error %lu)", exe, (unsigned long)err);
        goto done;
    }
    if (job != NULL)
        AssignProcessToJobObject(job, pi.hProcess);
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    deadline = GetTickCount64() + timeout_ms;
    for (;;) {
        ULONGLONG now = GetTickCount64();
        DWORD slice = now >= deadline ? 0 : (DWORD)(deadline - now < CHECK_MS ? deadline - now
                                                                                : CHECK_MS);
        if (WaitForSingleObject(pi.hProcess, slice) == WAIT_OBJECT_0)
            break;
        for (i = 0; i < 3 && !stopped; i++)
            if (file_size(files[i]) > max) {
                stopped = FACET_OS_CHILD_FLOODED;
                out->code = (int64_t)i;
            }
        if (!stopped && GetTickCount64() >= deadline)
            stopped = FACET_OS_CHILD_TIMEDOUT;
        if (stopped) {
            if (job != NULL)
                TerminateJobObject(job, 1);
            TerminateProcess(pi.hProcess, 1);
            WaitForSingleObject(pi.hProcess, INFINITE);
            break;
        }
    }
    if (stopped) {
        out->how = stopped;
    } else {
        GetExitCodeProcess(pi.hProcess, &code);
        /* An NTSTATUS error (0xC...) is an unhandled exception: a crash. */
        out->how = (code & 0xC0000000u) == 0xC0000000u ? FACET_OS_CHILD_SIGNALED
                                                       : FACET_OS_CHILD_EXITED;
        out->code = (int64_t)code;
    }
    CloseHandle(pi.hProcess);
    /* Whatever it started ends with it. */
    if (job != NULL)
        TerminateJobObject(job, 1);
    {
        uint64_t size = file_size(files[FACET_OS_STREAM_REPORT]);
        if (size > max) {
            if (out->how != FACET_OS_CHILD_TIMEDOUT && out->how != FACET_OS_CHILD_FLOODED) {
                out->how = FACET_OS_CHILD_FLOODED;
                out->code = FACET_OS_STREAM_REPORT;
            }
            size = max;
        }
        out->report = read_all(files[FACET_OS_STREAM_REPORT], size, &out->report_size);
    }
    out->out = read_cut(files[FACET_OS_STREAM_STDOUT], file_size(files[FACET_OS_STREAM_STDOUT]));
    out->err = read_cut(files[FACET_OS_STREAM_STDERR], file_size(files[FACET_OS_STREAM_STDERR]));
    if (out->report == NULL || out->out == NULL || out->err == NULL) {
        facet__os_child_result_free(out);
        r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory for its output", exe);
    }
done:
    if (job != NULL)
        CloseHandle(job);
    for (i = 0; i < 3; i++)
        if (files[i] != INVALID_HANDLE_VALUE)
            CloseHandle(files[i]);
    facet__free(wexe);
    facet__free(wcmd);
    facet__free(cmd);
    return r;
}

/* A crash ends the probe at once, with the exception code as its exit
 * status (which the parent reads as a crash): no error report dialog, no
 * debugger (Wine starts winedbg), nothing that takes time or waits for a
 * person. */
static LONG WINAPI end_on_crash(EXCEPTION_POINTERS *e)
{
    TerminateProcess(GetCurrentProcess(), e->ExceptionRecord->ExceptionCode);
    return EXCEPTION_EXECUTE_HANDLER;
}

void facet__os_probe_supervise(void)
{
    /* The job object of facet__os_run_child ends everything the module
     * starts, whatever way the probe ends. */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
    SetUnhandledExceptionFilter(end_on_crash);
}

FILE *facet__os_report_open(const char *text)
{
    char *end;
    unsigned long long value;
    HANDLE h;
    int fd;
    if (text == NULL)
        return NULL;
    value = strtoull(text, &end, 10);
    if (end == text || *end != '\0' || value == 0)
        return NULL;
    h = (HANDLE)(uintptr_t)value;
    /* Not for the processes the module starts. */
    if (!SetHandleInformation(h, HANDLE_FLAG_INHERIT, 0))
        return NULL;
    fd = _open_osfhandle((intptr_t)h, _O_WRONLY | _O_BINARY);
    return fd < 0 ? NULL : _fdopen(fd, "wb");
}

const char *facet__os_loader_name(void)
{
    return "LoadLibrary";
}

const char *facet__os_death_name(int64_t code, char *buf, uint32_t size)
{
    const char *what = "unhandled exception";
    switch ((uint32_t)code) {
    case 0xC0000005u: what = "access violation"; break;
    case 0xC00000FDu: what = "stack overflow"; break;
    case 0xC000001Du: what = "illegal instruction"; break;
    case 0xC0000094u: what = "integer division by zero"; break;
    case 0xC0000409u: what = "stack buffer overrun"; break;
    default: break;
    }
    snprintf(buf, size, "%s (0x%08lX)", what, (unsigned long)(uint32_t)code);
    return buf;
}

FacetResult facet__os_library_dir(char **out)
{
    HMODULE self = NULL;
    wchar_t path[32768];
    DWORD n;
    char *dir, *slash;
    *out = NULL;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCWSTR)(void *)(uintptr_t)facet__os_library_dir, &self) ||
        (n = GetModuleFileNameW(self, path, 32768)) == 0 || n >= 32768)
        return facet__error(FACET_E_NOTFOUND,
                            "cannot tell which file libfacet-check was loaded from");
    dir = facet__win_narrow(path);
    if (dir == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
    slash = strrchr(dir, '\\');
    if (slash == NULL)
        slash = strrchr(dir, '/');
    if (slash != NULL)
        *slash = '\0';
    *out = dir;
    return FACET_OK;
}

const char *facet__os_exe_suffix(void)
{
    return ".exe";
}

const char *facet__os_module_suffix(void)
{
    return ".dll";
}

#endif /* _WIN32 */
