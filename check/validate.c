/*
 * check/validate.c - facet_validate and facet_probe: running the
 * facet-probe helper on a module in a child process of its own, with the
 * caller's options, and reading its report (check/report.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facet/typeinfo.h"
#include "runtime/runtime.h"
#include "os/process.h"
#include "report.h"

#define DEFAULT_TIMEOUT_MS 10000u
#define DEFAULT_THREADS 4u
#define DEFAULT_ITERATIONS 20000u
/* The most the command line of the helper carries of the caller's
 * interface names (Windows allows 32767 characters in all). */
#define MAX_NAMES_TEXT 24000u

#ifndef FACET_PROBE_RELDIR
#define FACET_PROBE_RELDIR "../libexec/facet"
#endif

/* The helper program: opts->helper, FACET_PROBE_HELPER, or the one that
 * sits next to libfacet-check (the build tree), or where the install put it
 * (FACET_PROBE_RELDIR from libfacet-check's folder). */
static FacetResult find_helper(char **out, const FacetCheckOptions *opts)
{
    static const char *const places[] = {"", "/" FACET_PROBE_RELDIR};
    const char *env = getenv("FACET_PROBE_HELPER");
    char *dir = NULL;
    size_t i;
    FacetResult r;

    *out = NULL;
    if (opts->helper != NULL || (env != NULL && env[0] != '\0')) {
        /* Checked here: where posix_spawn cannot report a failed exec, the
         * child would only exit with 127. */
        const char *named = opts->helper ? opts->helper : env;
        FacetOsStat st;
        r = facet__os_stat(&st, named);
        if (FACET_FAILED(r))
            return r;
        if (st.kind != FACET_OS_FILE)
            return facet__error(FACET_E_FILENOTFOUND,
                                "%s: no such program; the facet-probe helper was named by %s",
                                named,
                                opts->helper ? "FacetCheckOptions.helper" : "FACET_PROBE_HELPER");
        *out = facet__strdup(named);
        return *out ? FACET_OK : facet__error(FACET_E_OUTOFMEMORY, "out of memory");
    }
    r = facet__os_library_dir(&dir);
    if (FACET_FAILED(r))
        return r;
    for (i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
        size_t n = strlen(dir) + strlen(places[i]) + 32;
        char *candidate = facet__malloc(n);
        FacetOsStat st;
        if (candidate == NULL) {
            facet__free(dir);
            return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
        }
        snprintf(candidate, n, "%s%s/facet-probe%s", dir, places[i], facet__os_exe_suffix());
        if (FACET_SUCCEEDED(facet__os_stat(&st, candidate)) && st.kind == FACET_OS_FILE) {
            facet__free(dir);
            *out = candidate;
            return FACET_OK;
        }
        facet__free(candidate);
    }
    r = facet__error(FACET_E_FILENOTFOUND,
                     "no facet-probe helper next to libfacet-check in %s (or in " FACET_PROBE_RELDIR
                     "); "
                     "set FACET_PROBE_HELPER or FacetCheckOptions.helper",
                     dir);
    facet__free(dir);
    return r;
}

static FacetResult check_opts(FacetCheckOptions *eff, const char *path,
                              const FacetCheckOptions *opts, const char *fn)
{
    FacetCheckOptions defaults = FACET_CHECK_OPTIONS_INIT;
    FacetResult r;
    FACET_CHECK_ARG(path, fn);
    *eff = defaults;
    r = FACET_STRUCT_READ(eff, opts, FacetCheckOptions, FACET_CHECK_OPTIONS, fn);
    if (FACET_FAILED(r))
        return r;
    if (eff->timeout_ms == 0)
        eff->timeout_ms = DEFAULT_TIMEOUT_MS;
    if (eff->threads == 0)
        eff->threads = DEFAULT_THREADS;
    if (eff->iterations == 0)
        eff->iterations = DEFAULT_ITERATIONS;
    if (eff->threads > 256)
        return facet__error(FACET_E_INVALIDARG, "%s: opts->threads is %u; at most 256", fn,
                            (unsigned)eff->threads);
    if (eff->type_lib_count > 0 && eff->type_libs == NULL)
        return facet__error(FACET_E_POINTER, "%s: opts->type_lib_count is %u but "
                            "opts->type_libs is NULL", fn, (unsigned)eff->type_lib_count);
    return FACET_OK;
}

/* The caller's interface names (opts->type_libs) as the helper's
 * "--interface {IID}=Name" arguments: appended to argv (which has room
 * for 2 * names + 1 more), their text in *text (facet__malloc). */
static FacetResult name_args(const char **argv, size_t *argc, char **text,
                             const FacetCheckOptions *opts, size_t names)
{
    size_t used = 0, given = 0;
    uint32_t l, i;
    *text = facet__malloc(MAX_NAMES_TEXT);
    if (*text == NULL)
        return facet__error(FACET_E_OUTOFMEMORY, "out of memory");
    for (l = 0; l < opts->type_lib_count; l++) {
        const FacetTypeLibInfo *lib = opts->type_libs[l];
        if (lib == NULL ||
            lib->struct_size < offsetof(FacetTypeLibInfo, interface_stride) + sizeof(uint32_t) ||
            lib->interface_stride < offsetof(FacetInterfaceInfo, methods))
            continue;
        for (i = 0; i < lib->interface_count && given < names; i++) {
            const FacetInterfaceInfo *itf = FacetTypeLibInterface(lib, i);
            char iid[FACET_GUID_STRING_SIZE];
            size_t need;
            if (itf == NULL || itf->name == NULL)
                continue;
            facet_guid_format(iid, sizeof(iid), &itf->iid);
            need = strlen(iid) + 1 + strlen(itf->name) + 1;
            if (used + need > MAX_NAMES_TEXT)
                return FACET_OK; /* the first ones, as many as fit */
            snprintf(*text + used, need, "%s=%s", iid, itf->name);
            argv[(*argc)++] = "--interface";
            argv[(*argc)++] = *text + used;
            used += need;
            given++;
        }
    }
    return FACET_OK;
}

/* How many interfaces opts->type_libs describe. */
static size_t count_names(const FacetCheckOptions *opts)
{
    size_t n = 0;
    uint32_t l;
    for (l = 0; l < opts->type_lib_count; l++)
        if (opts->type_libs[l] != NULL)
            n += opts->type_libs[l]->interface_count;
    return n < MAX_NAMES_TEXT / 40 ? n : MAX_NAMES_TEXT / 40;
}

FacetResult facet__report_run(FacetReport **out, const char *path, const FacetCheckOptions *opts,
                              const char *mode, const char *fn)
{
    FacetCheckOptions eff = FACET_CHECK_OPTIONS_INIT;
    FacetOsChildResult child;
    char *helper = NULL, *full = NULL, *names = NULL, threads[16], iterations[16];
    const char **argv = NULL;
    size_t argc = 0, name_count;
    FacetResult r;

    FACET_CHECK_ARG(out, fn);
    *out = NULL;
    r = check_opts(&eff, path, opts, fn);
    if (FACET_FAILED(r))
        return r;
    /* The child gets an absolute path: it may not share our idea of ".". */
    r = facet__os_realpath(&full, path);
    if (FACET_FAILED(r))
        return r;
    r = find_helper(&helper, &eff);
    name_count = count_names(&eff);
    if (FACET_SUCCEEDED(r) && (argv = facet__calloc(6 + 2 * name_count, sizeof(*argv))) == NULL)
        r = facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory", fn);
    if (FACET_FAILED(r)) {
        facet__free(full);
        facet__free(helper);
        return r;
    }
    snprintf(threads, sizeof(threads), "%u", (unsigned)eff.threads);
    snprintf(iterations, sizeof(iterations), "%u", (unsigned)eff.iterations);
    argv[argc++] = helper;
    argv[argc++] = mode;
    argv[argc++] = full;
    argv[argc++] = threads;
    argv[argc++] = iterations;
    r = name_args(argv, &argc, &names, &eff, name_count);
    argv[argc] = NULL;
    if (FACET_SUCCEEDED(r))
        r = facet__os_run_child(&child, helper, argv, eff.timeout_ms, FACET_PROBE_MAX_OUTPUT);
    facet__free(helper);
    facet__free(names);
    facet__free((void *)argv);
    if (FACET_FAILED(r)) {
        facet__free(full);
        return facet__error_prefix("%s", fn);
    }
    /* The helper announces its first step before it touches the module; an
     * empty report from a helper that ended on its own means the helper
     * itself did not run. */
    if (child.report_size == 0 && child.how == FACET_OS_CHILD_EXITED) {
        r = facet__error(FACET_E_FAIL,
                         "%s: the facet-probe helper did not start (exit status %lld)%s%s", fn,
                         (long long)child.code, child.err[0] ? ": " : "", child.err);
        facet__free(full);
        facet__os_child_result_free(&child);
        return r;
    }
    r = facet__report_from_child(out, full, &child, eff.timeout_ms);
    facet__free(full);
    facet__os_child_result_free(&child);
    if (FACET_FAILED(r))
        return r;
    if ((*out)->outcome != FACET_OUTCOME_OK || (*out)->violation_count > 0) {
        facet__error(FACET_FALSE, "%s: %s", (*out)->path,
                     (*out)->reason[0] ? (*out)->reason : "conformance violations found");
        return FACET_FALSE;
    }
    return FACET_OK;
}

FacetResult facet_validate(FacetReport **out, const char *path, const FacetCheckOptions *opts)
{
    return facet__report_run(out, path, opts, "validate", "facet_validate");
}

FacetResult facet_probe(FacetReport **out, const char *path, const FacetCheckOptions *opts)
{
    return facet__report_run(out, path, opts, "probe", "facet_probe");
}

/* ---- Accessors --------------------------------------------------------- */
