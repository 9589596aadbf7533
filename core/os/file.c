/*
 * core/os/file.c - reading files, on top of the platform layer's open, size,
 * read and close.
 */
#include "os.h"

FacetResult facet__file_read(FacetOsFile *f, uint64_t offset, void *buf, uint64_t len,
                             uint64_t *got)
{
    *got = 0;
    while (*got < len) {
        uint64_t n;
        FacetResult r = facet__os_file_read(f, offset + *got, (char *)buf + *got, len - *got, &n);
        if (FACET_FAILED(r))
            return r;
        if (n == 0)
            break;
        *got += n;
    }
    return FACET_OK;
}

FacetResult facet__file_read_all(char **out, uint64_t *size, FacetOsStat *meta, const char *path,
                                 uint64_t max_size)
{
    FacetOsFile f;
    uint64_t want = 0, got = 0;
    char *buf = NULL;
    FacetResult r;

    *out = NULL;
    *size = 0;
    r = facet__os_file_open(&f, path);
    if (FACET_FAILED(r))
        return r;
    want = f.size;
    if (meta != NULL) {
        meta->kind = FACET_OS_FILE;
        meta->size = f.size;
        meta->mtime_ns = f.mtime_ns;
        meta->inode = f.inode;
        meta->device = f.device;
    }
    if (want > max_size)
        r = facet__error(FACET_E_INVALIDARG,
                         "%s: %llu bytes, larger than the limit of %llu bytes", path,
                         (unsigned long long)want, (unsigned long long)max_size);
    if (FACET_SUCCEEDED(r) && (buf = facet__malloc((size_t)want + 1)) == NULL)
        r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory reading %llu bytes", path,
                         (unsigned long long)want);
    if (FACET_SUCCEEDED(r))
        r = facet__file_read(&f, 0, buf, want, &got);
    facet__os_file_close(&f);
    if (FACET_FAILED(r)) {
        facet__free(buf);
        return r;
    }
    buf[got] = '\0';
    *out = buf;
    *size = got;
    return FACET_OK;
}
