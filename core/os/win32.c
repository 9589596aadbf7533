/*
 * core/os/win32.c - the platform layer on Windows. Paths are UTF-8 at the
 * API and UTF-16 towards the system (LoadLibraryW, CreateFileW).
 */
#ifdef _WIN32

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <process.h> /* _beginthreadex */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os.h"

/* UTF-8 to a new UTF-16 string from facet__malloc. */
static FacetResult widen(wchar_t **out, const char *path)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, NULL, 0);
    *out = NULL;
    if (n <= 0)
        return facet__error(FACET_E_INVALIDARG, "%s: the path is not valid UTF-8", path);
    *out = facet__malloc((size_t)n * sizeof(wchar_t));
    if (*out == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", path);
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, *out, n);
    return FACET_OK;
}

static char *narrow(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s;
    if (n <= 0)
        return NULL;
    s = facet__malloc((size_t)n);
    if (s != NULL)
        WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
    return s;
}

static void system_message(DWORD err, char *buf, size_t size)
{
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             err, 0, buf, (DWORD)size, NULL);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    if (n == 0)
        snprintf(buf, size, "error %lu", (unsigned long)err);
}

/* The code a system error stands for where one says more than FACET_E_FAIL. */
static FacetResult win_code(DWORD err)
{
    switch (err) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
        return FACET_E_FILENOTFOUND;
    case ERROR_ACCESS_DENIED:
    case ERROR_WRITE_PROTECT:
        return FACET_E_ACCESSDENIED;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return FACET_E_OUTOFMEMORY;
    default:
        return FACET_E_FAIL;
    }
}

static FacetResult win_error(DWORD err, const char *path, const char *what)
{
    char msg[256];
    switch (err) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
        return facet__error(FACET_E_FILENOTFOUND, "%s: no such file (%s)", path, what);
    case ERROR_ACCESS_DENIED:
        return facet__error(FACET_E_ACCESSDENIED, "%s: permission denied (%s)", path, what);
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory (%s)", path, what);
    default:
        system_message(err, msg, sizeof(msg));
        return facet__error(FACET_E_FAIL, "%s: %s failed: %s", path, what, msg);
    }
}

/* 100 ns ticks since 1601 to ns since 1970 (negative before 1970). */
static int64_t mtime_ns(const FILETIME *t)
{
    return ((int64_t)(((uint64_t)t->dwHighDateTime << 32) | t->dwLowDateTime) -
            116444736000000000ll) *
           100;
}

FacetResult facet__os_stat(FacetOsStat *out, const char *path)
{
    WIN32_FILE_ATTRIBUTE_DATA data;
    wchar_t *w;
    FacetResult r;
    memset(out, 0, sizeof(*out));
    if (facet__fault(FACET_FAULT_FILE))
        return win_error(ERROR_READ_FAULT, path, "stat");
    r = widen(&w, path);
    if (FACET_FAILED(r))
        return r;
    if (!GetFileAttributesExW(w, GetFileExInfoStandard, &data)) {
        DWORD err = GetLastError();
        facet__free(w);
        if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND) {
            out->kind = FACET_OS_MISSING;
            return FACET_OK;
        }
        return win_error(err, path, "stat");
    }
    out->kind = (data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) ? FACET_OS_DIRECTORY
                : (data.dwFileAttributes & FILE_ATTRIBUTE_DEVICE) ? FACET_OS_OTHER
                                                                  : FACET_OS_FILE;
    out->size = ((uint64_t)data.nFileSizeHigh << 32) | data.nFileSizeLow;
    out->mtime_ns = mtime_ns(&data.ftLastWriteTime);
    /* The file index and volume come only with a handle: one opened for
     * no access at all, which neither waits nor locks anyone out. Where it
     * cannot be opened, they stay 0, and a caller comparing them sees a
     * file that may have changed. */
    if (out->kind == FACET_OS_FILE) {
        BY_HANDLE_FILE_INFORMATION info;
        HANDLE h = CreateFileW(w, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                               OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
        if (h != INVALID_HANDLE_VALUE) {
            if (GetFileInformationByHandle(h, &info)) {
                out->inode = ((uint64_t)info.nFileIndexHigh << 32) | info.nFileIndexLow;
                out->device = info.dwVolumeSerialNumber;
            }
            CloseHandle(h);
        }
    }
    facet__free(w);
    return FACET_OK;
}

static FacetResult not_a_file(const char *path, const char *what)
{
    return facet__error(FACET_E_NOTAFILE, "%s: %s, not a regular file", path, what);
}

FacetResult facet__os_file_open(FacetOsFile *out, const char *path)
{
    WIN32_FILE_ATTRIBUTE_DATA data;
    BY_HANDLE_FILE_INFORMATION info;
    wchar_t *w;
    HANDLE h;
    DWORD type;
    FacetResult r;
    out->handle = (intptr_t)INVALID_HANDLE_VALUE;
    out->path = path;
    out->size = 0;
    out->mtime_ns = 0;
    out->inode = out->device = 0;
    if (facet__fault(FACET_FAULT_FILE))
        return win_error(ERROR_READ_FAULT, path, "open");
    r = widen(&w, path);
    if (FACET_FAILED(r))
        return r;
    /* Look before opening: a device is not opened at all. */
    if (GetFileAttributesExW(w, GetFileExInfoStandard, &data)) {
        if (data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
            r = not_a_file(path, "a directory");
        else if (data.dwFileAttributes & FILE_ATTRIBUTE_DEVICE)
            r = not_a_file(path, "a device");
    }
    if (FACET_FAILED(r)) {
        facet__free(w);
        return r;
    }
    h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                    OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_BACKUP_SEMANTICS, NULL);
    facet__free(w);
    if (h == INVALID_HANDLE_VALUE)
        return win_error(GetLastError(), path, "open");
    /* What was opened: a pipe or a console never reaches a read. */
    type = GetFileType(h);
    if (type == FILE_TYPE_PIPE)
        r = not_a_file(path, "a pipe");
    else if (type == FILE_TYPE_CHAR)
        r = not_a_file(path, "a character device");
    else if (type != FILE_TYPE_DISK)
        r = not_a_file(path, "a file of an unknown kind");
    else if (!GetFileInformationByHandle(h, &info))
        r = win_error(GetLastError(), path, "stat");
    else if (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
        r = not_a_file(path, "a directory");
    if (FACET_FAILED(r)) {
        CloseHandle(h);
        return r;
    }
    out->handle = (intptr_t)h;
    out->size = ((uint64_t)info.nFileSizeHigh << 32) | info.nFileSizeLow;
    out->mtime_ns = mtime_ns(&info.ftLastWriteTime);
    out->inode = ((uint64_t)info.nFileIndexHigh << 32) | info.nFileIndexLow;
    out->device = info.dwVolumeSerialNumber;
    return FACET_OK;
}

FacetResult facet__os_file_read(FacetOsFile *f, uint64_t offset, void *buf, uint64_t len,
                                uint64_t *got)
{
    OVERLAPPED ov;
    DWORD n = 0;
    *got = 0;
    if (facet__fault(FACET_FAULT_FILE))
        return win_error(ERROR_READ_FAULT, f->path, "read");
    memset(&ov, 0, sizeof(ov));
    ov.Offset = (DWORD)offset;
    ov.OffsetHigh = (DWORD)(offset >> 32);
    if (!ReadFile((HANDLE)f->handle, buf, len > 0x40000000u ? 0x40000000u : (DWORD)len, &n,
                  &ov)) {
        DWORD err = GetLastError();
        if (err == ERROR_HANDLE_EOF)
            return FACET_OK;
        return win_error(err, f->path, "read");
    }
    *got = n;
    return FACET_OK;
}

void facet__os_file_close(FacetOsFile *f)
{
    if ((HANDLE)f->handle != INVALID_HANDLE_VALUE)
        CloseHandle((HANDLE)f->handle);
    f->handle = (intptr_t)INVALID_HANDLE_VALUE;
}

/* The path of an open handle as the file system knows it: links resolved,
 * the real case of every name, without the \\?\ prefix. NULL when the
 * system cannot say (some file systems), or out of memory. */
static wchar_t *final_path(HANDLE h)
{
    DWORD n = GetFinalPathNameByHandleW(h, NULL, 0, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
    wchar_t *p = n ? facet__malloc((size_t)(n + 1) * sizeof(wchar_t)) : NULL;
    size_t skip = 0, len;
    if (p == NULL)
        return NULL;
    n = GetFinalPathNameByHandleW(h, p, n + 1, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
    if (n == 0) {
        facet__free(p);
        return NULL;
    }
    if (wcsncmp(p, L"\\\\?\\UNC\\", 8) == 0) {
        skip = 6; /* \\?\UNC\server\share -> \\server\share */
        p[6] = L'\\';
    } else if (wcsncmp(p, L"\\\\?\\", 4) == 0) {
        skip = 4;
    }
    len = wcslen(p + skip);
    memmove(p, p + skip, (len + 1) * sizeof(wchar_t));
    return p;
}

FacetResult facet__os_realpath(char **out, const char *path)
{
    wchar_t *w, *full = NULL;
    HANDLE h;
    DWORD n;
    FacetResult r;
    *out = NULL;
    if (facet__fault(FACET_FAULT_FILE))
        return win_error(ERROR_READ_FAULT, path, "realpath");
    r = widen(&w, path);
    if (FACET_FAILED(r))
        return r;
    /* As realpath(3): the file must exist, and links are followed. */
    h = CreateFileW(w, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                    OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        facet__free(w);
        return win_error(GetLastError(), path, "realpath");
    }
    full = final_path(h);
    CloseHandle(h);
    if (full == NULL) {
        n = GetFullPathNameW(w, 0, NULL, NULL);
        full = n ? facet__malloc((size_t)n * sizeof(wchar_t)) : NULL;
        if (full != NULL && GetFullPathNameW(w, n, full, NULL) == 0) {
            facet__free(full);
            facet__free(w);
            return win_error(GetLastError(), path, "GetFullPathName");
        }
    }
    facet__free(w);
    *out = full ? narrow(full) : NULL;
    facet__free(full);
    return *out ? FACET_OK : facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", path);
}

FacetResult facet__os_lib_open(FacetOsLibrary *out, const char *path)
{
    wchar_t *w;
    char msg[256];
    DWORD mode = 0, err;
    FacetResult r;
    *out = NULL;
    if (facet__fault(FACET_FAULT_LOADER))
        return facet__error(FACET_E_LOADFAILED, "%s: LoadLibrary failed: injected fault", path);
    r = widen(&w, path);
    if (FACET_FAILED(r))
        return r;
    /* No "missing DLL" dialog box may stop a host: this thread's error
     * mode only, and only for the call. The altered search path finds the
     * DLLs a module depends on next to it (path is absolute: the loader
     * passes facet__os_realpath's answer). */
    SetThreadErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX, &mode);
    *out = (FacetOsLibrary)LoadLibraryExW(w, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    err = GetLastError();
    SetThreadErrorMode(mode, NULL);
    facet__free(w);
    if (*out != NULL)
        return FACET_OK;
    system_message(err, msg, sizeof(msg));
    if (err == ERROR_MOD_NOT_FOUND)
        return facet__error(FACET_E_LOADFAILED,
                            "%s: LoadLibrary failed: %s (a DLL it depends on is missing: "
                            "put it next to the module or on PATH)",
                            path, msg);
    return facet__error(FACET_E_LOADFAILED, "%s: LoadLibrary failed: %s", path, msg);
}

void *facet__os_lib_sym(FacetOsLibrary lib, const char *name)
{
    FARPROC p;
    void *q;
    if (facet__fault(FACET_FAULT_LOADER))
        return NULL;
    p = GetProcAddress((HMODULE)lib, name);
    memcpy(&q, &p, sizeof(q));
    return q;
}

void facet__os_lib_close(FacetOsLibrary lib)
{
    if (lib != NULL)
        FreeLibrary((HMODULE)lib);
}

FacetResult facet__os_dir_each(const char *dir, FacetOsDirFn fn, void *payload)
{
    WIN32_FIND_DATAW fd;
    HANDLE h;
    wchar_t *wdir;
    size_t n;
    FacetResult r;
    char *pattern;

    if (facet__fault(FACET_FAULT_FILE))
        return win_error(ERROR_READ_FAULT, dir, "FindFirstFile");
    n = strlen(dir);
    pattern = facet__malloc(n + 3);
    if (pattern == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", dir);
    memcpy(pattern, dir, n);
    memcpy(pattern + n, "\\*", 3);
    r = widen(&wdir, pattern);
    facet__free(pattern);
    if (FACET_FAILED(r))
        return r;
    h = FindFirstFileW(wdir, &fd);
    facet__free(wdir);
    if (h == INVALID_HANDLE_VALUE)
        return win_error(GetLastError(), dir, "FindFirstFile");
    do {
        char *name;
        if (fd.cFileName[0] == L'.' &&
            (fd.cFileName[1] == 0 || (fd.cFileName[1] == L'.' && fd.cFileName[2] == 0)))
            continue;
        name = narrow(fd.cFileName);
        if (name == NULL) {
            r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", dir);
            break;
        }
        r = fn(payload, name);
        facet__free(name);
        if (FACET_FAILED(r))
            break;
    } while (FindNextFileW(h, &fd));
    FindClose(h);
    return r;
}

FacetResult facet__os_rwlock_init(FacetOsRwlock *l)
{
    InitializeSRWLock((PSRWLOCK)&l->srw);
    return FACET_OK;
}

void facet__os_rwlock_destroy(FacetOsRwlock *l) { (void)l; }
void facet__os_rwlock_rdlock(FacetOsRwlock *l) { AcquireSRWLockShared((PSRWLOCK)&l->srw); }
void facet__os_rwlock_wrlock(FacetOsRwlock *l) { AcquireSRWLockExclusive((PSRWLOCK)&l->srw); }
void facet__os_rwlock_rdunlock(FacetOsRwlock *l) { ReleaseSRWLockShared((PSRWLOCK)&l->srw); }
void facet__os_rwlock_wrunlock(FacetOsRwlock *l) { ReleaseSRWLockExclusive((PSRWLOCK)&l->srw); }
void facet__os_yield(void) { SwitchToThread(); }
uint64_t facet__os_thread_id(void) { return GetCurrentThreadId(); }
uint64_t facet__os_process_id(void) { return GetCurrentProcessId(); }

/* RtlGenRandom, exported by advapi32 as SystemFunction036: in every Windows
 * since XP and in Wine, without bcrypt's setup. */
FacetResult facet__os_random(void *out, size_t size)
{
    typedef BOOLEAN(WINAPI * GenRandom)(PVOID, ULONG);
    HMODULE advapi = LoadLibraryW(L"advapi32.dll");
    GenRandom gen = advapi ? (GenRandom)(void (*)(void))GetProcAddress(advapi, "SystemFunction036")
                           : NULL;
    BOOLEAN ok = gen != NULL && size <= 0xFFFFFFFFu && gen(out, (ULONG)size);
    if (advapi != NULL)
        FreeLibrary(advapi);
    return ok ? FACET_OK
              : facet__error(FACET_E_FAIL, "advapi32.dll: SystemFunction036 (RtlGenRandom) "
                                           "gave no random bytes");
}

/* os.h: for every path the layers above hand to Windows. */
FacetResult facet__win_widen(wchar_t **out, const char *s) { return widen(out, s); }
char *facet__win_narrow(const wchar_t *w) { return narrow(w); }

/* os.h: the command lines and the start of child processes, for the
 * probe's children (check/) and the process host (core/remote). */
void facet__win_quote_arg(char *cmd, size_t *len, const char *arg)
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
        if (*p == '"')
            slashes = slashes * 2 + 1;
        while (slashes--)
            cmd[(*len)++] = '\\';
        cmd[(*len)++] = *p;
    }
    cmd[(*len)++] = '"';
    cmd[(*len)++] = ' ';
    cmd[*len] = '\0';
}

int facet__win_create_process(const wchar_t *exe, wchar_t *cmd, void *si, void *const *handles,
                              unsigned n, void *pi)
{
    STARTUPINFOEXW six;
    SIZE_T size = 0;
    LPPROC_THREAD_ATTRIBUTE_LIST list = NULL;
    DWORD flags = CREATE_SUSPENDED | CREATE_NO_WINDOW;
    BOOL ok;
    memset(&six, 0, sizeof(six));
    six.StartupInfo = *(STARTUPINFOW *)si;
    six.StartupInfo.cb = sizeof(six);
    InitializeProcThreadAttributeList(NULL, 1, 0, &size);
    if (size > 0 && (list = facet__malloc(size)) != NULL &&
        InitializeProcThreadAttributeList(list, 1, 0, &size)) {
        if (UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, (PVOID)handles,
                                      n * sizeof(HANDLE), NULL, NULL)) {
            six.lpAttributeList = list;
            ok = CreateProcessW(exe, cmd, NULL, NULL, TRUE, flags | EXTENDED_STARTUPINFO_PRESENT,
                                NULL, NULL, &six.StartupInfo, pi);
            DeleteProcThreadAttributeList(list);
            facet__free(list);
            return ok;
        }
        DeleteProcThreadAttributeList(list);
    }
    facet__free(list);
    return CreateProcessW(exe, cmd, NULL, NULL, TRUE, flags, NULL, NULL, si, pi);
}

/* ---- Private copies of libraries --------------------------------------- */

FacetResult facet__os_private_folder(char *out, size_t size)
{
    wchar_t base[MAX_PATH + 1], *w;
    char *b;
    DWORD n, err = ERROR_ALREADY_EXISTS;
    unsigned i;
    FacetResult r;

    if (facet__fault(FACET_FAULT_FILE))
        return win_error(ERROR_READ_FAULT, "the temporary folder", "CreateDirectory");
    n = GetTempPathW(MAX_PATH + 1, base);
    if (n == 0 || n > MAX_PATH)
        return win_error(GetLastError(), "the temporary folder", "GetTempPath");
    b = narrow(base);
    if (b == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
    for (i = 0; i < 100 && err == ERROR_ALREADY_EXISTS; i++) {
        snprintf(out, size, "%sfacet-%lu-%lu", b, (unsigned long)GetCurrentProcessId(),
                 (unsigned long)(GetTickCount() + i));
        r = widen(&w, out);
        if (FACET_FAILED(r)) {
            facet__free(b);
            return r;
        }
        err = CreateDirectoryW(w, NULL) ? 0 : GetLastError();
        facet__free(w);
    }
    facet__free(b);
    if (err == 0)
        return FACET_OK;
    r = win_error(err, out, "CreateDirectory");
    out[0] = '\0';
    return r;
}

FacetResult facet__os_user_cache(char **out)
{
    const wchar_t *w = _wgetenv(L"LOCALAPPDATA");
    *out = NULL;
    if (w == NULL || w[0] == L'\0')
        return facet__error(FACET_E_NOTFOUND, "no cache folder: LOCALAPPDATA is not set");
    *out = narrow(w);
    return *out != NULL ? FACET_OK : facet__error(FACET_E_OUTOFMEMORY, "out of memory");
}

FacetResult facet__os_mkdir(const char *path)
{
    wchar_t *w;
    FacetResult r;
    if (facet__fault(FACET_FAULT_FILE))
        return win_error(ERROR_READ_FAULT, path, "CreateDirectory");
    r = widen(&w, path);
    if (FACET_FAILED(r))
        return r;
    if (!CreateDirectoryW(w, NULL))
        r = win_error(GetLastError(), path, "CreateDirectory");
    facet__free(w);
    return r;
}

FacetResult facet__os_copy_file(const char *from, const char *to)
{
    wchar_t *wf, *wt = NULL;
    FacetResult r;
    if (facet__fault(FACET_FAULT_FILE))
        return win_error(ERROR_READ_FAULT, from, "copy");
    r = widen(&wf, from);
    if (FACET_SUCCEEDED(r))
        r = widen(&wt, to);
    if (FACET_SUCCEEDED(r) && !CopyFileW(wf, wt, TRUE)) {
        DWORD err = GetLastError();
        r = err == ERROR_FILE_EXISTS
                ? facet__error(FACET_E_CONFLICT, "%s: the file is there already", to)
                : win_error(err, from, "CopyFile");
    }
    facet__free(wf);
    facet__free(wt);
    return r;
}

void facet__os_remove_file(const char *path)
{
    wchar_t *w;
    if (FACET_SUCCEEDED(widen(&w, path))) {
        DeleteFileW(w);
        facet__free(w);
    }
}

void facet__os_remove_folder(const char *path)
{
    wchar_t *w;
    if (FACET_SUCCEEDED(widen(&w, path))) {
        RemoveDirectoryW(w);
        facet__free(w);
    }
}

/* ---- Writing a file in one step --------------------------------------- */

FacetResult facet__os_write_replace(const char *path, const void *data, size_t size)
{
    static LONG seq;
    wchar_t *wtmp = NULL, *wpath = NULL;
    size_t n = strlen(path) + 48, done = 0;
    char *tmp = facet__malloc(n);
    HANDLE h = INVALID_HANDLE_VALUE;
    FacetResult r = FACET_OK;
    int tries;
    if (tmp == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", path);
    r = widen(&wpath, path);
    /* A name of our own, created anew: CREATE_NEW fails on anything
     * already there, a link planted under the name included. */
    for (tries = 0; FACET_SUCCEEDED(r) && h == INVALID_HANDLE_VALUE && tries < 100; tries++) {
        snprintf(tmp, n, "%s.%lu.%ld.new", path, (unsigned long)GetCurrentProcessId(),
                 (long)InterlockedIncrement(&seq) + (long)(GetTickCount64() & 0xFFFFF));
        facet__free(wtmp);
        wtmp = NULL;
        r = widen(&wtmp, tmp);
        if (FACET_FAILED(r))
            break;
        if (facet__fault(FACET_FAULT_FILE)) {
            SetLastError(ERROR_WRITE_FAULT);
            break;
        }
        h = CreateFileW(wtmp, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
        if (h == INVALID_HANDLE_VALUE && GetLastError() != ERROR_FILE_EXISTS &&
            GetLastError() != ERROR_ALREADY_EXISTS)
            break;
    }
    if (FACET_SUCCEEDED(r) && h == INVALID_HANDLE_VALUE)
        r = facet__error(win_code(GetLastError()), "%s: cannot create %s (error %lu)", path, tmp,
                         (unsigned long)GetLastError());
    while (FACET_SUCCEEDED(r) && done < size) {
        DWORD wrote = 0, want = size - done > 0x40000000u ? 0x40000000u : (DWORD)(size - done);
        if (!WriteFile(h, (const char *)data + done, want, &wrote, NULL) || wrote == 0)
            r = facet__error(FACET_E_FAIL, "%s: cannot write %s (error %lu)", path, tmp,
                             (unsigned long)GetLastError());
        done += wrote;
    }
    if (h != INVALID_HANDLE_VALUE)
        CloseHandle(h);
    if (FACET_SUCCEEDED(r) &&
        !MoveFileExW(wtmp, wpath, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        r = facet__error(win_code(GetLastError()), "%s: cannot replace it with %s (error %lu)",
                         path, tmp, (unsigned long)GetLastError());
    if (FACET_FAILED(r) && h != INVALID_HANDLE_VALUE)
        DeleteFileW(wtmp);
    facet__free(wtmp);
    facet__free(wpath);
    facet__free(tmp);
    return r;
}

#endif /* _WIN32 */

FacetResult facet__os_program_path(char *out, size_t size)
{
    wchar_t w[4096];
    DWORD n = GetModuleFileNameW(NULL, w, (DWORD)(sizeof(w) / sizeof(w[0])));
    if (n == 0 || n >= sizeof(w) / sizeof(w[0]))
        return win_error(GetLastError(), "the program", "GetModuleFileName");
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)size, NULL, NULL) == 0)
        return win_error(GetLastError(), "the program", "WideCharToMultiByte");
    return FACET_OK;
}

/* ---- Threads and time --------------------------------------------------- */

uint64_t facet__os_now_ms(void)
{
    return (uint64_t)GetTickCount64();
}

typedef struct Start {
    void (*fn)(void *);
    void *arg;
} Start;

static unsigned __stdcall thread_main(void *p)
{
    Start s = *(Start *)p;
    facet__free(p);
    s.fn(s.arg);
    return 0;
}

FacetResult facet__os_thread_start(FacetOsThread *out, void (*fn)(void *), void *arg)
{
    Start *s = facet__malloc(sizeof(*s));
    uintptr_t h;
    out->handle = NULL;
    if (s == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a thread");
    s->fn = fn;
    s->arg = arg;
    h = _beginthreadex(NULL, 0, thread_main, s, 0, NULL);
    if (h == 0) {
        facet__free(s);
        return facet__error(FACET_E_FAIL, "_beginthreadex failed");
    }
    out->handle = (void *)h;
    return FACET_OK;
}

void facet__os_thread_join(FacetOsThread *t)
{
    if (t->handle == NULL)
        return;
    WaitForSingleObject((HANDLE)t->handle, INFINITE);
    CloseHandle((HANDLE)t->handle);
    t->handle = NULL;
}
