/*
 * facet-idl - the Facet IDL compiler command.
 *
 *   facet-idl [-I DIR]... [-o OUTDIR] [--lang c|go|manifest] [--depfile FILE] FILE.idl...
 *
 * Writes OUTDIR/X.h and OUTDIR/X_typeinfo.c for each X.idl; with --lang go,
 * OUTDIR/X.h and the Go package X.go, X_export.go and X_glue.c; with --lang
 * manifest, OUTDIR/X_classes.json, its coclasses as a manifest's classes;
 * and with
 * --depfile the files each output was made from, as make and Ninja read. Exits 0 when
 * all went well, 1 on an error in the input (and then writes nothing at
 * all), 2 on bad usage or when an output cannot be written. A thin layer
 * over the library in facet_idl.h.
 */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facet_idl.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <unistd.h>
#endif

/* Where an installed facet-idl finds facet.idl: <prefix>/include/facet, next
 * to <prefix>/bin/facet-idl, wherever the prefix was moved. Searched after
 * every -I folder. Empty when the executable's path cannot be read. */
static void default_import_dir(char *out, size_t size)
{
    char exe[4096];
    char *slash;
    size_t n = 0;
    out[0] = '\0';
#ifdef _WIN32
    n = GetModuleFileNameA(NULL, exe, sizeof(exe));
    if (n == 0 || n >= sizeof(exe))
        return;
    for (slash = exe; *slash; slash++)
        if (*slash == '\\')
            *slash = '/';
#else
    ssize_t got = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (got <= 0)
        return;
    n = (size_t)got;
#endif
    exe[n] = '\0';
    slash = strrchr(exe, '/'); /* .../bin/facet-idl */
    if (slash == NULL)
        return;
    *slash = '\0';
    slash = strrchr(exe, '/'); /* .../bin */
    if (slash == NULL)
        return;
    *slash = '\0';
    snprintf(out, size, "%s/include/facet", exe);
}

#define EXIT_INPUT 1
#define EXIT_USAGE 2

static void usage(FILE *f)
{
    fputs("usage: facet-idl [-I DIR]... [-o OUTDIR] [--lang c|go|manifest] [--depfile FILE] "
          "FILE.idl...\n"
          "\n"
          "Compiles MIDL-style interface definitions into C/C++ headers (X.h) and\n"
          "type information (X_typeinfo.c), or, with --lang go, X.h and a Go package\n"
          "(X.go, X_export.go, X_glue.c) for hosts and components written in Go, or,\n"
          "with --lang manifest, X_classes.json: each coclass as a manifest's class\n"
          "(clsid, contract from progid, threading, interfaces), for a build that\n"
          "writes a module's manifest without running the module.\n"
          "\n"
          "  -I DIR       search DIR for imported and #included files (then the\n"
          "               include/facet folder of an installed Facet, for facet.idl)\n"
          "  -o OUTDIR    write the outputs into OUTDIR (default: .)\n"
          "  --lang LANG  output language: c (default), go or manifest\n"
          "  --depfile FILE  also write FILE: each output and the files it was made\n"
          "               from (the .idl, what it imports and #includes), in the\n"
          "               form make and Ninja read, so a build redoes the outputs\n"
          "               when an imported file changes\n"
          "  --help       show this help\n"
          "  --version    show the version\n"
          "\n"
          "Exit status: 0 ok, 1 error in the input (nothing is written), 2 bad usage.\n",
          f);
}

static int bad_usage(const char *fmt, const char *arg)
{
    fputs("facet-idl: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(try 'facet-idl --help')\n", stderr);
    return EXIT_USAGE;
}

/* The files one compilation read, for --depfile. */
typedef struct Deps {
    char **paths;
    size_t count;
    int failed; /* out of memory: no depfile rather than a short one */
} Deps;

/* facet_idl_read_fn: reads path as the library's own reader does, and
 * notes it when it could. */
static int read_noting(const char *path, char **out, size_t *out_size, const char **reason,
                       void *payload)
{
    Deps *d = payload;
    FILE *f = fopen(path, "rb");
    char *data = NULL, *grown, **paths;
    size_t size = 0, cap = 0, n;
    if (f == NULL) {
        *reason = strerror(errno);
        return 1;
    }
    do {
        if (size == cap) {
            cap = cap ? cap * 2 : 65536;
            grown = realloc(data, cap + 1);
            if (grown == NULL) {
                free(data);
                fclose(f);
                *reason = "out of memory";
                return 1;
            }
            data = grown;
        }
        n = fread(data + size, 1, cap - size, f);
        size += n;
    } while (n > 0);
    if (ferror(f)) {
        *reason = strerror(errno);
        free(data);
        fclose(f);
        return 1;
    }
    fclose(f);
    data[size] = '\0';
    *out = data;
    *out_size = size;
    paths = realloc(d->paths, (d->count + 1) * sizeof(*paths));
    if (paths == NULL || (paths[d->count] = malloc(strlen(path) + 1)) == NULL) {
        d->paths = paths ? paths : d->paths;
        d->failed = 1;
        return 0;
    }
    strcpy(paths[d->count], path);
    d->paths = paths;
    d->count++;
    return 0;
}

/* A path as make reads it: a space and '#' escaped with '\\', '$' doubled. */
static void put_make_path(FILE *f, const char *path)
{
    for (; *path; path++) {
        if (*path == ' ' || *path == '#')
            fputc('\\', f);
        if (*path == '$')
            fputc('$', f);
        fputc(*path, f);
    }
}

/* Writes the depfile: for each compilation, its outputs and what they were
 * made from. */
static int write_depfile(const char *path, const char *outdir, facet_idl_result **results,
                         const Deps *deps, size_t nfiles)
{
    size_t i, j;
    FILE *f = fopen(path, "wb");
    int ok = f != NULL;
    for (i = 0; ok && i < nfiles; i++) {
        if (deps[i].failed) {
            ok = 0;
            break;
        }
        for (j = 0; j < facet_idl_output_count(results[i]); j++) {
            fputs(j ? " " : "", f);
            put_make_path(f, outdir);
            fputc('/', f);
            put_make_path(f, facet_idl_output_at(results[i], j)->name);
        }
        fputc(':', f);
        for (j = 0; j < deps[i].count; j++) {
            fputs(" \\\n  ", f);
            put_make_path(f, deps[i].paths[j]);
        }
        fputc('\n', f);
    }
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    if (!ok) {
        fprintf(stderr, "facet-idl: cannot write '%s'\n", path);
        remove(path);
    }
    return ok;
}

static void print_diags(const facet_idl_result *r)
{
    size_t i;
    for (i = 0; i < facet_idl_diag_count(r); i++) {
        char buf[2048];
        size_t n = facet_idl_diag_format(facet_idl_diag_at(r, i), buf, sizeof buf);
        fputs(buf, stderr);
        if (n >= sizeof buf)
            fputs("\n", stderr);
    }
}

/* Moves tmp over path. Windows' rename() refuses an existing target, which
 * every rebuild has. */
static int replace_file(const char *tmp, const char *path)
{
#ifdef _WIN32
    return MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) != 0;
#else
    return rename(tmp, path) == 0;
#endif
}

/* Writes data to dir/name through a temporary file, so no output is ever
 * half written. */
static int write_output(const char *dir, const facet_idl_output *o)
{
    size_t n = strlen(dir) + strlen(o->name) + 16;
    char *path = malloc(n), *tmp = malloc(n);
    FILE *f = NULL;
    int ok = 0;
    if (path && tmp) {
        snprintf(path, n, "%s/%s", dir, o->name);
        snprintf(tmp, n, "%s/%s.tmp", dir, o->name);
        f = fopen(tmp, "wb");
    }
    if (f) {
        ok = fwrite(o->data, 1, o->size, f) == o->size;
        ok = (fclose(f) == 0) && ok;
        if (ok)
            ok = replace_file(tmp, path);
        if (!ok)
            remove(tmp);
    }
    if (!ok)
        fprintf(stderr, "facet-idl: cannot write '%s/%s'\n", dir, o->name);
    free(path);
    free(tmp);
    return ok;
}

int main(int argc, char **argv)
{
    static char default_dir[4200];
    const char **dirs = calloc((size_t)argc + 2, sizeof(char *));
    const char **files = calloc((size_t)argc + 1, sizeof(char *));
    facet_idl_result **results;
    facet_idl_options opts = FACET_IDL_OPTIONS_INIT;
    const char *outdir = ".", *depfile = NULL;
    Deps *deps = NULL;
    size_t ndirs = 0, nfiles = 0, i, j;
    int status = 0, k;
    if (!dirs || !files) {
        fputs("facet-idl: out of memory\n", stderr);
        return EXIT_USAGE;
    }
    for (k = 1; k < argc; k++) {
        const char *a = argv[k];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            free(dirs);
            free(files);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("facet-idl %s\n", FACET_IDL_VERSION);
            free(dirs);
            free(files);
            return 0;
        } else if (strncmp(a, "-I", 2) == 0) {
            const char *d = a[2] ? a + 2 : (k + 1 < argc ? argv[++k] : NULL);
            if (!d) {
                status = bad_usage("%s needs a folder", "-I");
                break;
            }
            dirs[ndirs++] = d;
        } else if (strcmp(a, "-o") == 0) {
            if (k + 1 >= argc) {
                status = bad_usage("%s needs a folder", "-o");
                break;
            }
            outdir = argv[++k];
        } else if (strcmp(a, "--depfile") == 0) {
            if (k + 1 >= argc) {
                status = bad_usage("%s needs a file", "--depfile");
                break;
            }
            depfile = argv[++k];
        } else if (strcmp(a, "--lang") == 0 || strncmp(a, "--lang=", 7) == 0) {
            const char *l = a[6] == '=' ? a + 7 : (k + 1 < argc ? argv[++k] : NULL);
            if (!l) {
                status = bad_usage("%s needs c, go or manifest", "--lang");
                break;
            }
            if (strcmp(l, "go") == 0)
                opts.lang = FACET_IDL_LANG_GO;
            else if (strcmp(l, "c") == 0)
                opts.lang = FACET_IDL_LANG_C;
            else if (strcmp(l, "manifest") == 0)
                opts.lang = FACET_IDL_LANG_MANIFEST;
            else {
                status = bad_usage("unknown language '%s': expected c, go or manifest", l);
                break;
            }
        } else if (a[0] == '-' && a[1]) {
            status = bad_usage("unknown option '%s'", a);
            break;
        } else {
            files[nfiles++] = a;
        }
    }
    if (!status && nfiles == 0)
        status = bad_usage("%s", "no input files");
    if (status) {
        free(dirs);
        free(files);
        return status;
    }
    default_import_dir(default_dir, sizeof(default_dir));
    if (default_dir[0] != '\0')
        dirs[ndirs++] = default_dir;
    opts.include_dirs = dirs;
    opts.include_dir_count = ndirs;
    results = calloc(nfiles, sizeof(*results));
    deps = calloc(nfiles, sizeof(*deps));
    if (!results || !deps) {
        free(results);
        free(deps);
        fputs("facet-idl: out of memory\n", stderr);
        free(dirs);
        free(files);
        return EXIT_USAGE;
    }
    for (i = 0; i < nfiles; i++) {
        int rc;
        if (depfile != NULL) {
            opts.read_file = read_noting;
            opts.read_payload = &deps[i];
        }
        rc = facet_idl_compile(&results[i], files[i], &opts);
        if (rc < 0) {
            fputs("facet-idl: out of memory\n", stderr);
            status = EXIT_USAGE;
            continue;
        }
        print_diags(results[i]);
        if (rc > 0 && !status)
            status = EXIT_INPUT;
    }
    /* all or nothing: outputs are written only when every file compiled */
    for (i = 0; !status && i < nfiles; i++)
        for (j = 0; !status && j < facet_idl_output_count(results[i]); j++)
            if (!write_output(outdir, facet_idl_output_at(results[i], j)))
                status = EXIT_USAGE;
    if (!status && depfile != NULL && !write_depfile(depfile, outdir, results, deps, nfiles))
        status = EXIT_USAGE;
    for (i = 0; i < nfiles; i++) {
        facet_idl_result_free(results[i]);
        for (j = 0; j < deps[i].count; j++)
            free(deps[i].paths[j]);
        free(deps[i].paths);
    }
    free(results);
    free(deps);
    free(dirs);
    free(files);
    return status;
}
