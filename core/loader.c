/*
 * core/loader.c - from a path to a module whose classes can be registered:
 * check the file, map it, find the one export, call it, and read what the
 * module says about itself, checking every answer at the boundary.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* The most classes one module may declare: a sanity bound, so a garbage
 * count from a broken module cannot make the runtime allocate gigabytes. */
#define FACET_MAX_CLASSES 65536u
/* Bytes of FacetModuleInfo and FacetClassInfo this runtime reads. */
#define MODULE_INFO_V1_SIZE (offsetof(FacetModuleInfo, compiler) + sizeof(const char *))
#define CLASS_INFO_V1_SIZE (offsetof(FacetClassInfo, interfaces) + sizeof(const FacetGuid *))

const char *facet__basename(const char *path)
{
    const char *p, *base = path;
    for (p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    return base;
}

/* The image checks read a few small pieces of the file's first page (the
 * headers, the program or section table). One read of the head serves them
 * all, where an open, a read and a close per piece made loading cost twice
 * a bare dlopen (bench: load.module). Pieces beyond the head are read from
 * the file, which stays open for the whole check. A failed read is kept, so
 * that an I/O error is reported as one and not as a truncated file. */
typedef struct FileHead {
    FacetOsFile file;
    FacetResult failed; /* FACET_OK until a read fails */
    char message[512];  /* the first failure's message */
    uint64_t size;      /* bytes of the file in bytes[] */
    uint8_t bytes[4096];
} FileHead;

static void read_failed(FileHead *head, FacetResult r)
{
    if (head->failed == FACET_OK) {
        head->failed = r;
        snprintf(head->message, sizeof(head->message), "%s", facet_last_error());
    }
}

static int64_t read_file_at(void *payload, uint64_t offset, void *buf, uint64_t len)
{
    FileHead *head = payload;
    uint64_t got = 0;
    FacetResult r;
    if (head->failed != FACET_OK)
        return -1;
    if (offset <= head->size && len <= head->size - offset) {
        memcpy(buf, head->bytes + offset, (size_t)len);
        return (int64_t)len;
    }
    r = facet__file_read(&head->file, offset, buf, len, &got);
    if (FACET_FAILED(r)) {
        read_failed(head, r);
        return -1;
    }
    return (int64_t)got;
}

FacetResult facet__module_check_file(const char *path)
{
    FileHead head;
    FacetOsStat st;
    FacetResult r = facet__os_stat(&st, path);
    if (FACET_FAILED(r))
        return r;
    switch (st.kind) {
    case FACET_OS_MISSING:
        return facet__error(FACET_E_FILENOTFOUND,
                            "%s: no such file; expected a Facet module (a shared library)", path);
    case FACET_OS_DIRECTORY:
        return facet__error(FACET_E_NOTAFILE,
                            "%s: a directory; expected a Facet module (a shared library) file",
                            path);
    case FACET_OS_OTHER:
        return facet__error(FACET_E_NOTAFILE,
                            "%s: not a regular file; expected a Facet module (a shared library)",
                            path);
    default:
        break;
    }
    r = facet__os_file_open(&head.file, path);
    if (FACET_FAILED(r))
        return r;
    head.failed = FACET_OK;
    head.message[0] = '\0';
    head.size = 0;
    r = facet__file_read(&head.file, 0, head.bytes,
                         st.size < sizeof(head.bytes) ? st.size : sizeof(head.bytes), &head.size);
    if (FACET_FAILED(r))
        read_failed(&head, r);
    r = facet__image_check(NULL, path, st.size, read_file_at, &head);
    facet__os_file_close(&head.file);
    if (FACET_FAILED(r) && head.failed != FACET_OK)
        return facet__error(head.failed, "%s", head.message);
    return r;
}

static FacetResult read_module_info(FacetModule *m, const char *path)
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
    if (info.struct_size < MODULE_INFO_V1_SIZE)
        return facet__error(FACET_E_STRUCTSIZE,
                            "%s: GetModuleInfo filled %u bytes of FacetModuleInfo; this runtime "
                            "reads %u (abi_version, name, version, api_level, compiler)",
                            path, (unsigned)info.struct_size, (unsigned)MODULE_INFO_V1_SIZE);
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

static FacetResult read_classes(FacetModule *m, const char *path)
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
        if (ci.struct_size < CLASS_INFO_V1_SIZE)
            return facet__error(FACET_E_STRUCTSIZE,
                                "%s: DescribeClass(%u) filled %u bytes of FacetClassInfo; this "
                                "runtime reads %u",
                                path, (unsigned)i, (unsigned)ci.struct_size,
                                (unsigned)CLASS_INFO_V1_SIZE);
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

/* Releases what facet__module_open acquired, in reverse order. */
void facet__module_close(FacetModule *m)
{
    if (m == NULL)
        return;
    if (m->factory != NULL)
        IFacetFactory_Release(m->factory);
    facet__os_lib_close(m->lib);
    /* A module lets go of its host object when the runtime lets go of its
     * factory; one that does not leaks it, but never points at freed memory. */
    facet__host_release(m->host);
    facet__free(m->classes);
    facet__free(m->path);
    facet__free(m);
}

FacetResult facet__module_open(FacetModule **out, FacetRuntime *rt, const char *path)
{
    FacetModule *m;
    FacetModuleEntryFn entry;
    void *sym, *factory = NULL;
    FacetResult r;

    *out = NULL;
    r = facet__module_check_file(path);
    if (FACET_FAILED(r))
        return r;
    m = facet__calloc(1, sizeof(*m));
    if (m == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", path);
    m->rt = rt;
    r = facet__os_realpath(&m->path, path);
    if (FACET_FAILED(r))
        goto fail;
    r = facet__os_lib_open(&m->lib, m->path);
    if (FACET_FAILED(r))
        goto fail;
    sym = facet__os_lib_sym(m->lib, FACET_MODULE_ENTRY_NAME);
    if (sym == NULL) {
        r = facet__error(FACET_E_NOENTRY,
                         "%s: no symbol '" FACET_MODULE_ENTRY_NAME
                         "' (is it defined with FACET_EXPORT, and is it extern \"C\" in C++?)",
                         path);
        goto fail;
    }
    memcpy(&entry, &sym, sizeof(entry));
    r = facet__host_new(&m->host, rt, m);
    if (FACET_FAILED(r)) {
        facet__error_prefix("%s", path);
        goto fail;
    }

    r = entry(FACET_ABI_VERSION, facet__host_unknown(m->host), &IID_IFacetFactory, &factory);
    if (FACET_FAILED(r)) {
        if (factory != NULL)
            r = facet__error(FACET_E_CONTRACT,
                             "%s: facet_module_entry failed with %s but set *factory; a failing "
                             "call must leave its out-pointer NULL",
                             path, facet_result_name(r));
        else if (r == FACET_E_ABIMISMATCH)
            facet__error(r, "%s: the module refused host ABI version %u (FACET_E_ABIMISMATCH); "
                            "rebuild it against this Facet",
                         path, (unsigned)FACET_ABI_VERSION);
        else
            facet__error(r, "%s: facet_module_entry failed with %s (%s)", path,
                         facet_result_name(r), facet_result_description(r));
        goto fail;
    }
    if (factory == NULL) {
        r = facet__error(FACET_E_CONTRACT,
                         "%s: facet_module_entry returned %s but no factory (*factory is NULL)",
                         path, facet_result_name(r));
        goto fail;
    }
    m->factory = (IFacetFactory *)factory;
    r = read_module_info(m, path);
    if (FACET_FAILED(r))
        goto fail;
    r = read_classes(m, path);
    if (FACET_FAILED(r))
        goto fail;
    *out = m;
    return FACET_OK;
fail:
    facet__module_close(m);
    return r;
}
