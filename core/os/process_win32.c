/*
 * core/os/process_win32.c - child processes and threads on
 * Windows. A child runs in a job object, so a timeout ends it and whatever
 * it started; its stdout and stderr go to temporary files that are read
 * once it has ended.
 */
#ifdef _WIN32

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <stdio.h>
#include <string.h>

#include "../internal.h"
#include "process.h"

FacetResult facet__win_widen(wchar_t **out, const char *s);
char *facet__win_narrow(const wchar_t *w);

#define ERR_TAIL 4096u

/* Appends one argument to a command line, quoted the way
 * CommandLineToArgvW reads it back. */
static void quote_arg(char *cmd, size_t *len, const char *arg)
{
    const char *p;
    cmd[(*len)++] = '"';
    for (p = arg;; p++) {
        size_t slashes = 0;
        while (*p == '\\') {
            p++;
            slashes++;
        }
        if (*p == '\0') {
            while (slashes--) {
                cmd[(*len)++] = '\\';
                cmd[(*len)++] = '\\';
            }
            break;
        }
        if (*p == '"') {
            slashes = slashes * 2 + 1;
        }
        while (slashes--)
            cmd[(*len)++] = '\\';
        cmd[(*len)++] = *p;
    }
    cmd[(*len)++] = '"';
    cmd[(*len)++] = ' ';
    cmd[*len] = '\0';
}

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

/* Reads a whole temporary file; keeps only the last `keep` bytes when
 * keep is nonzero, and fails past max when it is zero. */
static FacetResult slurp(char **out, uint64_t *size, HANDLE h, uint64_t max, uint64_t keep,
                         const char *exe)
{
    LARGE_INTEGER len, pos;
    uint64_t n, skip = 0;
    DWORD got = 0;
    *out = NULL;
    *size = 0;
    if (!GetFileSizeEx(h, &len))
        return facet__error(FACET_E_FAIL, "%s: cannot size its output", exe);
    n = (uint64_t)len.QuadPart;
    if (keep && n > keep) {
        skip = n - keep;
        n = keep;
    } else if (!keep && n > max) {
        return facet__error(FACET_E_FAIL, "%s: wrote more than %llu bytes to its output", exe,
                            (unsigned long long)max);
    }
    *out = facet__malloc((size_t)n + 1);
    if (*out == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory for its output", exe);
    pos.QuadPart = (LONGLONG)skip;
    SetFilePointerEx(h, pos, NULL, FILE_BEGIN);
    if (n > 0 && !ReadFile(h, *out, (DWORD)n, &got, NULL))
        got = 0;
    (*out)[got] = '\0';
    *size = got;
    return FACET_OK;
}

FacetResult facet__os_run_child(FacetOsChildResult *out, const char *exe,
                                const char *const *argv, uint32_t timeout_ms, uint64_t max_out)
{
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HANDLE out_h = INVALID_HANDLE_VALUE, err_h = INVALID_HANDLE_VALUE, job = NULL;
    wchar_t *wexe = NULL, *wcmd = NULL;
    char *cmd = NULL;
    size_t cap = 1, len = 0, i;
    uint64_t ignored;
    DWORD wait, code = 0;
    FacetResult r;

    memset(out, 0, sizeof(*out));
    for (i = 0; argv[i] != NULL; i++)
        cap += strlen(argv[i]) * 2 + 4;
    cmd = facet__malloc(cap);
    if (cmd == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", exe);
    cmd[0] = '\0';
    for (i = 0; argv[i] != NULL; i++)
        quote_arg(cmd, &len, argv[i]);
    r = facet__win_widen(&wexe, exe);
    if (FACET_SUCCEEDED(r))
        r = facet__win_widen(&wcmd, cmd);
    if (FACET_SUCCEEDED(r))
        r = temp_file(&out_h, exe);
    if (FACET_SUCCEEDED(r))
        r = temp_file(&err_h, exe);
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
    si.hStdOutput = out_h;
    si.hStdError = err_h;
    if (facet__fault(FACET_FAULT_PROCESS)) {
        r = facet__error(FACET_E_FAIL, "%s: CreateProcessW failed: injected fault", exe);
        goto done;
    }
    if (!CreateProcessW(wexe, wcmd, NULL, NULL, TRUE, CREATE_SUSPENDED | CREATE_NO_WINDOW, NULL,
                        NULL, &si, &pi)) {
        DWORD err = GetLastError();
        r = facet__error(err == ERROR_FILE_NOT_FOUND ? FACET_E_FILENOTFOUND : FACET_E_FAIL,
                         "%s: CreateProcessW failed (error %lu)", exe, (unsigned long)err);
        goto done;
    }
    if (job != NULL)
        AssignProcessToJobObject(job, pi.hProcess);
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    wait = WaitForSingleObject(pi.hProcess, timeout_ms);
    if (wait != WAIT_OBJECT_0) {
        out->how = FACET_OS_CHILD_TIMEDOUT;
        if (job != NULL)
            TerminateJobObject(job, 1);
        TerminateProcess(pi.hProcess, 1);
        WaitForSingleObject(pi.hProcess, INFINITE);
    } else {
        GetExitCodeProcess(pi.hProcess, &code);
        /* An NTSTATUS error (0xC...) is an unhandled exception: a crash. */
        out->how = (code & 0xC0000000u) == 0xC0000000u ? FACET_OS_CHILD_SIGNALED
                                                       : FACET_OS_CHILD_EXITED;
        out->code = (int64_t)code;
    }
    CloseHandle(pi.hProcess);
    r = slurp(&out->out, &out->out_size, out_h, max_out, 0, exe);
    if (FACET_SUCCEEDED(r))
        r = slurp(&out->err, &ignored, err_h, 0, ERR_TAIL - 1, exe);
    if (FACET_FAILED(r))
        facet__os_child_result_free(out);
done:
    if (job != NULL)
        CloseHandle(job);
    if (out_h != INVALID_HANDLE_VALUE)
        CloseHandle(out_h);
    if (err_h != INVALID_HANDLE_VALUE)
        CloseHandle(err_h);
    facet__free(wexe);
    facet__free(wcmd);
    facet__free(cmd);
    return r;
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
        return facet__error(FACET_E_NOTFOUND, "cannot tell which file libfacet was loaded from");
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

FacetResult facet__os_replace_file(const char *from, const char *to)
{
    wchar_t *wfrom = NULL, *wto = NULL;
    FacetResult r = facet__win_widen(&wfrom, from);
    if (FACET_SUCCEEDED(r))
        r = facet__win_widen(&wto, to);
    if (FACET_SUCCEEDED(r) &&
        (facet__fault(FACET_FAULT_FILE) ||
         !MoveFileExW(wfrom, wto, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)))
        r = facet__error(FACET_E_FAIL, "%s: cannot replace it with %s (error %lu)", to, from,
                         (unsigned long)GetLastError());
    facet__free(wfrom);
    facet__free(wto);
    return r;
}

typedef struct ThreadStart {
    void (*fn)(void *);
    void *arg;
} ThreadStart;

static DWORD WINAPI thread_main(LPVOID p)
{
    ThreadStart start = *(ThreadStart *)p;
    facet__free(p);
    start.fn(start.arg);
    return 0;
}

FacetResult facet__os_thread_start(FacetOsThread *out, void (*fn)(void *), void *arg)
{
    ThreadStart *start = facet__malloc(sizeof(*start));
    out->handle = NULL;
    if (start == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory starting a thread");
    start->fn = fn;
    start->arg = arg;
    out->handle = CreateThread(NULL, 0, thread_main, start, 0, NULL);
    if (out->handle == NULL) {
        facet__free(start);
        return facet__error(FACET_E_FAIL, "CreateThread failed (error %lu)",
                            (unsigned long)GetLastError());
    }
    return FACET_OK;
}

void facet__os_thread_join(FacetOsThread *t)
{
    if (t->handle != NULL) {
        WaitForSingleObject((HANDLE)t->handle, INFINITE);
        CloseHandle((HANDLE)t->handle);
        t->handle = NULL;
    }
}

#endif /* _WIN32 */
