/*
 * core/runtime/loader.c - from a path to a module whose classes can be registered:
 * check the file, map it, find the one export, call it, and read what the
 * module says about itself, checking every answer at the boundary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

/* The most classes one module may declare: a sanity bound, so a garbage
 * count from a broken module cannot make the runtime allocate gigabytes. */
#define FACET_MAX_CLASSES 65536u

/* The image checks read a few small pieces of the file: the headers and
 * program table in its first page, and on ELF the section table, which
 * linkers put at the end (the look for Go's build information reads each
 * of its entries). One read of the head serves the first, and one read of
 * a window at the first piece beyond the head serves the pieces that
 * follow it, where an open, a read and a close per piece made loading cost
 * twice a bare dlopen, and a read per section entry 1.5 times (bench:
 * load.module). A piece in neither is read from the file, which stays open
 * for the whole check. A failed read is kept, so that an I/O error is
 * reported as one and not as a truncated file. */
typedef struct FileWindow {
    uint64_t offset; /* where bytes[] starts in the file */
    uint64_t size;   /* bytes of the file in bytes[] */
    uint8_t bytes[4096];
} FileWindow;

typedef struct FileHead {
    FacetOsFile file;
    FacetResult failed; /* FACET_OK until a read fails */
    char message[512];  /* the first failure's message */
    FileWindow head;    /* offset 0 */
    FileWindow tail;    /* the last window read beyond the head; size 0: none */
} FileHead;

static void read_failed(FileHead *head, FacetResult r)
{
    if (head->failed == FACET_OK) {
        head->failed = r;
        snprintf(head->message, sizeof(head->message), "%s", facet_last_error());
    }
}

/* Copies len bytes at offset from w, if w holds them all. */
static int window_copy(const FileWindow *w, uint64_t offset, void *buf, uint64_t len)
{
    if (offset < w->offset || offset - w->offset > w->size || len > w->size - (offset - w->offset))
        return 0;
    memcpy(buf, w->bytes + (offset - w->offset), (size_t)len);
    return 1;
}

static int64_t read_file_at(void *payload, uint64_t offset, void *buf, uint64_t len)
{
    FileHead *head = payload;
    uint64_t got = 0;
    FacetResult r;
    if (head->failed != FACET_OK)
        return -1;
    if (window_copy(&head->head, offset, buf, len) || window_copy(&head->tail, offset, buf, len))
        return (int64_t)len;
    if (len <= sizeof(head->tail.bytes) && offset < head->file.size) {
        /* From the piece on, or the file's last window when the piece is
         * in it: the section table and its names sit at the end. */
        uint64_t start = offset, want = sizeof(head->tail.bytes);
        if (head->file.size - start < want)
            start = head->file.size > want ? head->file.size - want : 0;
        if (head->file.size - start < want)
            want = head->file.size - start;
        head->tail.size = 0;
        r = facet__file_read(&head->file, start, head->tail.bytes, want, &got);
        if (FACET_FAILED(r)) {
            read_failed(head, r);
            return -1;
        }
        head->tail.offset = start;
        head->tail.size = got;
        if (window_copy(&head->tail, offset, buf, len))
            return (int64_t)len;
    }
    r = facet__file_read(&head->file, offset, buf, len, &got);
    if (FACET_FAILED(r)) {
        read_failed(head, r);
        return -1;
    }
    return (int64_t)got;
}

/* The checks before the system loader sees the file; info says what it
 * is. */
FacetResult facet__loader_check(FacetImageInfo *info, const char *path)
{
    FileHead head;
    FacetResult r = facet__os_file_open(&head.file, path);
    if (r == FACET_E_FILENOTFOUND)
        return facet__error(FACET_E_FILENOTFOUND,
                            "%s: no such file; expected a Facet module (a shared library)", path);
    if (r == FACET_E_NOTAFILE) {
        char message[512];
        snprintf(message, sizeof(message), "%s", facet_last_error());
        return facet__error(r, "%s; expected a Facet module (a shared library)", message);
    }
    if (FACET_FAILED(r))
        return r;
    head.failed = FACET_OK;
    head.message[0] = '\0';
    head.head.offset = 0;
    head.head.size = 0;
    head.tail.offset = 0;
    head.tail.size = 0;
    r = facet__file_read(&head.file, 0, head.head.bytes,
                         head.file.size < sizeof(head.head.bytes) ? head.file.size
                                                                  : sizeof(head.head.bytes),
                         &head.head.size);
    if (FACET_FAILED(r))
        read_failed(&head, r);
    r = facet__image_check(info, path, head.file.size, read_file_at, &head);
    facet__os_file_close(&head.file);
    /* A read that failed is the error, whatever the checks made of it:
     * the looking for Go's build information, too, must not guess. */
    if (head.failed != FACET_OK)
        return facet__error(head.failed, "%s", head.message);
    return r;
}

FacetResult facet__module_check_file(const char *path)
{
    FacetImageInfo info;
    return facet__loader_check(&info, path);
}

FacetResult facet__loader_read_info(FacetModule *m, const char *path)
{
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    FacetResult r = IFacetFactory_GetModuleInfo(m->factory, &info);
    if (FACET_FAILED(r))
        return facet__error(r, "%s: GetModuleInfo failed with %s", path, facet_result_name(r));
    if (info.struct_size > sizeof(FacetModuleInfo))
        return facet__error(FACET_E_CONTRACT,
                            "%s: GetModuleInfo set struct_size to %u, more than the %u bytes it "
                            "was given; a callee writes no further than struct_size",
                            path, (unsigned)info.struct_size, (unsigned)sizeof(FacetModuleInfo));
    if (info.struct_size < FACET_MODULE_INFO_V1_SIZE)
        return facet__error(FACET_E_STRUCTSIZE,
                            "%s: GetModuleInfo filled %u bytes of FacetModuleInfo; this runtime "
                            "reads %u (abi_version, name, version, api_level, compiler)",
                            path, (unsigned)info.struct_size, (unsigned)FACET_MODULE_INFO_V1_SIZE);
    if (info.name == NULL || info.name[0] == '\0' || info.version == NULL)
        return facet__error(FACET_E_CONTRACT,
                            "%s: GetModuleInfo gave no %s; every module has a name and a version",
                            path, info.name == NULL || info.name[0] == '\0' ? "name" : "version");
    if (info.abi_version != FACET_ABI_VERSION)
        return facet__error(FACET_E_ABIMISMATCH,
                            "%s: module %s was built against ABI version %u; this host speaks %u",
                            path, info.name, (unsigned)info.abi_version,
                            (unsigned)FACET_ABI_VERSION);
    if (info.api_level > m->rt->api_level)
        return facet__error(FACET_E_APILEVEL,
                            "%s: module %s needs host API level %u; this host offers %u", path,
                            info.name, (unsigned)info.api_level, (unsigned)m->rt->api_level);
    info.struct_size = sizeof(info);
    m->info = info;
    return FACET_OK;
}

FacetResult facet__loader_read_classes(FacetModule *m, const char *path)
{
    uint32_t count = 0, i;
    FacetResult r = IFacetFactory_GetClassCount(m->factory, &count);
    if (FACET_FAILED(r))
        return facet__error(r, "%s: GetClassCount failed with %s", path, facet_result_name(r));
    if (count > FACET_MAX_CLASSES)
        return facet__error(FACET_E_CONTRACT,
                            "%s: GetClassCount says %u classes; the most a module may have is %u",
                            path, (unsigned)count, (unsigned)FACET_MAX_CLASSES);
    if (count > 0) {
        m->classes = facet__calloc(count, sizeof(FacetClassEntry));
        if (m->classes == NULL)
            return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory for %u classes", path,
                                (unsigned)count);
    }
    for (i = 0; i < count; i++) {
        FacetClassInfo ci = FACET_CLASS_INFO_INIT;
        FacetClassEntry *e = &m->classes[i];
        r = IFacetFactory_DescribeClass(m->factory, i, &ci);
        if (FACET_FAILED(r))
            return facet__error(r == FACET_E_INVALIDARG ? FACET_E_CONTRACT : r,
                                "%s: DescribeClass(%u) failed with %s, though GetClassCount "
                                "said %u classes",
                                path, (unsigned)i, facet_result_name(r), (unsigned)count);
        if (ci.struct_size > sizeof(FacetClassInfo))
            return facet__error(FACET_E_CONTRACT,
                                "%s: DescribeClass(%u) set struct_size to %u, more than the %u "
                                "bytes it was given; a callee writes no further than "
                                "struct_size",
                                path, (unsigned)i, (unsigned)ci.struct_size,
                                (unsigned)sizeof(FacetClassInfo));
        if (ci.struct_size < FACET_CLASS_INFO_V1_SIZE)
            return facet__error(FACET_E_STRUCTSIZE,
                                "%s: DescribeClass(%u) filled %u bytes of FacetClassInfo; this "
                                "runtime reads %u",
                                path, (unsigned)i, (unsigned)ci.struct_size,
                                (unsigned)FACET_CLASS_INFO_V1_SIZE);
        if (ci.threading > FACET_THREADING_MAIN)
            return facet__error(FACET_E_CONTRACT,
                                "%s: class %u has threading %u; expected 0 (any), 1 (single) or "
                                "2 (main)",
                                path, (unsigned)i, (unsigned)ci.threading);
        if (ci.interface_count > 0 && ci.interfaces == NULL)
            return facet__error(FACET_E_CONTRACT,
                                "%s: class %u lists %u interfaces but its interfaces pointer is "
                                "NULL",
                                path, (unsigned)i, (unsigned)ci.interface_count);
        e->clsid = ci.clsid;
        e->contract = ci.contract;
        e->version = ci.version ? ci.version : m->info.version;
        e->threading = ci.threading;
        e->module = m;
    }
    /* The list must end where the count says: a class past it would be
     * one the runtime never registers. */
    {
        FacetClassInfo past = FACET_CLASS_INFO_INIT;
        if (FACET_SUCCEEDED(IFacetFactory_DescribeClass(m->factory, count, &past)))
            return facet__error(FACET_E_CONTRACT,
                                "%s: DescribeClass(%u) succeeded, though GetClassCount said %u "
                                "classes; the count and the class list disagree",
                                path, (unsigned)count, (unsigned)count);
    }
    m->class_count = count;
    return FACET_OK;
}

/* ---- One mapping of a file per module ---------------------------------- *
 *
 * A module's code carries its globals: facet/module.h keeps the host object
 * it was handed in one, and any module may. Two runtimes that mapped one
 * file would share them, and the module of one would call into the other's
 * host object, freed or not. So a file is mapped by one module of the
 * process at a time; while it is, another runtime that loads the file gets
 * a private copy. The table of mapped files is the process's, under one
 * lock, which also guards the folder of private copies, and under which
 * every module is mapped and unmapped: the system loader serialises those
 * anyway, and this way a thread that gets the memory of a module another
 * thread unmapped is seen to come after it (by ThreadSanitizer too). */

#ifdef _WIN32
#define SEP "\\"
#else
#define SEP "/"
#endif

typedef struct MappedFile {
    const char *path;          /* the mapping module's m->path */
    FacetOsLibrary lib;
    uint32_t runtime;          /* FACET_RUNTIME_* of the module */
    UT_hash_handle hh;
} MappedFile;

static FacetOsRwlock mapped_lock = FACET_OS_RWLOCK_INIT;
static MappedFile *mapped;
static char copy_folder[4096]; /* made at the first copy, removed at exit */
static uint64_t copy_owner;    /* the process that made it */
static int copy_hooked;        /* remove_copy_folder runs at exit */
static uint64_t copy_count;

/* ---- One Go runtime per process ------------------------------------------ *
 *
 * Go supports one Go runtime in a process (golang/go#18976): a second Go
 * library crashes under load (#36628, #65050), a Go library in a Go
 * program too (#22192). Mapping a Go module starts its runtime, so the
 * loader knows a module is Go before it maps it (its image, its manifest)
 * and maps one only where the process has no Go runtime yet, or where that
 * runtime is the module's own, mapped before. And a Go module is never
 * unmapped: Go cannot stop its runtime (#11100; FreeLibrary on one
 * crashes, #32497), so its code stays until the process ends. Under
 * mapped_lock. */

static int go_program = -1; /* the host program is written in Go; -1: not looked at yet */
static char go_module[4096]; /* the file whose Go runtime the process has, or "" */

static int64_t read_os_file(void *payload, uint64_t offset, void *buf, uint64_t len)
{
    uint64_t got = 0;
    if (FACET_FAILED(facet__file_read(payload, offset, buf, len, &got)))
        return -1;
    return (int64_t)got;
}

/* Whether the program this code runs in is written in Go, read once from
 * its file (not its memory: a program and its Go runtime look the same to
 * the system loader as any other). */
static int program_is_go(void)
{
    char path[4096], message[1024];
    FacetResult code = facet_last_error_code();
    FacetOsFile f;
    if (go_program >= 0)
        return go_program;
    snprintf(message, sizeof(message), "%s", facet_last_error());
    go_program = 0;
    if (FACET_SUCCEEDED(facet__os_program_path(path, sizeof(path))) &&
        FACET_SUCCEEDED(facet__os_file_open(&f, path))) {
        go_program = facet__image_is_go(f.size, read_os_file, &f);
        facet__os_file_close(&f);
    }
    /* Not knowing is not an error of the call under way. */
    if (code == FACET_OK)
        facet_error_clear();
    else
        facet__error(code, "%s", message);
    return go_program;
}

/* May the Go module at path (canonical) be mapped in this process? The
 * caller holds mapped_lock. Where it may not, discovery runs the module in
 * a process host instead (core/discovery/scan.c), and this says why. */
static FacetResult go_may_map(const char *path)
{
    if (program_is_go())
        return facet__error(FACET_E_CONFLICT,
                            "%s: a module written in Go, and this program is written in Go "
                            "too: a process has one Go runtime, and a second one in it crashes "
                            "(Go does not support it). A Go module runs in a process of its "
                            "own in a Go host (process isolation, which discovery chooses for "
                            "it)",
                            path);
    if (go_module[0] != '\0' && strcmp(go_module, path) != 0)
        return facet__error(FACET_E_CONFLICT,
                            "%s: a module written in Go, but this process runs Go already, the "
                            "Go runtime of %s: a process has one Go runtime, and a second one "
                            "in it crashes (Go does not support it). A second Go module runs "
                            "in a process of its own (process isolation, which discovery "
                            "chooses for it)",
                            path, go_module);
    return FACET_OK;
}

/* Maps m's file itself if no other module of the process maps it (*mine
 * is then 1); the caller holds mapped_lock. */
static FacetResult map_original(FacetModule *m, int *mine)
{
    MappedFile *f;
    FacetResult r;
    int oom;
    *mine = 0;
    HASH_FIND_STR(mapped, m->path, f);
    if (f != NULL)
        return FACET_OK;
    f = facet__calloc(1, sizeof(*f));
    if (f == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", m->path);
    f->path = m->path;
    f->runtime = m->runtime;
    FACET_HASH_ADD(hh, mapped, f->path, strlen(f->path), f, oom);
    if (oom) {
        facet__free(f);
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", m->path);
    }
    *mine = 1;
    r = facet__os_lib_open(&f->lib, m->path);
    if (FACET_FAILED(r)) {
        HASH_DELETE(hh, mapped, f);
        facet__free(f);
        return r;
    }
    m->lib = f->lib;
    m->original = 1;
    if (m->runtime == FACET_RUNTIME_GO && go_module[0] == '\0')
        snprintf(go_module, sizeof(go_module), "%s", m->path);
    return FACET_OK;
}

/* Unmaps m's library; a Go module's stays mapped (one Go runtime per
 * process, above), and loading the file again finds it there. */
static void unmap_lib(FacetModule *m)
{
    MappedFile *f = NULL;
    if (m->lib == NULL)
        return;
    facet__os_rwlock_wrlock(&mapped_lock);
    if (m->original)
        HASH_FIND_STR(mapped, m->path, f);
    if (f != NULL) {
        HASH_DELETE(hh, mapped, f);
        facet__free(f);
    }
    if (m->runtime != FACET_RUNTIME_GO)
        facet__os_lib_close(m->lib);
    facet__os_rwlock_wrunlock(&mapped_lock);
}

/* The one place that refuses to copy a module that must never be loaded
 * twice in one process: a Go module, whose copy would start a second Go
 * runtime, which Go does not support. What the module is was known before
 * its first mapping (its image and its manifest), and the mapping keeps
 * it; a Go module let go of stays mapped, and is known by its file. */
static FacetResult refuse_copy(const char *path)
{
    MappedFile *f;
    int go;
    facet__os_rwlock_rdlock(&mapped_lock);
    HASH_FIND_STR(mapped, path, f);
    go = (f != NULL && f->runtime == FACET_RUNTIME_GO) || strcmp(go_module, path) == 0;
    facet__os_rwlock_rdunlock(&mapped_lock);
    if (go)
        return facet__error(FACET_E_CONFLICT,
                            "%s: a module written in Go, loaded already by another runtime of "
                            "this process; it cannot be loaded again, as a second copy would "
                            "start a second Go runtime, which Go does not support: load it in "
                            "one runtime only",
                            path);
    return FACET_OK;
}

FacetResult facet__loader_go_check(const char *path)
{
    MappedFile *f;
    FacetResult r;
    facet__os_rwlock_wrlock(&mapped_lock);
    r = go_may_map(path);
    HASH_FIND_STR(mapped, path, f);
    facet__os_rwlock_wrunlock(&mapped_lock);
    if (FACET_SUCCEEDED(r) && f != NULL)
        r = refuse_copy(path); /* another runtime's module maps it: a copy would be Go again */
    return r;
}

static void remove_copy_folder(void)
{
    /* Each copy went as soon as the system let it; this is what is left.
     * A child made by fork leaves its parent's folder alone. */
    if (copy_owner == facet__os_process_id())
        facet__os_remove_folder(copy_folder);
}

/* Makes a folder for one copy (a folder of its own, so that the copy keeps
 * the file's name however many there are) in the process's folder of
 * copies, which is made first if this process has none, or if it is gone. */
static FacetResult copy_dir(char *out, size_t size, const char *path)
{
    uint64_t n, pid = facet__os_process_id();
    FacetResult r = FACET_OK;
    int tries;
    for (tries = 0; tries < 2; tries++) {
        facet__os_rwlock_wrlock(&mapped_lock);
        if (copy_owner != pid || tries > 0) {
            r = facet__os_private_folder(copy_folder, sizeof(copy_folder));
            if (FACET_SUCCEEDED(r) && !copy_hooked)
                copy_hooked = atexit(remove_copy_folder) == 0;
            copy_owner = FACET_SUCCEEDED(r) ? pid : 0;
        }
        n = ++copy_count;
        if (FACET_SUCCEEDED(r))
            snprintf(out, size, "%s" SEP "%llu", copy_folder, (unsigned long long)n);
        facet__os_rwlock_wrunlock(&mapped_lock);
        if (FACET_SUCCEEDED(r))
            r = facet__os_mkdir(out);
        if (r != FACET_E_FILENOTFOUND)
            break; /* the folder was removed under the process: make another */
    }
    if (FACET_FAILED(r))
        facet__error_prefix("%s: no private copy of the module could be made", path);
    return r;
}

FacetResult facet__loader_open_copy(FacetOsLibrary *out, char **copy, const char *path)
{
    char dir[4200], message[1024];
    const char *name = facet__path_basename(path);
    size_t dn;
    char *file;
    FacetResult r;

    *out = NULL;
    *copy = NULL;
    r = refuse_copy(path);
    if (FACET_SUCCEEDED(r))
        r = copy_dir(dir, sizeof(dir), path);
    if (FACET_FAILED(r))
        return r;
    dn = strlen(dir);
    file = facet__malloc(dn + strlen(name) + 2);
    if (file == NULL) {
        facet__os_remove_folder(dir);
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", path);
    }
    memcpy(file, dir, dn);
    memcpy(file + dn, SEP, 1);
    memcpy(file + dn + 1, name, strlen(name) + 1);
    r = facet__os_copy_file(path, file);
    if (FACET_SUCCEEDED(r)) {
        facet__os_rwlock_wrlock(&mapped_lock);
        r = facet__os_lib_open(out, file);
        facet__os_rwlock_wrunlock(&mapped_lock);
    }
    if (FACET_FAILED(r)) {
        snprintf(message, sizeof(message), "%s", facet_last_error());
        facet__error(r, "%s: its private copy could not be loaded: %s", path, message);
    }
    if (FACET_FAILED(r) || FACET_OS_REMOVE_LOADED)
        facet__loader_remove_copy(file);
    else
        *copy = file;
    return r;
}

void facet__loader_remove_copy(char *copy)
{
    char *sep;
    if (copy == NULL)
        return;
    facet__os_remove_file(copy);
    sep = strrchr(copy, SEP[0]);
    if (sep != NULL) {
        *sep = '\0';
        facet__os_remove_folder(copy);
    }
    facet__free(copy);
}

/* Maps m's file: the file itself, or a private copy when another module
 * of the process maps it already. */
static FacetResult map_file(FacetModule *m)
{
    int mine = 0;
    FacetResult r = FACET_OK;
    facet__os_rwlock_wrlock(&mapped_lock);
    if (m->runtime == FACET_RUNTIME_GO)
        r = go_may_map(m->path);
    /* A watched runtime never maps a file that may be replaced. */
    if (FACET_SUCCEEDED(r) && (m->runtime == FACET_RUNTIME_GO || !facet__atomic_load32(&m->rt->shadow)))
        r = map_original(m, &mine);
    facet__os_rwlock_wrunlock(&mapped_lock);
    if (FACET_FAILED(r) || mine)
        return r;
    return facet__loader_open_copy(&m->lib, &m->copy, m->path);
}

FacetResult facet__loader_map(FacetModuleEntryFn *entry, FacetModule *m, const char *path)
{
    void *sym;
    FacetResult r = map_file(m);
    if (FACET_FAILED(r))
        return r;
    sym = facet__os_lib_sym(m->lib, FACET_MODULE_ENTRY_NAME);
    if (sym == NULL)
        return facet__error(FACET_E_NOENTRY,
                            "%s: no symbol '" FACET_MODULE_ENTRY_NAME
                            "' (is it defined with FACET_EXPORT, and is it extern \"C\" in C++?)",
                            path);
    memcpy(entry, &sym, sizeof(*entry));
    return FACET_OK;
}

void facet__loader_unmap(FacetModule *m)
{
    if (m->factory != NULL)
        IFacetFactory_Release(m->factory);
    m->factory = NULL;
    unmap_lib(m);
    facet__loader_remove_copy(m->copy);
    m->lib = NULL;
    m->original = 0;
    m->copy = NULL;
}
