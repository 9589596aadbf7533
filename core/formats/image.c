/*
 * core/formats/image.c - what a file is, before the system loader sees it.
 *
 * dlopen and LoadLibrary give vague answers ("invalid ELF header") and some
 * loaders misbehave on damaged files. The runtime reads the headers itself
 * first, so each kind of bad file gets its own code and a message that says
 * what was expected and what was found. Pure functions over a read callback,
 * so the checks can be fuzzed on memory.
 *
 * They also tell a module written in Go before it is mapped (mapping it
 * starts its Go runtime, and a process has room for one): Go writes its
 * build information, which starts with the bytes "\xff Go buildinf:", into
 * a section of its own on ELF (.go.buildinfo) and Mach-O (__go_buildinfo),
 * and at the start of the first writable data section on PE, where Go's
 * own debug/buildinfo looks for it.
 */
#include <string.h>

#include "formats.h"

/* ---- The machine this code runs on ------------------------------------- */

#if defined(__x86_64__) || defined(_M_X64) || defined(_M_AMD64)
#define HOST_MACHINE "x86_64"
#elif defined(__aarch64__) || defined(_M_ARM64)
#define HOST_MACHINE "aarch64"
#elif defined(__i386__) || defined(_M_IX86)
#define HOST_MACHINE "i386"
#elif defined(__arm__) || defined(_M_ARM)
#define HOST_MACHINE "arm"
#elif defined(__riscv) && __riscv_xlen == 64
#define HOST_MACHINE "riscv64"
#elif defined(__powerpc64__)
#define HOST_MACHINE "ppc64"
#elif defined(__s390x__)
#define HOST_MACHINE "s390x"
#else
#define HOST_MACHINE "unknown"
#endif

#if defined(_WIN32)
#define HOST_FORMAT "PE"
#elif defined(__APPLE__)
#define HOST_FORMAT "Mach-O"
#else
#define HOST_FORMAT "ELF"
#endif

#define HOST_BITS ((uint32_t)(sizeof(void *) * 8))

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

/* ---- Byte access ------------------------------------------------------- */

typedef struct Reader {
    FacetImageReadFn read;
    void *payload;
    uint64_t size;
    int little;
} Reader;

static uint64_t get(const uint8_t *p, unsigned n, int little)
{
    uint64_t v = 0;
    unsigned i;
    for (i = 0; i < n; i++)
        v |= (uint64_t)p[little ? i : n - 1 - i] << (8 * i);
    return v;
}

/* Reads exactly n (<= 64) bytes at offset; 0 when they are not all there. */
static int read_exact(Reader *r, uint64_t offset, uint8_t *buf, unsigned n)
{
    if (offset > r->size || r->size - offset < n)
        return 0;
    return r->read(r->payload, offset, buf, n) == (int64_t)n;
}

static FacetResult truncated(const char *name, uint64_t size, const char *what, uint64_t need)
{
    return facet__error(FACET_E_TRUNCATED,
                        "%s: truncated library: %s needs %llu bytes, the file has %llu", name,
                        what, (unsigned long long)need, (unsigned long long)size);
}

/* The byte order is named where it is what differs: a big-endian x86_64
 * library is as foreign as an aarch64 one, and must not read like this
 * host's. */
static FacetResult wrong_arch(FacetImageInfo *info, const Reader *r, const char *name)
{
    int other = r->little != host_is_little_endian();
    const char *order = r->little ? ", little-endian" : ", big-endian";
    const char *host_order = r->little ? ", big-endian" : ", little-endian";
    return facet__error(FACET_E_WRONGARCH,
                        "%s: %s %s library for %s (%u-bit%s); this host is %s %s (%u-bit%s)", name,
                        info->format[0] == 'E' ? "an" : "a", info->format, info->machine,
                        (unsigned)info->bits, other ? order : "", HOST_FORMAT, HOST_MACHINE,
                        (unsigned)HOST_BITS, other ? host_order : "");
}

/* Checks that [offset, offset + count * entsize) lies in the file. Counts
 * and entry sizes are 16-bit header fields: their product cannot
 * overflow. */
static FacetResult check_table(Reader *r, const char *name, const char *what, uint64_t offset,
                               uint16_t count, uint16_t entsize)
{
    uint64_t bytes = (uint64_t)count * entsize;
    if (offset > UINT64_MAX - bytes || offset + bytes > r->size)
        return truncated(name, r->size, what, offset + bytes);
    return FACET_OK;
}

/* ---- Go's build information -------------------------------------------- */

static const uint8_t go_magic[14] = {0xff, ' ', 'G', 'o', ' ', 'b', 'u', 'i',
                                     'l', 'd', 'i', 'n', 'f', ':'};

/* Nonzero when the magic lies at offset. */
static int go_magic_at(Reader *r, uint64_t offset)
{
    uint8_t b[sizeof(go_magic)];
    return read_exact(r, offset, b, sizeof(b)) && memcmp(b, go_magic, sizeof(b)) == 0;
}

/* Nonzero when the magic starts a 16-byte aligned place in the first 64 KiB
 * of the len bytes at offset (Go's search where no section names it). */
static int go_magic_in(Reader *r, uint64_t offset, uint64_t len)
{
    uint8_t chunk[4096];
    uint64_t done, n, i;
    if (len > 65536)
        len = 65536;
    for (done = 0; done < len; done += n) {
        n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
        if (offset > r->size || n > r->size - offset - done ||
            r->read(r->payload, offset + done, chunk, n) != (int64_t)n)
            return 0;
        for (i = 0; i + sizeof(go_magic) <= n; i += 16)
            if (memcmp(chunk + i, go_magic, sizeof(go_magic)) == 0)
                return 1;
    }
    return 0;
}

/* ---- ELF --------------------------------------------------------------- */

/* Whether an ELF image carries Go's build information: in its
 * .go.buildinfo section, or, with no section table, in its first writable
 * segment. Headers were checked already; anything odd here means "no". */
static int elf_is_go(Reader *r, const uint8_t *h, int is64, uint64_t phoff, uint64_t phnum,
                     uint64_t phentsize)
{
    uint64_t shoff = get(h + (is64 ? 40 : 32), is64 ? 8 : 4, r->little);
    uint64_t shentsize = get(h + (is64 ? 58 : 46), 2, r->little);
    uint64_t shnum = get(h + (is64 ? 60 : 48), 2, r->little);
    uint64_t shstrndx = get(h + (is64 ? 62 : 50), 2, r->little);
    uint64_t i, shsize = is64 ? 64u : 40u;
    uint8_t sh[64], names[4096];
    uint64_t names_off, names_len;

    if (shoff == 0 || shnum == 0 || shentsize < shsize || shstrndx >= shnum) {
        for (i = 0; i < phnum; i++) {
            uint8_t ph[56];
            if (!read_exact(r, phoff + i * phentsize, ph, is64 ? 56u : 32u))
                return 0;
            if (get(ph, 4, r->little) == 1 && (get(ph + (is64 ? 4 : 24), 4, r->little) & 2))
                return go_magic_in(r, get(ph + (is64 ? 8 : 4), is64 ? 8 : 4, r->little),
                                   get(ph + (is64 ? 32 : 16), is64 ? 8 : 4, r->little));
        }
        return 0;
    }
    if (!read_exact(r, shoff + shstrndx * shentsize, sh, (unsigned)shsize))
        return 0;
    names_off = get(sh + (is64 ? 24 : 16), is64 ? 8 : 4, r->little);
    names_len = get(sh + (is64 ? 32 : 20), is64 ? 8 : 4, r->little);
    if (names_len > sizeof(names))
        names_len = sizeof(names);
    if (names_off > r->size || names_len > r->size - names_off ||
        r->read(r->payload, names_off, names, names_len) != (int64_t)names_len)
        return 0;
    for (i = 0; i < shnum; i++) {
        uint64_t name;
        if (!read_exact(r, shoff + i * shentsize, sh, (unsigned)shsize))
            return 0;
        name = get(sh, 4, r->little);
        if (name < names_len && names_len - name >= sizeof(".go.buildinfo") &&
            memcmp(names + name, ".go.buildinfo", sizeof(".go.buildinfo")) == 0)
            return go_magic_at(r, get(sh + (is64 ? 24 : 16), is64 ? 8 : 4, r->little));
    }
    return 0;
}

static const char *elf_machine(uint64_t m)
{
    switch (m) {
    case 3: return "i386";
    case 8: return "mips";
    case 20: return "ppc";
    case 21: return "ppc64";
    case 22: return "s390x";
    case 40: return "arm";
    case 62: return "x86_64";
    case 183: return "aarch64";
    case 243: return "riscv64";
    case 258: return "loongarch64";
    default: return "an unknown machine";
    }
}

static FacetResult check_elf(FacetImageInfo *info, Reader *r, const char *name,
                             const uint8_t *h, uint64_t hlen)
{
    int is64 = h[4] == 2;
    uint64_t type, machine, phoff, shoff, phentsize, phnum, shentsize, shnum, i;
    unsigned hsize = is64 ? 64u : 52u;

    info->format = "ELF";
    if ((h[4] != 1 && h[4] != 2) || (h[5] != 1 && h[5] != 2))
        return facet__error(FACET_E_NOTLIBRARY,
                            "%s: an ELF file with class %u and data encoding %u; expected 1 or 2",
                            name, h[4], h[5]);
    if (hlen < hsize)
        return truncated(name, r->size, "the ELF header", hsize);
    r->little = h[5] == 1;
    info->bits = is64 ? 64 : 32;
    type = get(h + 16, 2, r->little);
    machine = get(h + 18, 2, r->little);
    info->machine = elf_machine(machine);
    if (is64) {
        phoff = get(h + 32, 8, r->little);
        shoff = get(h + 40, 8, r->little);
        phentsize = get(h + 54, 2, r->little);
        phnum = get(h + 56, 2, r->little);
        shentsize = get(h + 58, 2, r->little);
        shnum = get(h + 60, 2, r->little);
    } else {
        phoff = get(h + 28, 4, r->little);
        shoff = get(h + 32, 4, r->little);
        phentsize = get(h + 42, 2, r->little);
        phnum = get(h + 44, 2, r->little);
        shentsize = get(h + 46, 2, r->little);
        shnum = get(h + 48, 2, r->little);
    }
    if (type != 3) /* ET_DYN */
        return facet__error(FACET_E_NOTLIBRARY,
                            "%s: an ELF %s, expected a shared library (ET_DYN)", name,
                            type == 1   ? "relocatable object (.o)"
                            : type == 2 ? "executable"
                            : type == 4 ? "core dump"
                                        : "file of unknown type");
    if (strcmp(info->machine, HOST_MACHINE) != 0 || info->bits != HOST_BITS ||
        r->little != host_is_little_endian() || strcmp(HOST_FORMAT, "ELF") != 0)
        return wrong_arch(info, r, name);
    if (phnum == 0 || phentsize < (is64 ? 56u : 32u))
        return facet__error(FACET_E_NOTLIBRARY,
                            "%s: an ELF file with %llu program headers of %llu bytes; a shared "
                            "library has at least one",
                            name, (unsigned long long)phnum, (unsigned long long)phentsize);
    if (FACET_FAILED(check_table(r, name, "the program header table", phoff,
                                 (uint16_t)phnum, (uint16_t)phentsize)))
        return FACET_E_TRUNCATED;
    if (shoff != 0 &&
        FACET_FAILED(check_table(r, name, "the section header table", shoff,
                                 (uint16_t)shnum, (uint16_t)shentsize)))
        return FACET_E_TRUNCATED;
    for (i = 0; i < phnum; i++) {
        uint8_t ph[56];
        uint64_t ptype, off, filesz;
        if (!read_exact(r, phoff + i * phentsize, ph, is64 ? 56u : 32u))
            return truncated(name, r->size, "a program header", phoff + (i + 1) * phentsize);
        ptype = get(ph, 4, r->little);
        off = get(ph + (is64 ? 8 : 4), is64 ? 8 : 4, r->little);
        filesz = get(ph + (is64 ? 32 : 16), is64 ? 8 : 4, r->little);
        if ((ptype == 1 || ptype == 2) && /* PT_LOAD, PT_DYNAMIC */
            (off > r->size || filesz > r->size - off))
            return truncated(name, r->size, ptype == 1 ? "a loadable segment" : "the dynamic section",
                             off + filesz);
    }
    if (elf_is_go(r, h, is64, phoff, phnum, phentsize))
        info->runtime = FACET_RUNTIME_GO;
    return FACET_OK;
}

/* ---- PE ---------------------------------------------------------------- */

static const char *pe_machine(uint64_t m)
{
    switch (m) {
    case 0x14c: return "i386";
    case 0x8664: return "x86_64";
    case 0xaa64: return "aarch64";
    case 0x1c4: return "arm";
    default: return "an unknown machine";
    }
}

/* Whether a PE image carries Go's build information: at the start of its
 * first writable data section (initialized data, read, write; alignment
 * bits aside), where Go's own debug/buildinfo looks. */
static int pe_is_go(Reader *r, uint64_t sectab, uint64_t nsec)
{
    uint8_t sec[40];
    uint64_t i;
    for (i = 0; i < nsec && i < 96; i++) {
        if (!read_exact(r, sectab + i * 40, sec, 40))
            return 0;
        if ((get(sec + 36, 4, 1) & ~(uint64_t)0x00F00000u) == 0xC0000040u &&
            get(sec + 12, 4, 1) != 0 && get(sec + 16, 4, 1) != 0)
            return go_magic_in(r, get(sec + 20, 4, 1), get(sec + 16, 4, 1));
    }
    return 0;
}

static FacetResult check_pe(FacetImageInfo *info, Reader *r, const char *name,
                            const uint8_t *h, uint64_t hlen)
{
    uint8_t coff[24], sec[40];
    uint64_t peoff, machine, nsec, optsize, chars, i, sectab;

    info->format = "PE";
    r->little = 1;
    if (hlen < 64)
        return truncated(name, r->size, "the DOS header", 64);
    peoff = get(h + 0x3C, 4, 1);
    if (!read_exact(r, peoff, coff, 24)) {
        if (peoff + 24 > r->size && peoff < (1u << 20))
            return truncated(name, r->size, "the PE header", peoff + 24);
        return facet__error(FACET_E_NOTLIBRARY, "%s: an MZ file without a PE header", name);
    }
    if (memcmp(coff, "PE\0\0", 4) != 0)
        return facet__error(FACET_E_NOTLIBRARY,
                            "%s: an MZ file (DOS program) without a PE signature", name);
    machine = get(coff + 4, 2, 1);
    nsec = get(coff + 6, 2, 1);
    optsize = get(coff + 20, 2, 1);
    chars = get(coff + 22, 2, 1);
    info->machine = pe_machine(machine);
    info->bits = (machine == 0x14c || machine == 0x1c4) ? 32 : 64;
    if (!(chars & 0x2000)) /* IMAGE_FILE_DLL */
        return facet__error(FACET_E_NOTLIBRARY, "%s: a PE executable, expected a DLL", name);
    if (strcmp(info->machine, HOST_MACHINE) != 0 || info->bits != HOST_BITS ||
        strcmp(HOST_FORMAT, "PE") != 0)
        return wrong_arch(info, r, name);
    sectab = peoff + 24 + optsize;
    if (FACET_FAILED(check_table(r, name, "the section table", sectab, (uint16_t)nsec, 40)))
        return FACET_E_TRUNCATED;
    for (i = 0; i < nsec; i++) {
        uint64_t rawsize, rawptr;
        if (!read_exact(r, sectab + i * 40, sec, 40))
            return truncated(name, r->size, "a section header", sectab + (i + 1) * 40);
        rawsize = get(sec + 16, 4, 1);
        rawptr = get(sec + 20, 4, 1);
        if (rawsize != 0 && rawptr + rawsize > r->size)
            return truncated(name, r->size, "a section", rawptr + rawsize);
    }
    if (pe_is_go(r, sectab, nsec))
        info->runtime = FACET_RUNTIME_GO;
    return FACET_OK;
}

/* ---- Mach-O ------------------------------------------------------------ */

/* Whether a 64-bit Mach-O image has Go's __go_buildinfo section. */
static int macho_is_go(Reader *r, const uint8_t *h, unsigned hsize, uint64_t sizeofcmds)
{
    uint64_t ncmds = get(h + 16, 4, r->little), at = hsize, end = hsize + sizeofcmds, i, k;
    if (hsize != 32)
        return 0;
    for (i = 0; i < ncmds && i < 4096 && at + 8 <= end; i++) {
        uint8_t lc[72], sect[80];
        uint64_t cmd, size, nsects;
        if (!read_exact(r, at, lc, 8))
            return 0;
        cmd = get(lc, 4, r->little);
        size = get(lc + 4, 4, r->little);
        if (size < 8 || size > end - at)
            return 0;
        if (cmd == 0x19 && size >= 72 && read_exact(r, at, lc, 72)) { /* LC_SEGMENT_64 */
            nsects = get(lc + 64, 4, r->little);
            for (k = 0; k < nsects && 72 + (k + 1) * 80 <= size; k++) {
                if (!read_exact(r, at + 72 + k * 80, sect, 80))
                    return 0;
                if (memcmp(sect, "__go_buildinfo", 15) == 0)
                    return go_magic_at(r, get(sect + 48, 4, r->little));
            }
        }
        at += size;
    }
    return 0;
}

static FacetResult check_macho(FacetImageInfo *info, Reader *r, const char *name,
                               const uint8_t *h, uint64_t hlen)
{
    uint64_t magic = get(h, 4, 1), cpu, filetype, sizeofcmds;
    unsigned hsize;
    info->format = "Mach-O";
    if (magic == 0xbebafecaull) { /* a universal binary: the system loader picks the slice */
        info->machine = "universal";
        info->bits = HOST_BITS;
        if (strcmp(HOST_FORMAT, "Mach-O") != 0)
            return wrong_arch(info, r, name);
        return FACET_OK;
    }
    r->little = magic == 0xfeedfaceull || magic == 0xfeedfacfull;
    info->bits = (magic == 0xfeedfacfull || magic == 0xcffaedfeull) ? 64 : 32;
    hsize = info->bits == 64 ? 32u : 28u;
    if (hlen < hsize)
        return truncated(name, r->size, "the Mach-O header", hsize);
    cpu = get(h + 4, 4, r->little);
    filetype = get(h + 12, 4, r->little);
    sizeofcmds = get(h + 20, 4, r->little);
    info->machine = cpu == 0x01000007u   ? "x86_64"
                    : cpu == 0x0100000Cu ? "aarch64"
                    : cpu == 7u          ? "i386"
                                         : "an unknown machine";
    if (filetype != 6 && filetype != 8) /* MH_DYLIB, MH_BUNDLE */
        return facet__error(FACET_E_NOTLIBRARY,
                            "%s: a Mach-O file of type %llu, expected a dylib or bundle", name,
                            (unsigned long long)filetype);
    if (strcmp(info->machine, HOST_MACHINE) != 0 || info->bits != HOST_BITS ||
        r->little != host_is_little_endian() || strcmp(HOST_FORMAT, "Mach-O") != 0)
        return wrong_arch(info, r, name);
    if (hsize + sizeofcmds > r->size)
        return truncated(name, r->size, "the load commands", hsize + sizeofcmds);
    if (macho_is_go(r, h, hsize, sizeofcmds))
        info->runtime = FACET_RUNTIME_GO;
    return FACET_OK;
}

/* ---- Dispatch ---------------------------------------------------------- */

static int is_text(const uint8_t *p, uint64_t n)
{
    uint64_t i;
    for (i = 0; i < n; i++)
        if (p[i] < 0x09 || (p[i] > 0x0d && p[i] < 0x20 && p[i] != 0x1b))
            return 0;
    return 1;
}

int facet__image_is_go(uint64_t file_size, FacetImageReadFn read, void *payload)
{
    uint8_t h[64], coff[24];
    Reader r;
    uint64_t magic, peoff;
    r.read = read;
    r.payload = payload;
    r.size = file_size;
    r.little = 1;
    if (!read_exact(&r, 0, h, file_size < 64 ? (unsigned)file_size : 64u))
        return 0;
    if (file_size >= 64 && memcmp(h, "\177ELF", 4) == 0 && (h[4] == 1 || h[4] == 2)) {
        int is64 = h[4] == 2;
        r.little = h[5] == 1;
        return elf_is_go(&r, h, is64, get(h + (is64 ? 32 : 28), is64 ? 8 : 4, r.little),
                         get(h + (is64 ? 56 : 44), 2, r.little),
                         get(h + (is64 ? 54 : 42), 2, r.little));
    }
    if (file_size >= 64 && h[0] == 'M' && h[1] == 'Z') {
        peoff = get(h + 0x3C, 4, 1);
        if (!read_exact(&r, peoff, coff, 24) || memcmp(coff, "PE\0\0", 4) != 0)
            return 0;
        return pe_is_go(&r, peoff + 24 + get(coff + 20, 2, 1), get(coff + 6, 2, 1));
    }
    magic = file_size >= 32 ? get(h, 4, 1) : 0;
    if (magic == 0xfeedfacfull || magic == 0xcffaedfeull) {
        r.little = magic == 0xfeedfacfull;
        return macho_is_go(&r, h, 32, get(h + 20, 4, r.little));
    }
    return 0;
}

FacetResult facet__image_check(FacetImageInfo *out, const char *name, uint64_t file_size,
                               FacetImageReadFn read, void *payload)
{
    uint8_t h[64];
    Reader r;
    int64_t got;
    uint64_t magic;
    FacetImageInfo scratch;
    FacetImageInfo *info = out ? out : &scratch;

    memset(info, 0, sizeof(*info));
    info->runtime = FACET_RUNTIME_NATIVE;
    info->format = "unknown";
    info->machine = "unknown";
    if (file_size == 0)
        return facet__error(FACET_E_EMPTYFILE,
                            "%s: the file is empty (0 bytes), expected a %s shared library", name,
                            HOST_FORMAT);
    r.read = read;
    r.payload = payload;
    r.size = file_size;
    r.little = 1;
    got = read(payload, 0, h, file_size < sizeof(h) ? file_size : sizeof(h));
    if (got <= 0)
        return facet__error(FACET_E_FAIL, "%s: could not read the file's first bytes", name);
    if (got >= 4 && memcmp(h, "\177ELF", 4) == 0) {
        if (got < 6)
            return truncated(name, file_size, "the ELF header", 64);
        return check_elf(info, &r, name, h, (uint64_t)got);
    }
    if (got >= 2 && h[0] == 'M' && h[1] == 'Z')
        return check_pe(info, &r, name, h, (uint64_t)got);
    magic = got >= 4 ? get(h, 4, 1) : 0;
    if (magic == 0xfeedfaceull || magic == 0xfeedfacfull || magic == 0xcefaedfeull ||
        magic == 0xcffaedfeull || magic == 0xbebafecaull)
        return check_macho(info, &r, name, h, (uint64_t)got);
    if (got < 4 && (memcmp(h, "\177ELF", (size_t)got) == 0))
        return truncated(name, file_size, "the ELF header", 64);
    if (is_text(h, (uint64_t)got))
        return facet__error(FACET_E_NOTLIBRARY,
                            "%s: a text file (it starts \"%.*s\"), expected a %s shared library",
                            name, (int)(got > 16 ? 16 : got), (const char *)h, HOST_FORMAT);
    return facet__error(FACET_E_NOTLIBRARY,
                        "%s: not a shared library: it starts with bytes %02x %02x %02x %02x, "
                        "expected a %s header",
                        name, h[0], got > 1 ? h[1] : 0, got > 2 ? h[2] : 0, got > 3 ? h[3] : 0,
                        HOST_FORMAT);
}
