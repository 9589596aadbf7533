/*
 * check/load_probed.c - facet_module_load_probed: a module enters the
 * host's process only after a probe in a child process read it cleanly
 * (facet/check.h). It sits with the probe, not with the loader: it is
 * the checker's, for hosts that take modules they did not build.
 */
#include <string.h>

#include "runtime/runtime.h"
#include "report.h"

/* The result a host gets for a module its probe found failing. */
static FacetResult refusal(const FacetReport *rep)
{
    FacetResult code;
    switch (rep->outcome) {
    case FACET_OUTCOME_LOADFAILED:
        code = rep->load_code;
        break;
    case FACET_OUTCOME_TIMEDOUT:
        code = FACET_E_TIMEOUT;
        break;
    case FACET_OUTCOME_CRASHED:
    case FACET_OUTCOME_EXITED:
        code = FACET_E_CRASHED;
        break;
    default:
        code = FACET_E_CONTRACT;
        break;
    }
    if (rep->outcome == FACET_OUTCOME_LOADFAILED)
        return facet__error(code, "%s", rep->reason); /* names the file already */
    return facet__error(code, "%s: not loaded: its probe %s", rep->path, rep->reason);
}

FacetResult facet_module_load_probed(FacetModule **out, FacetRuntime *rt, const char *path,
                                     FacetProbeCache *cache, const FacetCheckOptions *opts)
{
    static const char fn[] = "facet_module_load_probed";
    FacetReport *rep = NULL;
    FacetOsStat before, after;
    FacetResult r;

    FACET_CHECK_ARG(out, fn);
    *out = NULL;
    FACET_CHECK_ARG(rt, fn);
    FACET_CHECK_ARG(path, fn);
    r = facet__os_stat(&before, path);
    if (FACET_FAILED(r))
        return r;
    r = cache != NULL ? facet_probe_cache_get(&rep, NULL, cache, path, opts)
                      : facet__report_run(&rep, path, opts, "probe", fn);
    if (rep == NULL)
        return r;
    if (rep->outcome != FACET_OUTCOME_OK) {
        r = refusal(rep);
        facet_report_free(rep);
        return r;
    }
    facet_report_free(rep);
    /* What is loaded must be what was probed. */
    r = facet__os_stat(&after, path);
    if (FACET_FAILED(r))
        return r;
    if (after.kind != before.kind || after.size != before.size ||
        after.mtime_ns != before.mtime_ns)
        return facet__error(FACET_E_MISMATCH,
                            "%s: the file changed while it was probed; not loaded (try again)",
                            path);
    return facet_module_load(out, rt, path);
}
