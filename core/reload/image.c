/*
 * core/reload/image.c - what a reload must know of a library before it
 * maps it: whether it is written in Go (never mapped twice in a process),
 * and whether the system loader will ever unload it (GCC's STB_GNU_UNIQUE
 * symbols keep an ELF library mapped until the process ends, so its
 * "unload" would be a promise not kept).
 */
#include <stdio.h>
#include <string.h>

#include "reload/reload.h"

/* The file, with its first bytes read at once: the Go check walks the
 * section headers, a small read each, and a small module is whole in
 * them. */
typedef struct Head {
    FacetOsFile f;
    uint64_t size;     /* bytes in bytes[] */
    uint8_t bytes[64 * 1024];
} Head;

static int64_t read_at(void *payload, uint64_t offset, void *buf, uint64_t len)
{
    Head *h = payload;
    uint64_t got = 0;
    if (offset <= h->size && len <= h->size - offset) {
        memcpy(buf, h->bytes + offset, (size_t)len);
        return (int64_t)len;
    }
    if (FACET_FAILED(facet__file_read(&h->f, offset, buf, len, &got)))
        return -1;
    return (int64_t)got;
}

FacetResult facet__reload_check_go(const char *library)
{
    Head *h = facet__malloc(sizeof(*h));
    int go = 0;
    if (h == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", library);
    if (FACET_SUCCEEDED(facet__os_file_open(&h->f, library))) {
        if (FACET_FAILED(facet__file_read(&h->f, 0, h->bytes, sizeof(h->bytes), &h->size)))
            h->size = 0;
        go = facet__image_is_go(h->f.size, read_at, h);
        facet__os_file_close(&h->f);
    }
    facet__free(h);
    facet_error_clear(); /* the loader says what is wrong with the file */
    if (go)
        return facet__error(FACET_E_CONFLICT,
                            "%s: the new version is written in Go: a process has one Go "
                            "runtime and cannot unload it, so a Go module reloads only in the "
                            "process host, never in-process",
                            library);
    return FACET_OK;
}

#define STB_GNU_UNIQUE_ 10u
#define SHT_DYNSYM_ 11u
#define MAX_DYNSYM (16u * 1024u * 1024u) /* a bound for a hostile header */

typedef struct Elf {
    FacetOsFile f;
    int is64, big;
} Elf;

static uint64_t get(const Elf *e, const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    unsigned i;
    for (i = 0; i < n; i++)
        v |= (uint64_t)p[e->big ? n - 1 - i : i] << (8 * i);
    return v;
}

static int read_exact(Elf *e, uint64_t offset, void *buf, uint64_t len)
{
    uint64_t got = 0;
    return FACET_SUCCEEDED(facet__file_read(&e->f, offset, buf, len, &got)) && got == len;
}

/* Counts the dynamic symbols bound STB_GNU_UNIQUE: the ones the loader
 * looks at. */
static uint32_t count_unique(Elf *e, char *name, size_t size)
{
    uint8_t h[64], sh[64], *syms;
    uint64_t shoff, i, n, symoff = 0, symsize = 0, entsize, stroff = 0, strsize = 0;
    unsigned shentsize, shnum, link = 0;
    uint32_t found = 0;
    if (!read_exact(e, 0, h, e->is64 ? 64 : 52))
        return 0;
    shoff = e->is64 ? get(e, h + 40, 8) : get(e, h + 32, 4);
    shentsize = (unsigned)get(e, h + (e->is64 ? 58 : 46), 2);
    shnum = (unsigned)get(e, h + (e->is64 ? 60 : 48), 2);
    if (shoff == 0 || shentsize < (e->is64 ? 64u : 40u) || shnum > 65535u)
        return 0;
    for (i = 0; i < shnum && symsize == 0; i++) {
        if (!read_exact(e, shoff + i * shentsize, sh, e->is64 ? 64 : 40))
            return 0;
        if (get(e, sh + 4, 4) != SHT_DYNSYM_)
            continue;
        symoff = e->is64 ? get(e, sh + 24, 8) : get(e, sh + 16, 4);
        symsize = e->is64 ? get(e, sh + 32, 8) : get(e, sh + 20, 4);
        link = (unsigned)get(e, sh + (e->is64 ? 40 : 24), 4);
    }
    if (symsize == 0 || link >= shnum || !read_exact(e, shoff + (uint64_t)link * shentsize, sh,
                                                      e->is64 ? 64 : 40))
        return 0;
    stroff = e->is64 ? get(e, sh + 24, 8) : get(e, sh + 16, 4);
    strsize = e->is64 ? get(e, sh + 32, 8) : get(e, sh + 20, 4);
    entsize = e->is64 ? 24 : 16;
    n = symsize / entsize;
    if (n > e->f.size / entsize || symsize > MAX_DYNSYM)
        return 0;
    /* One read for the table: a symbol at a time was most of a reload's
     * system calls. */
    syms = facet__malloc((size_t)symsize + 1);
    if (syms == NULL || !read_exact(e, symoff, syms, symsize)) {
        facet__free(syms);
        return 0;
    }
    for (i = 0; i < n; i++) {
        const uint8_t *sym = syms + i * entsize;
        unsigned info = e->is64 ? sym[4] : sym[12];
        uint64_t at;
        if ((info >> 4) != STB_GNU_UNIQUE_)
            continue;
        at = get(e, sym, 4);
        if (found++ == 0 && size > 0) {
            uint64_t len = at < strsize ? strsize - at : 0;
            if (len > size - 1)
                len = size - 1;
            uint64_t got = 0;
            if (len == 0 || FACET_FAILED(facet__file_read(&e->f, stroff + at, name, len, &got)))
                got = 0;
            name[got] = '\0';
        }
    }
    facet__free(syms);
    return found;
}

uint32_t facet__reload_unique_symbols(const char *path, char *name, size_t size)
{
    uint8_t ident[16];
    uint32_t n = 0;
    Elf e;
    if (size > 0)
        name[0] = '\0';
    if (FACET_FAILED(facet__os_file_open(&e.f, path))) {
        facet_error_clear();
        return 0;
    }
    if (read_exact(&e, 0, ident, sizeof(ident)) && memcmp(ident, "\177ELF", 4) == 0 &&
        (ident[4] == 1 || ident[4] == 2) && (ident[5] == 1 || ident[5] == 2)) {
        e.is64 = ident[4] == 2;
        e.big = ident[5] == 2;
        n = count_unique(&e, name, size);
    }
    facet__os_file_close(&e.f);
    facet_error_clear();
    return n;
}

void facet__reload_log_unique(FacetRuntime *rt, const char *module, const char *path)
{
    char name[256];
    uint32_t n = facet__reload_unique_symbols(path, name, sizeof(name));
    if (n == 0)
        return;
    facet__runtime_log(rt, FACET_LOG_WARN, module,
                       "%s has %u symbol(s) bound STB_GNU_UNIQUE (%s%s): the system loader "
                       "never unloads such a library, so each version of it stays mapped "
                       "until the process ends; build it with -fno-gnu-unique "
                       "(docs/reload.md)",
                       path, (unsigned)n, name[0] ? name : "?", n > 1 ? ", ..." : "");
}
