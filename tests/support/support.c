/*
 * tests/support/support.c - helpers shared by the tests.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <direct.h>
#include <windows.h>
#define MODULE_SUFFIX ".dll"
#else
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#define MODULE_SUFFIX ".so"
#endif

const char *facet_test_module_dir(void)
{
    const char *dir = getenv("FACET_TEST_MODULE_DIR");
    return dir && *dir ? dir : "modules";
}

const char *facet_test_module(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/%s%s", facet_test_module_dir(), name, MODULE_SUFFIX);
    return path;
}

const char *facet_test_tmpdir(void)
{
    static char dir[4096];
#ifdef _WIN32
    char base[MAX_PATH];
    GetTempPathA(sizeof(base), base);
    snprintf(dir, sizeof(dir), "%sfacet-test-%lu-%lu", base, (unsigned long)GetCurrentProcessId(),
             (unsigned long)GetTickCount());
    _mkdir(dir);
#else
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/facet-test-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(dir) == NULL)
        fail_msg("mkdtemp(%s) failed", dir);
#endif
    return dir;
}

void facet_test_remove_tree(const char *path)
{
#ifdef _WIN32
    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rmdir /s /q \"%s\"", path);
    (void)system(cmd);
#else
    DIR *d = opendir(path);
    struct dirent *e;
    if (d == NULL) {
        unlink(path);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        char child[4096];
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
        if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
            facet_test_remove_tree(child);
        else
            unlink(child);
    }
    closedir(d);
    rmdir(path);
#endif
}

/* fopen of a UTF-8 path: on Windows the narrow fopen reads a path in the
 * ANSI code page, so a name such as "\xC3\xA9fork.facet.json" would be
 * made under another name than the one libfacet, which speaks UTF-8, looks
 * for. */
static FILE *open_utf8(const char *path, const char *mode)
{
#ifdef _WIN32
    wchar_t wpath[4096], wmode[8];
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, wpath, 4096) == 0 ||
        MultiByteToWideChar(CP_UTF8, 0, mode, -1, wmode, 8) == 0)
        return NULL;
    return _wfopen(wpath, wmode);
#else
    return fopen(path, mode);
#endif
}

void facet_test_write_file(const char *path, const void *data, size_t size)
{
    FILE *f = open_utf8(path, "wb");
    if (f == NULL)
        fail_msg("cannot write %s", path);
    if (size > 0 && fwrite(data, 1, size, f) != size)
        fail_msg("short write to %s", path);
    fclose(f);
}

void *facet_test_read_file(const char *path, size_t *size)
{
    FILE *f = open_utf8(path, "rb");
    char *buf;
    long n;
    if (f == NULL)
        fail_msg("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
        fail_msg("cannot read %s", path);
    fclose(f);
    buf[n] = '\0';
    *size = (size_t)n;
    return buf;
}

void facet_test_expect_error(FacetResult r, FacetResult code, ...)
{
    va_list ap;
    const char *part;
    if (r != code)
        fail_msg("expected %s, got %s: %s", facet_result_name(code), facet_result_name(r),
                 facet_last_error());
    va_start(ap, code);
    while ((part = va_arg(ap, const char *)) != NULL)
        if (strstr(facet_last_error(), part) == NULL)
            fail_msg("the message \"%s\" does not mention \"%s\"", facet_last_error(), part);
    va_end(ap);
}

static void add_option(const char *name, const char *option)
{
#ifndef _WIN32
    const char *old = getenv(name);
    char value[1024];
    snprintf(value, sizeof(value), "%s%s%s", old ? old : "", old && *old ? ":" : "", option);
    setenv(name, value, 1);
#else
    (void)name;
    (void)option;
#endif
}

void facet_test_let_signals_kill(void)
{
    add_option("ASAN_OPTIONS", "handle_segv=0");
    add_option("TSAN_OPTIONS", "handle_segv=0");
}
