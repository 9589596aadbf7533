/*
 * tests/core/image.c - what a file is before the system loader sees it
 * (core/formats/image.c): ELF, PE and Mach-O headers built in memory, every
 * kind of bad image refused with its own code and a message that says what
 * was expected and what was found, a good one for this host accepted, and
 * a module written in Go told by its build information in each format.
 *
 * Built from image.c itself (the checks are internal to libfacet). The
 * images are made for the machine this test runs on where it matters: a
 * library this host could load passes only on the format the host uses
 * (ELF here, PE on Windows); on the others the same image is of the wrong
 * architecture.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "support.h"

#include "formats/formats.h"

/* The host as image.c sees it; what a library for it must say. */
#if defined(__x86_64__) || defined(_M_X64) || defined(_M_AMD64)
#define HOST_ELF_MACHINE 62
#define HOST_PE_MACHINE 0x8664
#define HOST_MACHINE "x86_64"
#elif defined(__aarch64__) || defined(_M_ARM64)
#define HOST_ELF_MACHINE 183
#define HOST_PE_MACHINE 0xaa64
#define HOST_MACHINE "aarch64"
#endif
#if defined(_WIN32)
#define HOST_FORMAT "PE"
#elif defined(__APPLE__)
#define HOST_FORMAT "Mach-O"
#else
#define HOST_FORMAT "ELF"
#endif

#ifdef HOST_PE_MACHINE
#define HOST_PE_MACHINE_OR_X64 HOST_PE_MACHINE
#else
#define HOST_PE_MACHINE_OR_X64 0x8664
#endif

#define IMAGE_SIZE (80 * 1024)

typedef struct Image {
    uint8_t data[IMAGE_SIZE];
    uint64_t size;    /* what the file's size says */
    int fail_reads;   /* every read fails */
    unsigned reads;   /* reads made */
} Image;

static Image img;

static int64_t image_read(void *payload, uint64_t offset, void *buf, uint64_t len)
{
    Image *im = payload;
    im->reads++;
    if (im->fail_reads || offset > im->size)
        return -1;
    if (len > im->size - offset)
        len = im->size - offset;
    memcpy(buf, im->data + offset, (size_t)len);
    return (int64_t)len;
}

static void put(uint64_t offset, uint64_t value, unsigned n, int little)
{
    unsigned i;
    for (i = 0; i < n; i++)
        img.data[offset + (little ? i : n - 1 - i)] = (uint8_t)(value >> (8 * i));
}

static void reset(uint64_t size)
{
    memset(&img, 0, sizeof(img));
    img.size = size;
}

static const uint8_t go_magic[14] = {0xff, ' ', 'G', 'o', ' ', 'b', 'u', 'i',
                                     'l', 'd', 'i', 'n', 'f', ':'};

static FacetResult check(FacetImageInfo *info)
{
    return facet__image_check(info, "m.so", img.size, image_read, &img);
}

static int host_little(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

static int is_go(void)
{
    return facet__image_is_go(img.size, image_read, &img);
}

/* Asserts that r is code and that the last error holds every string. */
/* ---- ELF ------------------------------------------------------------------ */

/* A 64-bit little-endian shared library for machine: a read-only and a
 * writable PT_LOAD and a PT_DYNAMIC, no section table. */
static void elf64(uint16_t machine)
{
    reset(4096);
    memcpy(img.data, "\177ELF", 4);
    img.data[4] = 2; /* ELFCLASS64 */
    img.data[5] = 1; /* ELFDATA2LSB */
    img.data[6] = 1;
    put(16, 3, 2, 1); /* ET_DYN */
    put(18, machine, 2, 1);
    put(32, 64, 8, 1);  /* e_phoff */
    put(54, 56, 2, 1);  /* e_phentsize */
    put(56, 3, 2, 1);   /* e_phnum */
    put(58, 64, 2, 1);  /* e_shentsize */
    /* PT_LOAD r-x: the whole file */
    put(64 + 0, 1, 4, 1);
    put(64 + 4, 5, 4, 1);
    put(64 + 32, 4096, 8, 1);
    /* PT_DYNAMIC */
    put(120 + 0, 2, 4, 1);
    put(120 + 8, 1024, 8, 1);
    put(120 + 32, 128, 8, 1);
    /* PT_LOAD rw-: [2048, 3072) */
    put(176 + 0, 1, 4, 1);
    put(176 + 4, 6, 4, 1);
    put(176 + 8, 2048, 8, 1);
    put(176 + 32, 1024, 8, 1);
}

/* Adds a section table at 3072: a null section, .go.buildinfo at 2560
 * (or another name), and the section names at 512. */
static void elf64_sections(const char *name)
{
    static const char names[] = "\0.go.buildinfo\0.shstrtab\0.data.rel.ro\0";
    memcpy(img.data + 512, names, sizeof(names));
    put(40, 3072, 8, 1); /* e_shoff */
    put(60, 3, 2, 1);    /* e_shnum */
    put(62, 2, 2, 1);    /* e_shstrndx */
    put(3072 + 64 + 0, strcmp(name, ".go.buildinfo") == 0 ? 1 : 25, 4, 1);
    put(3072 + 64 + 24, 2560, 8, 1);
    put(3072 + 64 + 32, 32, 8, 1);
    put(3072 + 128 + 0, 15, 4, 1);
    put(3072 + 128 + 24, 512, 8, 1);
    put(3072 + 128 + 32, sizeof(names), 8, 1);
}

static void test_core_image__empty_and_unreadable(void **state)
{
    (void)state;
    reset(0);
    expect_error(check(NULL), FACET_E_EMPTYFILE, "m.so: the file is empty (0 bytes)",
                 "expected a " HOST_FORMAT " shared library");
    assert_int_equal(img.reads, 0);
    assert_int_equal(is_go(), 0);
    reset(100);
    img.fail_reads = 1;
    expect_error(check(NULL), FACET_E_FAIL, "m.so: could not read the file's first bytes");
    assert_int_equal(is_go(), 0);
    /* the positive control: the same bytes, readable, are text */
    img.fail_reads = 0;
    memset(img.data, 'x', 100);
    expect_error(check(NULL), FACET_E_NOTLIBRARY, "a text file (it starts \"xxxxxxxxxxxxxxxx\")");
}

static void test_core_image__not_a_library(void **state)
{
    FacetImageInfo info;
    (void)state;
    reset(32);
    memcpy(img.data, "#!/bin/sh\necho hello\r\n\tthere\033[0m", 32);
    expect_error(check(&info), FACET_E_NOTLIBRARY, "m.so: a text file (it starts \"#!/bin/sh\necho h\")",
                 "expected a " HOST_FORMAT " shared library");
    assert_string_equal(info.format, "unknown");
    assert_string_equal(info.machine, "unknown");
    assert_int_equal(info.runtime, FACET_RUNTIME_NATIVE);
    reset(40);
    img.data[0] = 0x00;
    img.data[1] = 0x61;
    img.data[2] = 0x73;
    img.data[3] = 0x6d; /* a WebAssembly module */
    expect_error(check(NULL), FACET_E_NOTLIBRARY, "m.so: not a shared library",
                 "it starts with bytes 00 61 73 6d", "expected a " HOST_FORMAT " header");
    reset(2);
    img.data[0] = 0x00;
    img.data[1] = 0x01;
    expect_error(check(NULL), FACET_E_NOTLIBRARY, "it starts with bytes 00 01 00 00");
    reset(1);
    img.data[0] = 0x7f;
    expect_error(check(NULL), FACET_E_TRUNCATED, "m.so: truncated library: the ELF header needs 64 "
                                                 "bytes, the file has 1");
    reset(1);
    img.data[0] = 'M';
    expect_error(check(NULL), FACET_E_NOTLIBRARY, "a text file (it starts \"M\")");
}

static void test_core_image__elf_header(void **state)
{
    FacetImageInfo info;
    (void)state;
    reset(5);
    memcpy(img.data, "\177ELF\2", 5);
    expect_error(check(NULL), FACET_E_TRUNCATED, "the ELF header needs 64 bytes, the file has 5");
    reset(64);
    memcpy(img.data, "\177ELF\3\1", 6);
    expect_error(check(&info), FACET_E_NOTLIBRARY, "m.so: an ELF file with class 3 and data "
                                                   "encoding 1; expected 1 or 2");
    assert_string_equal(info.format, "ELF");
    memcpy(img.data, "\177ELF\2\0", 6);
    expect_error(check(NULL), FACET_E_NOTLIBRARY, "class 2 and data encoding 0");
    /* a 64-bit header cut short */
    reset(40);
    memcpy(img.data, "\177ELF\2\1", 6);
    expect_error(check(NULL), FACET_E_TRUNCATED, "the ELF header needs 64 bytes, the file has 40");
    /* 52 bytes are a whole 32-bit header */
    reset(52);
    memcpy(img.data, "\177ELF\1\1", 6);
    put(16, 3, 2, 1);
    put(18, 3, 2, 1);
    expect_error(check(&info), FACET_E_WRONGARCH, "m.so: an ELF library for i386 (32-bit)");
    assert_int_equal(info.bits, 32);
    assert_string_equal(info.machine, "i386");
}

static void test_core_image__elf_types(void **state)
{
    static const struct {
        uint16_t type;
        const char *says;
    } types[] = {{0, "an ELF file of unknown type"},
                 {1, "an ELF relocatable object (.o)"},
                 {2, "an ELF executable"},
                 {4, "an ELF core dump"},
                 {0xfe00, "an ELF file of unknown type"}};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        elf64(62);
        put(16, types[i].type, 2, 1);
        expect_error(check(NULL), FACET_E_NOTLIBRARY, types[i].says,
                     "expected a shared library (ET_DYN)");
    }
}

static void test_core_image__elf_machines(void **state)
{
    static const struct {
        uint16_t machine;
        const char *name;
    } machines[] = {{3, "i386"},     {8, "mips"},     {20, "ppc"},     {21, "ppc64"},
                    {22, "s390x"},   {40, "arm"},     {62, "x86_64"},  {183, "aarch64"},
                    {243, "riscv64"}, {258, "loongarch64"}, {9999, "an unknown machine"}};
    size_t i;
    char says[128];
    FacetImageInfo info;
    (void)state;
    for (i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
        elf64(machines[i].machine);
        memset(&info, 0xff, sizeof(info));
        snprintf(says, sizeof(says), "m.so: an ELF library for %s (64-bit); this host is %s",
                 machines[i].name, HOST_FORMAT);
#if defined(HOST_ELF_MACHINE) && !defined(_WIN32) && !defined(__APPLE__)
        if (machines[i].machine == HOST_ELF_MACHINE) {
            assert_int_equal(check(&info), FACET_OK);
            assert_string_equal(info.machine, machines[i].name);
            continue;
        }
#endif
        expect_error(check(&info), FACET_E_WRONGARCH, says);
        assert_string_equal(info.format, "ELF");
        assert_string_equal(info.machine, machines[i].name);
        assert_int_equal(info.bits, 64);
    }
}

#if defined(HOST_ELF_MACHINE) && !defined(_WIN32) && !defined(__APPLE__) && \
    (defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
#define HOST_IS_ELF 1
#endif

static void test_core_image__elf_good(void **state)
{
    (void)state;
#ifdef HOST_IS_ELF
    FacetImageInfo info;
    elf64(HOST_ELF_MACHINE);
    assert_int_equal(check(&info), FACET_OK);
    assert_string_equal(info.format, "ELF");
    assert_string_equal(info.machine, HOST_MACHINE);
    assert_int_equal(info.bits, 64);
    assert_int_equal(info.runtime, FACET_RUNTIME_NATIVE);
    assert_int_equal(check(NULL), FACET_OK);
    /* the same library in big-endian byte order is not this host's */
    elf64(HOST_ELF_MACHINE);
    img.data[5] = 2;
    put(16, 3, 2, 0);
    put(18, HOST_ELF_MACHINE, 2, 0);
    expect_error(check(&info), FACET_E_WRONGARCH,
                 "an ELF library for " HOST_MACHINE " (64-bit, big-endian); this host is ELF " HOST_MACHINE
                 " (64-bit, little-endian)");
    assert_string_equal(info.machine, HOST_MACHINE);
#else
    skip();
#endif
}

static void test_core_image__elf_tables(void **state)
{
    (void)state;
#ifdef HOST_IS_ELF
    /* no program headers */
    elf64(HOST_ELF_MACHINE);
    put(56, 0, 2, 1);
    expect_error(check(NULL), FACET_E_NOTLIBRARY, "an ELF file with 0 program headers of 56 bytes",
                 "a shared library has at least one");
    /* program headers too small */
    elf64(HOST_ELF_MACHINE);
    put(54, 32, 2, 1);
    expect_error(check(NULL), FACET_E_NOTLIBRARY, "with 3 program headers of 32 bytes");
    /* the program header table past the end */
    elf64(HOST_ELF_MACHINE);
    put(32, 4000, 8, 1);
    expect_error(check(NULL), FACET_E_TRUNCATED, "the program header table needs 4168 bytes, the "
                                                 "file has 4096");
    elf64(HOST_ELF_MACHINE);
    put(32, UINT64_MAX - 8, 8, 1);
    expect_error(check(NULL), FACET_E_TRUNCATED, "the program header table");
    /* the section header table past the end */
    elf64(HOST_ELF_MACHINE);
    elf64_sections(".go.buildinfo");
    put(60, 30, 2, 1);
    expect_error(check(NULL), FACET_E_TRUNCATED, "the section header table needs 4992 bytes");
    /* a loadable segment past the end */
    elf64(HOST_ELF_MACHINE);
    put(176 + 32, 2049, 8, 1);
    expect_error(check(NULL), FACET_E_TRUNCATED, "a loadable segment needs 4097 bytes, the file has "
                                                 "4096");
    elf64(HOST_ELF_MACHINE);
    put(64 + 8, 5000, 8, 1);
    expect_error(check(NULL), FACET_E_TRUNCATED, "a loadable segment");
    /* the dynamic section past the end */
    elf64(HOST_ELF_MACHINE);
    put(120 + 32, 3500, 8, 1);
    expect_error(check(NULL), FACET_E_TRUNCATED, "the dynamic section needs 4524 bytes");
    /* segments of other kinds are not the loader's: a PT_NOTE past the end passes */
    elf64(HOST_ELF_MACHINE);
    put(120 + 0, 4, 4, 1);
    put(120 + 32, 99999, 8, 1);
    assert_int_equal(check(NULL), FACET_OK);
#else
    skip();
#endif
}

/* ---- Go's build information ----------------------------------------------- */

static void test_core_image__go_elf(void **state)
{
    FacetImageInfo info;
    (void)state;
    /* no section table: the magic at a 16-byte boundary of the first writable segment */
    elf64(62);
    assert_int_equal(is_go(), 0);
    memcpy(img.data + 2048 + 64, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 1);
    /* not at a 16-byte boundary: not Go's */
    elf64(62);
    memcpy(img.data + 2048 + 8, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 0);
    /* in a read-only segment: not where Go looks */
    elf64(62);
    memcpy(img.data + 1024 + 16, go_magic, sizeof(go_magic));
    put(176 + 4, 4, 4, 1);
    assert_int_equal(is_go(), 0);
    /* a writable segment larger than the file: not read past its end */
    elf64(62);
    put(176 + 32, 1 << 20, 8, 1);
    memcpy(img.data + 2048 + 64, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 0);
    /* no writable segment before the program headers run past the end */
    elf64(62);
    put(176 + 4, 4, 4, 1);
    put(56, 200, 2, 1);
    assert_int_equal(is_go(), 0);

    /* with a section table: .go.buildinfo names where the magic is */
    elf64(62);
    elf64_sections(".go.buildinfo");
    assert_int_equal(is_go(), 0);
    memcpy(img.data + 2560, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 1);
    /* the same bytes in a section of another name */
    elf64(62);
    elf64_sections(".data.rel.ro");
    memcpy(img.data + 2560, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 0);
    /* a section name past the end of the names */
    elf64(62);
    elf64_sections(".go.buildinfo");
    memcpy(img.data + 2560, go_magic, sizeof(go_magic));
    put(3072 + 64 + 0, 30, 4, 1);
    assert_int_equal(is_go(), 0);
    /* the names past the end of the file */
    elf64(62);
    elf64_sections(".go.buildinfo");
    memcpy(img.data + 2560, go_magic, sizeof(go_magic));
    put(3072 + 128 + 24, 4090, 8, 1);
    assert_int_equal(is_go(), 0);
    /* the section table past the end (e_shstrndx's entry) */
    elf64(62);
    elf64_sections(".go.buildinfo");
    put(40, 4090, 8, 1);
    assert_int_equal(is_go(), 0);

#ifdef HOST_IS_ELF
    /* the check tells it too */
    elf64(HOST_ELF_MACHINE);
    elf64_sections(".go.buildinfo");
    memcpy(img.data + 2560, go_magic, sizeof(go_magic));
    assert_int_equal(check(&info), FACET_OK);
    assert_int_equal(info.runtime, FACET_RUNTIME_GO);
    memset(img.data + 2560, 0, sizeof(go_magic));
    assert_int_equal(check(&info), FACET_OK);
    assert_int_equal(info.runtime, FACET_RUNTIME_NATIVE);
#else
    (void)info;
#endif
    /* a program (ET_EXEC) is Go's too: is_go does not ask for a library */
    elf64(62);
    put(16, 2, 2, 1);
    memcpy(img.data + 2048 + 64, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 1);
    /* too short to be anything */
    reset(40);
    memcpy(img.data, "\177ELF\2\1", 6);
    assert_int_equal(is_go(), 0);
}

/* A 32-bit big-endian ELF program with the magic in its writable segment:
 * the fields are read in the image's own order and sizes. */
static void test_core_image__go_elf32_big_endian(void **state)
{
    (void)state;
    reset(4096);
    memcpy(img.data, "\177ELF\1\2\1", 7);
    put(16, 2, 2, 0);
    put(18, 8, 2, 0);
    put(28, 52, 4, 0); /* e_phoff */
    put(42, 32, 2, 0); /* e_phentsize */
    put(44, 1, 2, 0);  /* e_phnum */
    put(52 + 0, 1, 4, 0);
    put(52 + 4, 1024, 4, 0);  /* p_offset */
    put(52 + 16, 2048, 4, 0); /* p_filesz */
    put(52 + 24, 6, 4, 0);    /* p_flags: rw- */
    assert_int_equal(is_go(), 0);
    /* at the segment's last 16-byte boundary that holds it */
    memcpy(img.data + 1024 + 2048 - 16, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 1);
}

/* The search where no section names the place stops after 64 KiB. */
static void test_core_image__go_search_limit(void **state)
{
    (void)state;
    elf64(62);
    img.size = IMAGE_SIZE;
    put(176 + 8, 4096, 8, 1);
    put(176 + 32, IMAGE_SIZE - 4096, 8, 1);
    memcpy(img.data + 4096 + 65536 - 16, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 1);
    memset(img.data + 4096 + 65536 - 16, 0, sizeof(go_magic));
    memcpy(img.data + 4096 + 65536, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 0);
    /* a segment that says more than the file has ends the search */
    memcpy(img.data + 4096 + 8192, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 1);
    img.size = 4096 + 4096 + 100;
    assert_int_equal(is_go(), 0);
}

/* ---- PE ------------------------------------------------------------------- */

/* A PE DLL for machine with its PE header at 64, no optional header, and
 * two sections: .text and a writable .data at 1024. */
static void pe(uint16_t machine)
{
    reset(4096);
    img.data[0] = 'M';
    img.data[1] = 'Z';
    put(0x3C, 64, 4, 1);
    memcpy(img.data + 64, "PE\0\0", 4);
    put(64 + 4, machine, 2, 1);
    put(64 + 6, 2, 2, 1);        /* sections */
    put(64 + 20, 0, 2, 1);       /* optional header size */
    put(64 + 22, 0x2002, 2, 1);  /* DLL, executable image */
    memcpy(img.data + 88, ".text", 5);
    put(88 + 12, 0x1000, 4, 1);
    put(88 + 16, 512, 4, 1);
    put(88 + 20, 512, 4, 1);
    put(88 + 36, 0x60000020u, 4, 1);
    memcpy(img.data + 128, ".data", 5);
    put(128 + 12, 0x2000, 4, 1);
    put(128 + 16, 512, 4, 1);
    put(128 + 20, 1024, 4, 1);
    put(128 + 36, 0xC0300040u, 4, 1); /* initialized data, read, write, aligned */
}

static void test_core_image__pe_header(void **state)
{
    FacetImageInfo info;
    (void)state;
    reset(40);
    img.data[0] = 'M';
    img.data[1] = 'Z';
    img.data[2] = 0x90;
    expect_error(check(&info), FACET_E_TRUNCATED, "m.so: truncated library: the DOS header needs 64 "
                                                  "bytes, the file has 40");
    assert_string_equal(info.format, "PE");
    /* the PE header past the end */
    pe(HOST_PE_MACHINE_OR_X64);
    put(0x3C, 4090, 4, 1);
    expect_error(check(NULL), FACET_E_TRUNCATED, "the PE header needs 4114 bytes, the file has 4096");
    /* an offset no PE file has: a DOS program */
    pe(HOST_PE_MACHINE_OR_X64);
    put(0x3C, 0x7fffffffu, 4, 1);
    expect_error(check(NULL), FACET_E_NOTLIBRARY, "m.so: an MZ file without a PE header");
    pe(HOST_PE_MACHINE_OR_X64);
    memcpy(img.data + 64, "NE\0\0", 4);
    expect_error(check(NULL), FACET_E_NOTLIBRARY, "m.so: an MZ file (DOS program) without a PE "
                                                  "signature");
    pe(HOST_PE_MACHINE_OR_X64);
    put(64 + 22, 0x0002, 2, 1);
    expect_error(check(NULL), FACET_E_NOTLIBRARY, "m.so: a PE executable, expected a DLL");
}

static void test_core_image__pe_machines(void **state)
{
    static const struct {
        uint16_t machine;
        const char *name;
        unsigned bits;
    } machines[] = {{0x14c, "i386", 32}, {0x8664, "x86_64", 64}, {0xaa64, "aarch64", 64},
                    {0x1c4, "arm", 32},  {0x200, "an unknown machine", 64}};
    size_t i;
    char says[128];
    FacetImageInfo info;
    (void)state;
    for (i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
        pe(machines[i].machine);
#if defined(_WIN32) && defined(HOST_PE_MACHINE)
        if (machines[i].machine == HOST_PE_MACHINE) {
            assert_int_equal(check(&info), FACET_OK);
            assert_string_equal(info.machine, machines[i].name);
            assert_int_equal(info.runtime, FACET_RUNTIME_NATIVE);
            continue;
        }
#endif
        snprintf(says, sizeof(says), "m.so: a PE library for %s (%u-bit); this host is %s",
                 machines[i].name, machines[i].bits, HOST_FORMAT);
        expect_error(check(&info), FACET_E_WRONGARCH, says);
        assert_string_equal(info.format, "PE");
        assert_string_equal(info.machine, machines[i].name);
        assert_int_equal(info.bits, machines[i].bits);
    }
}

#if defined(_WIN32) && defined(HOST_PE_MACHINE)
/* What only a PE host reaches: the section table and the sections. */
static void test_core_image__pe_sections(void **state)
{
    FacetImageInfo info;
    (void)state;
    pe(HOST_PE_MACHINE);
    put(64 + 6, 103, 2, 1); /* 103 headers of 40 bytes from offset 88 */
    expect_error(check(NULL), FACET_E_TRUNCATED, "the section table needs 4208 bytes");
    pe(HOST_PE_MACHINE);
    put(128 + 16, 4000, 4, 1);
    expect_error(check(NULL), FACET_E_TRUNCATED, "a section needs 5024 bytes");
    pe(HOST_PE_MACHINE);
    memcpy(img.data + 1024, go_magic, sizeof(go_magic));
    assert_int_equal(check(&info), FACET_OK);
    assert_int_equal(info.runtime, FACET_RUNTIME_GO);
}
#endif

static void test_core_image__go_pe(void **state)
{
    (void)state;
    pe(0x8664);
    assert_int_equal(is_go(), 0);
    /* at the start of the first writable data section */
    memcpy(img.data + 1024, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 1);
    /* the section is not writable: Go's is not there */
    put(128 + 36, 0x40000040u, 4, 1);
    assert_int_equal(is_go(), 0);
    /* an empty writable section is passed over */
    pe(0x8664);
    memcpy(img.data + 1024, go_magic, sizeof(go_magic));
    put(128 + 16, 0, 4, 1);
    assert_int_equal(is_go(), 0);
    /* the section table past the end */
    pe(0x8664);
    memcpy(img.data + 1024, go_magic, sizeof(go_magic));
    put(64 + 20, 4000, 2, 1);
    assert_int_equal(is_go(), 0);
    /* no PE signature, no PE header, too short */
    pe(0x8664);
    memcpy(img.data + 1024, go_magic, sizeof(go_magic));
    memcpy(img.data + 64, "PX", 2);
    assert_int_equal(is_go(), 0);
    pe(0x8664);
    memcpy(img.data + 1024, go_magic, sizeof(go_magic));
    put(0x3C, 5000, 4, 1);
    assert_int_equal(is_go(), 0);
    pe(0x8664);
    img.size = 63;
    assert_int_equal(is_go(), 0);
}

/* ---- Mach-O --------------------------------------------------------------- */

/* A 64-bit little-endian Mach-O dylib for cpu with one LC_SEGMENT_64 of
 * nsects sections, the first named sect and pointing at 2048. */
static void macho64(uint32_t cpu, const char *sect, unsigned nsects)
{
    reset(4096);
    put(0, 0xfeedfacfu, 4, 1);
    put(4, cpu, 4, 1);
    put(12, 6, 4, 1); /* MH_DYLIB */
    put(16, 1, 4, 1); /* ncmds */
    put(20, 72 + 80 * nsects, 4, 1);
    put(32 + 0, 0x19, 4, 1);
    put(32 + 4, 72 + 80 * nsects, 4, 1);
    memcpy(img.data + 32 + 8, "__DATA", 6);
    put(32 + 64, nsects, 4, 1);
    if (nsects > 0) {
        memcpy(img.data + 104, sect, strlen(sect));
        memcpy(img.data + 104 + 16, "__DATA", 6);
        put(104 + 48, 2048, 4, 1);
    }
}

static void test_core_image__macho(void **state)
{
    FacetImageInfo info;
    (void)state;
    /* a universal binary: the system loader picks the slice */
    reset(64);
    put(0, 0xcafebabeu, 4, 0);
    expect_error(check(&info), FACET_E_WRONGARCH, "m.so: a Mach-O library for universal");
    assert_string_equal(info.format, "Mach-O");
    assert_string_equal(info.machine, "universal");
    /* a header cut short */
    reset(20);
    put(0, 0xfeedfacfu, 4, 1);
    expect_error(check(NULL), FACET_E_TRUNCATED, "the Mach-O header needs 32 bytes, the file has 20");
    reset(20);
    put(0, 0xfeedfaceu, 4, 1);
    expect_error(check(NULL), FACET_E_TRUNCATED, "the Mach-O header needs 28 bytes");
    /* not a library */
    macho64(0x01000007u, "__text", 1);
    put(12, 2, 4, 1); /* MH_EXECUTE */
    expect_error(check(NULL), FACET_E_NOTLIBRARY, "m.so: a Mach-O file of type 2, expected a dylib "
                                                  "or bundle");
    /* dylibs and bundles for each machine, in both byte orders */
    macho64(0x01000007u, "__text", 1);
    expect_error(check(&info), FACET_E_WRONGARCH, "a Mach-O library for x86_64 (64-bit); this host "
                                                  "is " HOST_FORMAT);
    if (host_little())
        assert_null(strstr(facet_last_error(), "endian"));
    macho64(0x0100000Cu, "__text", 1);
    put(12, 8, 4, 1); /* MH_BUNDLE */
    expect_error(check(&info), FACET_E_WRONGARCH, "a Mach-O library for aarch64 (64-bit)");
    macho64(12345, "__text", 1);
    expect_error(check(&info), FACET_E_WRONGARCH, "a Mach-O library for an unknown machine");
    reset(64);
    put(0, 0xfeedfaceu, 4, 0); /* big-endian 32-bit */
    put(4, 7, 4, 0);
    put(12, 6, 4, 0);
    expect_error(check(&info), FACET_E_WRONGARCH, "a Mach-O library for i386 (32-bit",
                 host_little() ? "(32-bit, big-endian); this host" : "(32-bit); this host");
    reset(64);
    put(0, 0xfeedfacfu, 4, 0); /* big-endian 64-bit */
    put(4, 0x01000007u, 4, 0);
    put(12, 6, 4, 0);
    expect_error(check(&info), FACET_E_WRONGARCH, "a Mach-O library for x86_64 (64-bit",
                 host_little() ? "(64-bit, big-endian)" : "(64-bit); this host");
}

static void test_core_image__go_macho(void **state)
{
    (void)state;
    macho64(0x01000007u, "__go_buildinfo", 2);
    assert_int_equal(is_go(), 0);
    memcpy(img.data + 2048, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 1);
    /* the second section of the segment */
    macho64(0x01000007u, "__data", 2);
    memcpy(img.data + 184, "__go_buildinfo", 14);
    put(184 + 48, 2048, 4, 1);
    memcpy(img.data + 2048, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 1);
    /* another name */
    macho64(0x01000007u, "__go_buildinfo2", 1);
    memcpy(img.data + 2048, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 0);
    /* a load command of a size no command has */
    macho64(0x01000007u, "__go_buildinfo", 1);
    memcpy(img.data + 2048, go_magic, sizeof(go_magic));
    put(32 + 4, 4, 4, 1);
    assert_int_equal(is_go(), 0);
    /* a load command larger than the commands */
    macho64(0x01000007u, "__go_buildinfo", 1);
    memcpy(img.data + 2048, go_magic, sizeof(go_magic));
    put(32 + 4, 4000, 4, 1);
    assert_int_equal(is_go(), 0);
    /* commands past the end of the file */
    macho64(0x01000007u, "__go_buildinfo", 1);
    memcpy(img.data + 2048, go_magic, sizeof(go_magic));
    img.size = 100;
    assert_int_equal(is_go(), 0);
    /* a section past the end of the file */
    macho64(0x01000007u, "__go_buildinfo", 2);
    memcpy(img.data + 2048, go_magic, sizeof(go_magic));
    memcpy(img.data + 184, "__go_buildinfo", 14);
    put(184 + 48, 2048, 4, 1);
    memset(img.data + 104, 0, 16);
    assert_int_equal(is_go(), 1);
    img.size = 200;
    assert_int_equal(is_go(), 0);
    /* a command of another kind first, then the segment */
    macho64(0x01000007u, "__go_buildinfo", 1);
    memmove(img.data + 48, img.data + 32, 152);
    put(16, 2, 4, 1);
    put(20, 16 + 152, 4, 1);
    put(32 + 0, 0x1b, 4, 1); /* LC_UUID */
    put(32 + 4, 16, 4, 1);
    put(48 + 104 - 32 + 48, 2048, 4, 1);
    memcpy(img.data + 2048, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 1);
    /* 32-bit Mach-O is never Go's (Go dropped it) */
    reset(4096);
    put(0, 0xfeedfaceu, 4, 1);
    memcpy(img.data + 2048, go_magic, sizeof(go_magic));
    assert_int_equal(is_go(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_image__empty_and_unreadable),
        cmocka_unit_test(test_core_image__not_a_library),
        cmocka_unit_test(test_core_image__elf_header),
        cmocka_unit_test(test_core_image__elf_types),
        cmocka_unit_test(test_core_image__elf_machines),
        cmocka_unit_test(test_core_image__elf_good),
        cmocka_unit_test(test_core_image__elf_tables),
        cmocka_unit_test(test_core_image__go_elf),
        cmocka_unit_test(test_core_image__go_elf32_big_endian),
        cmocka_unit_test(test_core_image__go_search_limit),
        cmocka_unit_test(test_core_image__pe_header),
        cmocka_unit_test(test_core_image__pe_machines),
#if defined(_WIN32) && defined(HOST_PE_MACHINE)
        cmocka_unit_test(test_core_image__pe_sections),
#endif
        cmocka_unit_test(test_core_image__go_pe),
        cmocka_unit_test(test_core_image__macho),
        cmocka_unit_test(test_core_image__go_macho),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
