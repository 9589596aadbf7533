/*
 * core/os/watch_win32.c - folder watching with ReadDirectoryChangesW, one
 * overlapped read per folder and one wait over all of them; threads and
 * the tick clock. Windows reports no "closed after writing": a name
 * written is CHANGED, and the quiet time of the watcher does the rest.
 */
#ifdef _WIN32

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <process.h>
#include <string.h>

#include "os/os.h"
#include "os/watch.h"

/* At most this many folders: one wait takes MAXIMUM_WAIT_OBJECTS handles,
 * one of them the wake event. */
#define WATCH_MAX (MAXIMUM_WAIT_OBJECTS - 1)

typedef struct Folder {
    HANDLE dir;                 /* INVALID_HANDLE_VALUE: a free slot */
    OVERLAPPED ov;
    DWORD buf[16 * 1024];       /* FILE_NOTIFY_INFORMATION, DWORD-aligned */
} Folder;

struct FacetOsWatch {
    HANDLE wake;
    Folder folders[WATCH_MAX];
};

static int arm(Folder *f)
{
    ResetEvent(f->ov.hEvent);
    return ReadDirectoryChangesW(f->dir, f->buf, sizeof(f->buf), FALSE,
                                 FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_LAST_WRITE |
                                     FILE_NOTIFY_CHANGE_SIZE,
                                 NULL, &f->ov, NULL) != 0;
}

FacetResult facet__os_watch_new(FacetOsWatch **out)
{
    FacetOsWatch *w;
    int i;
    *out = NULL;
    if (facet__fault(FACET_FAULT_WATCH))
        return facet__error(FACET_E_FAIL, "CreateEvent: out of handles");
    w = facet__calloc(1, sizeof(*w));
    if (w == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory for a folder watch");
    for (i = 0; i < WATCH_MAX; i++)
        w->folders[i].dir = INVALID_HANDLE_VALUE;
    w->wake = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (w->wake == NULL) {
        facet__free(w);
        return facet__error(FACET_E_FAIL, "CreateEvent failed (error %lu)",
                            (unsigned long)GetLastError());
    }
    *out = w;
    return FACET_OK;
}

FacetResult facet__os_watch_add(FacetOsWatch *w, const char *dir, int32_t *id)
{
    wchar_t *wdir;
    Folder *f = NULL;
    FacetResult r;
    int i;
    *id = -1;
    if (facet__fault(FACET_FAULT_WATCH))
        return facet__error(FACET_E_FAIL, "%s: ReadDirectoryChangesW: out of resources", dir);
    for (i = 0; i < WATCH_MAX && f == NULL; i++)
        if (w->folders[i].dir == INVALID_HANDLE_VALUE)
            f = &w->folders[i];
    if (f == NULL)
        return facet__error(FACET_E_FAIL, "%s: more than %d folders to watch", dir, WATCH_MAX);
    r = facet__win_widen(&wdir, dir);
    if (FACET_FAILED(r))
        return r;
    f->dir = CreateFileW(wdir, FILE_LIST_DIRECTORY,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                         OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED, NULL);
    facet__free(wdir);
    if (f->dir == INVALID_HANDLE_VALUE) {
        DWORD err = GetLastError();
        if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND)
            return facet__error(FACET_E_FILENOTFOUND, "%s: no such folder to watch", dir);
        return facet__error(FACET_E_FAIL, "%s: cannot open the folder to watch it (error %lu)",
                            dir, (unsigned long)err);
    }
    memset(&f->ov, 0, sizeof(f->ov));
    f->ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (f->ov.hEvent == NULL || !arm(f)) {
        DWORD err = GetLastError();
        if (f->ov.hEvent != NULL)
            CloseHandle(f->ov.hEvent);
        CloseHandle(f->dir);
        f->dir = INVALID_HANDLE_VALUE;
        return facet__error(FACET_E_FAIL, "%s: ReadDirectoryChangesW failed (error %lu)", dir,
                            (unsigned long)err);
    }
    *id = (int32_t)(f - w->folders);
    return FACET_OK;
}

void facet__os_watch_remove(FacetOsWatch *w, int32_t id)
{
    Folder *f;
    if (id < 0 || id >= WATCH_MAX || w->folders[id].dir == INVALID_HANDLE_VALUE)
        return;
    f = &w->folders[id];
    /* The read may have been issued by another thread (the watcher's):
     * CancelIoEx cancels it from any, and closing the folder cancels what
     * is left. The system writes the read's end into f->ov: it is waited
     * for (a little: not every system signals a cancelled directory read)
     * before the memory goes. */
    CancelIoEx(f->dir, &f->ov);
    CloseHandle(f->dir);
    WaitForSingleObject(f->ov.hEvent, 2000);
    CloseHandle(f->ov.hEvent);
    f->dir = INVALID_HANDLE_VALUE;
}

FacetResult facet__os_watch_wait(FacetOsWatch *w, uint32_t timeout_ms, FacetOsWatchFn fn,
                                 void *payload)
{
    HANDLE handles[MAXIMUM_WAIT_OBJECTS];
    int32_t ids[MAXIMUM_WAIT_OBJECTS];
    DWORD count = 0, got, n = 0;
    FacetResult r = FACET_FALSE;
    Folder *f;
    int i;

    handles[count++] = w->wake;
    for (i = 0; i < WATCH_MAX; i++)
        if (w->folders[i].dir != INVALID_HANDLE_VALUE) {
            ids[count] = i;
            handles[count++] = w->folders[i].ov.hEvent;
        }
    got = WaitForMultipleObjects(count, handles, FALSE, timeout_ms);
    if (got == WAIT_TIMEOUT || got == WAIT_FAILED || got == WAIT_OBJECT_0)
        return FACET_FALSE;
    if (got <= WAIT_OBJECT_0 || got >= WAIT_OBJECT_0 + count)
        return FACET_FALSE;
    i = ids[got - WAIT_OBJECT_0];
    f = &w->folders[i];
    if (!GetOverlappedResult(f->dir, &f->ov, &n, FALSE) || (n == 0 && !arm(f))) {
        /* The folder went away. */
        facet__os_watch_remove(w, i);
        fn(payload, i, NULL, FACET_OS_WATCH_LOST);
        return FACET_OK;
    }
    if (n > 0) {
        const BYTE *at = (const BYTE *)f->buf;
        for (;;) {
            const FILE_NOTIFY_INFORMATION *info = (const FILE_NOTIFY_INFORMATION *)at;
            wchar_t name[MAX_PATH + 1];
            size_t len = info->FileNameLength / sizeof(wchar_t);
            uint32_t what;
            char *utf8;
            if (len > MAX_PATH)
                len = MAX_PATH;
            memcpy(name, info->FileName, len * sizeof(wchar_t));
            name[len] = L'\0';
            switch (info->Action) {
            case FILE_ACTION_REMOVED:
            case FILE_ACTION_RENAMED_OLD_NAME: what = FACET_OS_WATCH_GONE; break;
            default: what = FACET_OS_WATCH_CHANGED; break;
            }
            utf8 = facet__win_narrow(name);
            if (utf8 != NULL) {
                fn(payload, i, utf8, what);
                facet__free(utf8);
                r = FACET_OK;
            }
            if (info->NextEntryOffset == 0)
                break;
            at += info->NextEntryOffset;
        }
        if (!arm(f)) {
            facet__os_watch_remove(w, i);
            fn(payload, i, NULL, FACET_OS_WATCH_LOST);
        }
    } else {
        r = FACET_OK; /* overflow: the watcher looks at every file again */
        fn(payload, i, "", FACET_OS_WATCH_CHANGED);
    }
    return r;
}

void facet__os_watch_wake(FacetOsWatch *w)
{
    SetEvent(w->wake);
}

void facet__os_watch_free(FacetOsWatch *w)
{
    int i;
    if (w == NULL)
        return;
    for (i = 0; i < WATCH_MAX; i++)
        facet__os_watch_remove(w, i);
    CloseHandle(w->wake);
    facet__free(w);
}

#endif /* _WIN32 */
