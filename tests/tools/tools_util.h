/*
 * tests/tools/tools_util.h - what the tool tests share: a folder of
 * modules to scan, and touching a file.
 */
#ifndef FACET_TOOLS_UTIL_H
#define FACET_TOOLS_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <utime.h>

#include "support.h"

#ifdef _WIN32
#include <direct.h>
#define TOOLS_MODULE_SUFFIX ".dll"
#define tools_mkdir(path) _mkdir(path)
#else
#define TOOLS_MODULE_SUFFIX ".so"
#define tools_mkdir(path) mkdir(path, 0777)
#endif

/* Copies file src to dir/name. */
static inline void tools_copy(const char *src, const char *dir, const char *name)
{
    char dst[4400];
    size_t size;
    void *data = facet_test_read_file(src, &size);
    snprintf(dst, sizeof(dst), "%s/%s", dir, name);
    facet_test_write_file(dst, data, size);
    free(data);
}

/* Sets the modification time of dir/name to when. */
static inline void tools_set_mtime(const char *dir, const char *name, time_t when)
{
    char path[4400];
    struct utimbuf t;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    t.actime = when;
    t.modtime = when;
    if (utime(path, &t) != 0)
        fail_msg("utime(%s) failed", path);
}

static inline time_t tools_mtime(const char *dir, const char *name)
{
    char path[4400];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (stat(path, &st) != 0)
        fail_msg("stat(%s) failed", path);
    return st.st_mtime;
}

/* A fresh folder holding the probe-scan mix: two good modules, one
 * that crashes in its entry, one that hangs, one that calls exit, and a
 * non-library. broken_dir holds the broken widgets, runner is test.runner. */
static inline const char *tools_scan_folder(const char *broken_dir, const char *runner)
{
    static const char *const broken[] = {"good_widget", "crash_in_entry", "hang_in_entry",
                                         "exit_in_entry", "not_a_library"};
    static char dir[4096];
    size_t i;
    snprintf(dir, sizeof(dir), "%s", facet_test_tmpdir());
    for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        char src[4096], name[256];
        snprintf(src, sizeof(src), "%s/%s" TOOLS_MODULE_SUFFIX, broken_dir, broken[i]);
        snprintf(name, sizeof(name), "%s" TOOLS_MODULE_SUFFIX, broken[i]);
        tools_copy(src, dir, name);
    }
    tools_copy(runner, dir, "runner" TOOLS_MODULE_SUFFIX);
    return dir;
}

#endif /* FACET_TOOLS_UTIL_H */
