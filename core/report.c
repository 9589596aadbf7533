/*
 * core/report.c - running the facet-probe helper on a module and turning
 * what it wrote into a FacetReport.
 *
 * The helper (core/validate.c, facet_probe_helper_main) writes one JSON
 * object per line to its stdout: "step" before each call into the module
 * that may crash or hang, then "module", "class", "violation",
 * "load-error" and finally "done". The parent reads the lines after the
 * child has ended, so the last "step" says where a crash, a hang or an
 * exit happened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"
#include "os/process.h"
#include "report.h"

#define DEFAULT_TIMEOUT_MS 10000u
#define DEFAULT_THREADS 4u
#define DEFAULT_ITERATIONS 20000u
#define MAX_OUTPUT (16u * 1024u * 1024u)

void facet__os_child_result_free(FacetOsChildResult *r)
{
    facet__free(r->out);
    facet__free(r->err);
    r->out = r->err = NULL;
    r->out_size = 0;
}

static const char *str_of(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

void facet_report_free(FacetReport *rep)
{
    uint32_t i;
    if (rep == NULL)
        return;
    for (i = 0; i < rep->class_count; i++)
        facet__free((void *)rep->classes[i].interfaces);
    facet__free(rep->classes);
    facet__free(rep->violations);
    facet__free(rep->itfs);
    facet__free(rep->path);
    facet__free(rep->reason);
    facet__free(rep->lines);
    if (rep->doc != NULL)
        json_decref((json_t *)rep->doc);
    facet__free(rep);
}

static FacetResult oom(const char *path)
{
    return facet__error(FACET_E_OUTOFMEMORY, "%s: out of memory reading the report", path);
}

/* Adds a violation whose strings live in rep->doc (or are static). */
static FacetResult add_violation(FacetReport *rep, const FacetViolation *v)
{
    FacetViolation *nv;
    if (rep->violation_count % 16 == 0) {
        nv = facet__realloc(rep->violations, (rep->violation_count + 16) * sizeof(*nv));
        if (nv == NULL)
            return oom(rep->path);
        rep->violations = nv;
    }
    rep->violations[rep->violation_count++] = *v;
    return FACET_OK;
}

static FacetResult add_class(FacetReport *rep, json_t *ev)
{
    FacetClassInfo ci = FACET_CLASS_INFO_INIT, *nc;
    json_t *itfs = json_object_get(ev, "interfaces"), *it;
    FacetGuid *iids = NULL;
    size_t i;

    if (FACET_FAILED(facet_guid_parse(&ci.clsid, str_of(ev, "clsid") ? str_of(ev, "clsid") : "")))
        return facet__error(FACET_E_FAIL, "%s: the helper wrote a class without a clsid",
                            rep->path);
    ci.contract = str_of(ev, "contract");
    ci.version = str_of(ev, "version");
    ci.threading = (uint32_t)json_integer_value(json_object_get(ev, "threading"));
    ci.interface_count = (uint32_t)json_array_size(itfs);
    if (ci.interface_count > 0) {
        iids = facet__calloc(ci.interface_count, sizeof(FacetGuid));
        if (iids == NULL)
            return oom(rep->path);
        json_array_foreach(itfs, i, it) {
            const char *text = json_string_value(it);
            if (text == NULL || FACET_FAILED(facet_guid_parse(&iids[i], text))) {
                facet__free(iids);
                return facet__error(FACET_E_FAIL, "%s: the helper wrote a bad interface IID",
                                    rep->path);
            }
        }
    }
    ci.interfaces = iids;
    nc = facet__realloc(rep->classes, (rep->class_count + 1) * sizeof(*nc));
    if (nc == NULL) {
        facet__free(iids);
        return oom(rep->path);
    }
    rep->classes = nc;
    rep->classes[rep->class_count++] = ci;
    return FACET_OK;
}

static FacetResult add_interface(FacetReport *rep, json_t *ev)
{
    struct FacetReportItf itf, *n;
    const char *iid = str_of(ev, "iid");
    itf.name = str_of(ev, "name");
    if (iid == NULL || itf.name == NULL || FACET_FAILED(facet_guid_parse(&itf.iid, iid)))
        return FACET_OK; /* nothing usable: the interface stays unnamed */
    n = facet__realloc(rep->itfs, (rep->itf_count + 1) * sizeof(*n));
    if (n == NULL)
        return oom(rep->path);
    rep->itfs = n;
    rep->itfs[rep->itf_count++] = itf;
    return FACET_OK;
}

/* The name a violation or reason uses for class index k. */
static const char *class_name(const FacetReport *rep, json_int_t k, char *buf, size_t size)
{
    if (k < 0 || (uint64_t)k >= rep->class_count)
        return NULL;
    if (rep->classes[k].contract != NULL && rep->classes[k].contract[0] != '\0')
        return rep->classes[k].contract;
    facet_guid_format(buf, size, &rep->classes[k].clsid);
    return buf;
}

static FacetResult add_event_violation(FacetReport *rep, json_t *ev)
{
    FacetViolation v = FACET_VIOLATION_INIT;
    json_int_t k = json_integer_value(json_object_get(ev, "class"));
    char buf[FACET_GUID_STRING_SIZE];
    if (json_object_get(ev, "class") == NULL)
        k = -1;
    v.rule = str_of(ev, "rule");
    v.interface_name = str_of(ev, "interface");
    v.expected = str_of(ev, "expected");
    v.seen = str_of(ev, "seen");
    if (v.rule == NULL || v.expected == NULL || v.seen == NULL)
        return facet__error(FACET_E_FAIL, "%s: the helper wrote a violation without a rule",
                            rep->path);
    if (k >= 0 && (uint64_t)k < rep->class_count) {
        v.clsid = rep->classes[k].clsid;
        v.class_name = rep->classes[k].contract;
        if (v.class_name == NULL) {
            /* keep a stable copy of the clsid text in the document */
            json_object_set_new(ev, "class_text",
                                json_string(class_name(rep, k, buf, sizeof(buf))));
            v.class_name = str_of(ev, "class_text");
        }
    }
    return add_violation(rep, &v);
}

/* Parses the helper's lines into rep. Sets *done when it reached the end,
 * *step to the last step event. */
static FacetResult parse_lines(FacetReport *rep, const char *text, int *done, json_t **step)
{
    json_t *doc = json_array();
    const char *line = text;
    FacetResult r = FACET_OK;

    *done = 0;
    *step = NULL;
    if (doc == NULL)
        return oom(rep->path);
    rep->doc = doc;
    while (*line != '\0' && FACET_SUCCEEDED(r)) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        json_error_t jerr;
        json_t *ev;
        const char *kind;
        if (n == 0 || end == NULL) /* a last line without '\n' was cut short */
            break;
        ev = json_loadb(line, n, 0, &jerr);
        line = end + 1;
        if (ev == NULL || !json_is_object(ev)) {
            json_decref(ev);
            continue;
        }
        json_array_append_new(doc, ev);
        kind = str_of(ev, "ev");
        if (kind == NULL)
            continue;
        if (strcmp(kind, "step") == 0) {
            *step = ev;
        } else if (strcmp(kind, "module") == 0) {
            rep->has_module = 1;
            rep->module.struct_size = sizeof(rep->module);
            rep->module.abi_version =
                (uint32_t)json_integer_value(json_object_get(ev, "abi_version"));
            rep->module.name = str_of(ev, "name");
            rep->module.version = str_of(ev, "version");
            rep->module.api_level = (uint32_t)json_integer_value(json_object_get(ev, "api_level"));
            rep->module.compiler = str_of(ev, "compiler");
        } else if (strcmp(kind, "manifest") == 0) {
            rep->manifest = str_of(ev, "path");
            rep->manifest_problem = str_of(ev, "problem");
        } else if (strcmp(kind, "interface") == 0) {
            r = add_interface(rep, ev);
        } else if (strcmp(kind, "class") == 0) {
            r = add_class(rep, ev);
        } else if (strcmp(kind, "violation") == 0) {
            r = add_event_violation(rep, ev);
        } else if (strcmp(kind, "load-error") == 0) {
            const char *msg = str_of(ev, "message");
            FacetViolation v = FACET_VIOLATION_INIT;
            rep->outcome = FACET_OUTCOME_LOADFAILED;
            facet__free(rep->reason);
            rep->reason = facet__strdup(msg ? msg : "the module did not load");
            if (rep->reason == NULL)
                return oom(rep->path);
            v.rule = "load";
            v.expected = "the module to load";
            v.seen = msg ? msg : "it did not load";
            r = add_violation(rep, &v);
        } else if (strcmp(kind, "done") == 0) {
            *done = 1;
        }
    }
    return r;
}

/* What a step event says, for a message: "CreateInstance of class X". */
static void describe_step(const FacetReport *rep, json_t *step, char *buf, size_t size)
{
    char cls[FACET_GUID_STRING_SIZE];
    const char *what = step ? str_of(step, "step") : NULL;
    const char *name = NULL;
    if (step != NULL && json_object_get(step, "class") != NULL)
        name = class_name(rep, json_integer_value(json_object_get(step, "class")), cls,
                          sizeof(cls));
    if (what == NULL)
        snprintf(buf, size, "starting up");
    else if (name != NULL)
        snprintf(buf, size, "%s of class %s", what, name);
    else
        snprintf(buf, size, "%s", what);
}

/* Turns how the child ended into the outcome, the reason and, for a
 * crash, a hang or an exit, a violation. */
static FacetResult judge_end(FacetReport *rep, const FacetOsChildResult *child, int done,
                             json_t *step, uint32_t timeout_ms)
{
    char where[512], death[64], reason[1024], seen[768], expected[600];
    const char *rule;
    FacetViolation v = FACET_VIOLATION_INIT;
    json_t *keep;

    describe_step(rep, step, where, sizeof(where));
    if (child->how == FACET_OS_CHILD_TIMEDOUT) {
        rep->outcome = FACET_OUTCOME_TIMEDOUT;
        rule = "hang";
        snprintf(reason, sizeof(reason), "hung in %s (killed after %u ms)", where,
                 (unsigned)timeout_ms);
        snprintf(seen, sizeof(seen), "still running after %u ms; killed", (unsigned)timeout_ms);
    } else if (child->how == FACET_OS_CHILD_SIGNALED) {
        rep->outcome = FACET_OUTCOME_CRASHED;
        rule = "crash";
        facet__os_death_name(child->code, death, sizeof(death));
        snprintf(reason, sizeof(reason), "crashed in %s (%s)", where, death);
        snprintf(seen, sizeof(seen), "the process died of %s", death);
    } else if (!done && rep->outcome != FACET_OUTCOME_LOADFAILED) {
        rep->outcome = FACET_OUTCOME_EXITED;
        rule = "exit";
        snprintf(reason, sizeof(reason), "ended the process with exit status %lld in %s",
                 (long long)child->code, where);
        snprintf(seen, sizeof(seen), "the process ended with exit status %lld",
                 (long long)child->code);
    } else {
        return FACET_OK;
    }
    facet__free(rep->reason);
    rep->reason = facet__strdup(reason);
    if (rep->reason == NULL)
        return oom(rep->path);
    /* The violation's strings live in the document like every other one. */
    snprintf(expected, sizeof(expected), "%s to return", where);
    keep = json_pack("{s:s, s:s, s:s}", "rule", rule, "seen", seen, "expected", expected);
    if (keep == NULL || json_array_append_new((json_t *)rep->doc, keep) != 0)
        return oom(rep->path);
    v.rule = str_of(keep, "rule");
    v.seen = str_of(keep, "seen");
    v.expected = str_of(keep, "expected");
    if (step != NULL && json_object_get(step, "class") != NULL) {
        json_int_t k = json_integer_value(json_object_get(step, "class"));
        if (k >= 0 && (uint64_t)k < rep->class_count) {
            v.clsid = rep->classes[k].clsid;
            v.class_name = rep->classes[k].contract;
        }
    }
    v.interface_name = step ? str_of(step, "interface") : NULL;
    return add_violation(rep, &v);
}

FacetResult facet__report_from_lines(FacetReport **out, const char *path, const char *lines,
                                     const FacetOsChildResult *child, uint32_t timeout_ms)
{
    FacetReport *rep;
    json_t *step;
    int done;
    FacetResult r;

    *out = NULL;
    rep = facet__calloc(1, sizeof(*rep));
    if (rep == NULL)
        return oom(path);
    rep->path = facet__strdup(path);
    rep->lines = facet__strdup(lines);
    rep->reason = facet__strdup("");
    if (rep->path == NULL || rep->lines == NULL || rep->reason == NULL) {
        facet_report_free(rep);
        return oom(path);
    }
    rep->exit_code = child != NULL ? child->code : 0;
    r = parse_lines(rep, lines, &done, &step);
    if (FACET_SUCCEEDED(r) && child != NULL)
        r = judge_end(rep, child, done, step, timeout_ms);
    if (FACET_FAILED(r)) {
        facet_report_free(rep);
        return r;
    }
    *out = rep;
    return FACET_OK;
}

#ifndef FACET_PROBE_RELDIR
#define FACET_PROBE_RELDIR "../libexec/facet"
#endif

/* The helper program: opts->helper, FACET_PROBE_HELPER, or the one that
 * sits next to libfacet (the build tree), or where the install put it
 * (FACET_PROBE_RELDIR from libfacet's folder). */
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
                     "no facet-probe helper next to libfacet in %s (or in " FACET_PROBE_RELDIR
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
    return FACET_OK;
}

FacetResult facet__report_run(FacetReport **out, const char *path, const FacetCheckOptions *opts,
                              const char *mode, const char *fn)
{
    FacetCheckOptions eff = FACET_CHECK_OPTIONS_INIT;
    FacetOsChildResult child;
    char *helper = NULL, *full = NULL, threads[16], iterations[16];
    const char *argv[7];
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
    if (FACET_FAILED(r)) {
        facet__free(full);
        return r;
    }
    snprintf(threads, sizeof(threads), "%u", (unsigned)eff.threads);
    snprintf(iterations, sizeof(iterations), "%u", (unsigned)eff.iterations);
    argv[0] = helper;
    argv[1] = mode;
    argv[2] = full;
    argv[3] = threads;
    argv[4] = iterations;
    argv[5] = NULL;
    r = facet__os_run_child(&child, helper, argv, eff.timeout_ms, MAX_OUTPUT);
    facet__free(helper);
    if (FACET_FAILED(r)) {
        facet__free(full);
        return facet__error_prefix("%s", fn);
    }
    /* The helper announces its first step before it touches the module; no
     * output at all means the helper itself did not run. */
    if (child.out_size == 0 && child.how == FACET_OS_CHILD_EXITED) {
        r = facet__error(FACET_E_FAIL,
                         "%s: the facet-probe helper did not start (exit status %lld)%s%s", fn,
                         (long long)child.code, child.err[0] ? ": " : "", child.err);
        facet__free(full);
        facet__os_child_result_free(&child);
        return r;
    }
    r = facet__report_from_lines(out, full, child.out, &child, eff.timeout_ms);
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

uint32_t facet_report_outcome(const FacetReport *rep)
{
    return rep ? rep->outcome : FACET_OUTCOME_LOADFAILED;
}

const char *facet_report_reason(const FacetReport *rep)
{
    return rep ? rep->reason : "";
}

const char *facet_report_path(const FacetReport *rep)
{
    return rep ? rep->path : NULL;
}

FacetResult facet_report_module(FacetModuleInfo *out, const FacetReport *rep)
{
    FACET_CHECK_ARG(out, "facet_report_module");
    FACET_CHECK_ARG(rep, "facet_report_module");
    if (!rep->has_module)
        return facet__error(FACET_E_NOTFOUND, "%s: the module failed before it gave its info",
                            rep->path);
    return FACET_STRUCT_WRITE(out, &rep->module, FacetModuleInfo, FACET_MODULE_INFO,
                              "facet_report_module");
}

uint32_t facet_report_class_count(const FacetReport *rep)
{
    return rep ? rep->class_count : 0;
}

FacetResult facet_report_class(FacetClassInfo *out, const FacetReport *rep, uint32_t index)
{
    FACET_CHECK_ARG(out, "facet_report_class");
    FACET_CHECK_ARG(rep, "facet_report_class");
    if (index >= rep->class_count)
        return facet__error(FACET_E_INVALIDARG, "facet_report_class: index %u; the report has %u",
                            (unsigned)index, (unsigned)rep->class_count);
    return FACET_STRUCT_WRITE(out, &rep->classes[index], FacetClassInfo, FACET_CLASS_INFO,
                              "facet_report_class");
}

uint32_t facet_report_violation_count(const FacetReport *rep)
{
    return rep ? rep->violation_count : 0;
}

FacetResult facet_report_violation(FacetViolation *out, const FacetReport *rep, uint32_t index)
{
    FACET_CHECK_ARG(out, "facet_report_violation");
    FACET_CHECK_ARG(rep, "facet_report_violation");
    if (index >= rep->violation_count)
        return facet__error(FACET_E_INVALIDARG,
                            "facet_report_violation: index %u; the report has %u",
                            (unsigned)index, (unsigned)rep->violation_count);
    return FACET_STRUCT_WRITE(out, &rep->violations[index], FacetViolation, FACET_VIOLATION,
                              "facet_report_violation");
}

const char *facet_report_interface_name(const FacetReport *rep, const FacetGuid *iid)
{
    uint32_t i;
    if (rep == NULL || iid == NULL)
        return NULL;
    for (i = 0; i < rep->itf_count; i++)
        if (FacetGuidEqual(&rep->itfs[i].iid, iid))
            return rep->itfs[i].name;
    return NULL;
}

const char *facet_report_manifest(const FacetReport *rep, const char **problem)
{
    if (problem != NULL)
        *problem = rep != NULL ? rep->manifest_problem : NULL;
    return rep != NULL ? rep->manifest : NULL;
}
