/*
 * check/report.c - turning what the facet-probe helper reported into a
 * FacetReport, and the report's accessors (check/validate.c runs the
 * helper).
 *
 * The helper (check/helper.c, facet_probe_helper_main) writes one JSON
 * object per line to a report channel of its own, a pipe or handle that
 * check/os/process_*.c gives it apart from its stdout and stderr (which
 * are the module's, and are kept, cut, for the report's reader): "step"
 * before each call into the module that may crash or hang, then "module",
 * "manifest", "interface", "class", "violation" or "load-error", and
 * finally "done" with the number of records before it. It then ends with
 * FACET_PROBE_EXIT_DONE. The parent reads the channel while the child runs
 * and judges once it has ended: a report is "ok" only when it is complete
 * (every record there, "done" last, nothing damaged) and the helper ended
 * the way the helper ends; otherwise the last "step" says where a crash,
 * a hang, an exit or a damaged report happened.
 *
 * This guards against accidents: a module that prints, or exits, or
 * closes its descriptors. Code running in the helper can still find the
 * channel and write to it; a module written to deceive is held by process
 * isolation and the sandbox, never by this report (docs/facet.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "runtime/runtime.h"
#include "os/process.h"
#include "report.h"


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
    facet__free(rep->manifest);
    facet__os_child_result_free(&rep->end);
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

/* What reading the report found besides its records. */
typedef struct Reading {
    json_t *step;       /* the last "step" record */
    json_t *done;       /* the "done" record, or NULL */
    uint64_t records;   /* records before "done" */
    uint64_t damaged;   /* lines that are no JSON object, or come after "done" */
    uint64_t cut;       /* 1 when the last line has no end */
} Reading;

static FacetResult add_record(FacetReport *rep, json_t *ev, Reading *rd)
{
    const char *kind = str_of(ev, "ev");
    if (kind == NULL) {
        rd->damaged++;
        return FACET_OK;
    }
    if (strcmp(kind, "done") == 0) {
        rd->done = ev;
        return FACET_OK;
    }
    rd->records++;
    if (strcmp(kind, "step") == 0) {
        rd->step = ev;
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
        facet__free(rep->manifest);
        rep->manifest = facet__manifest_path_for(rep->path);
        if (rep->manifest == NULL)
            return oom(rep->path);
        rep->manifest_problem = str_of(ev, "problem");
    } else if (strcmp(kind, "interface") == 0) {
        return add_interface(rep, ev);
    } else if (strcmp(kind, "class") == 0) {
        return add_class(rep, ev);
    } else if (strcmp(kind, "violation") == 0) {
        return add_event_violation(rep, ev);
    } else if (strcmp(kind, "load-error") == 0) {
        const char *msg = str_of(ev, "message");
        FacetViolation v = FACET_VIOLATION_INIT;
        rep->outcome = FACET_OUTCOME_LOADFAILED;
        rep->load_code = (FacetResult)json_integer_value(json_object_get(ev, "code"));
        if (FACET_SUCCEEDED(rep->load_code))
            rep->load_code = FACET_E_LOADFAILED;
        facet__free(rep->reason);
        rep->reason = facet__strdup(msg ? msg : "the module did not load");
        if (rep->reason == NULL)
            return oom(rep->path);
        v.rule = "load";
        v.expected = "the module to load";
        v.seen = msg ? msg : "it did not load";
        return add_violation(rep, &v);
    }
    return FACET_OK;
}

/* Reads the helper's records (size bytes, which may hold NUL bytes) into
 * rep. */
static FacetResult parse_report(FacetReport *rep, const char *text, uint64_t size, Reading *rd)
{
    json_t *doc = json_array();
    const char *line = text, *stop = text + size;
    FacetResult r = FACET_OK;

    memset(rd, 0, sizeof(*rd));
    if (doc == NULL)
        return oom(rep->path);
    rep->doc = doc;
    while (line < stop && FACET_SUCCEEDED(r)) {
        const char *end = memchr(line, '\n', (size_t)(stop - line));
        json_error_t jerr;
        json_t *ev;
        if (end == NULL) { /* a last line without '\n' was cut short */
            rd->cut = 1;
            break;
        }
        ev = json_loadb(line, (size_t)(end - line), 0, &jerr);
        line = end + 1;
        if (ev == NULL || !json_is_object(ev) || rd->done != NULL) {
            json_decref(ev);
            rd->damaged++;
            continue;
        }
        if (json_array_append_new(doc, ev) != 0)
            return oom(rep->path);
        r = add_record(rep, ev, rd);
    }
    return r;
}

/* What a step record says, for a message: "CreateInstance of class X". */
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

/* Why a report that ended cleanly is not whole, or NULL when it is. */
static const char *incomplete(const FacetReport *rep, const Reading *rd, char *buf,
                              size_t size)
{
    json_int_t said, lost;
    if (rd->done == NULL) {
        snprintf(buf, size, "it ends%s before its last record", rd->cut ? " in mid-line" : "");
        return buf;
    }
    said = json_integer_value(json_object_get(rd->done, "records"));
    lost = json_integer_value(json_object_get(rd->done, "lost"));
    if (said < 0 || (uint64_t)said != rd->records)
        snprintf(buf, size, "%llu of its %lld records arrived", (unsigned long long)rd->records,
                 (long long)said);
    else if (lost > 0)
        snprintf(buf, size, "the probe could not write %lld of its records (out of memory)",
                 (long long)lost);
    else if (rd->damaged > 0 || rd->cut)
        snprintf(buf, size, "%llu line%s in it %s no record of the probe's",
                 (unsigned long long)(rd->damaged + rd->cut), rd->damaged + rd->cut == 1 ? "" : "s",
                 rd->damaged + rd->cut == 1 ? "is" : "are");
    else if (!rep->has_module && rep->outcome != FACET_OUTCOME_LOADFAILED)
        snprintf(buf, size, "it has neither the module's info nor why it did not load");
    else
        return NULL;
    return buf;
}

static const char *stream_name(int64_t stream)
{
    return stream == FACET_OS_STREAM_STDOUT   ? "stdout"
           : stream == FACET_OS_STREAM_STDERR ? "stderr"
                                               : "the probe's report channel";
}

/* Turns how the child ended into the outcome, the reason and, for
 * anything but a clean end with a whole report, a violation. */
static FacetResult judge_end(FacetReport *rep, const FacetOsChildResult *child,
                             const Reading *rd, uint32_t timeout_ms)
{
    char where[512], death[64], reason[1024], seen[768], expected[600], why[200];
    const char *rule, *step_rule = rd->step ? str_of(rd->step, "rule") : NULL;
    const char *step_expected = rd->step ? str_of(rd->step, "expected") : NULL;
    FacetViolation v = FACET_VIOLATION_INIT;
    json_t *keep, *step = rd->step;

    /* A crash, a hang or an exit after the report's end happened in the
     * process's own exit; a flood or a damaged report, in the last step. */
    if (rd->done != NULL && child->how != FACET_OS_CHILD_FLOODED &&
        (child->how != FACET_OS_CHILD_EXITED || child->code != FACET_PROBE_EXIT_DONE)) {
        snprintf(where, sizeof(where), "ending the process after the module was unloaded "
                 "(a destructor or an atexit handler)");
        step = NULL;
        step_rule = step_expected = NULL;
    } else {
        describe_step(rep, step, where, sizeof(where));
    }
    if (child->how == FACET_OS_CHILD_TIMEDOUT) {
        rep->outcome = FACET_OUTCOME_TIMEDOUT;
        rule = "hang";
        snprintf(reason, sizeof(reason), "hung in %s (killed after %u ms)", where,
                 (unsigned)timeout_ms);
        snprintf(seen, sizeof(seen), "still running after %u ms; killed", (unsigned)timeout_ms);
    } else if (child->how == FACET_OS_CHILD_FLOODED) {
        rep->outcome = FACET_OUTCOME_FLOODED;
        rule = "output";
        snprintf(reason, sizeof(reason), "wrote more than %u MiB to %s in %s; killed",
                 (unsigned)(FACET_PROBE_MAX_OUTPUT >> 20), stream_name(child->code), where);
        snprintf(seen, sizeof(seen), "more than %u MiB on %s; killed",
                 (unsigned)(FACET_PROBE_MAX_OUTPUT >> 20), stream_name(child->code));
        step_expected = NULL;
    } else if (child->how == FACET_OS_CHILD_SIGNALED) {
        rep->outcome = FACET_OUTCOME_CRASHED;
        rule = "crash";
        facet__os_death_name(child->code, death, sizeof(death));
        snprintf(reason, sizeof(reason), "crashed in %s (%s)", where, death);
        snprintf(seen, sizeof(seen), "the process died of %s", death);
    } else if (child->code != FACET_PROBE_EXIT_DONE) {
        rep->outcome = FACET_OUTCOME_EXITED;
        rule = "exit";
        snprintf(reason, sizeof(reason), "ended the process with exit status %lld in %s",
                 (long long)child->code, where);
        snprintf(seen, sizeof(seen), "the process ended with exit status %lld",
                 (long long)child->code);
    } else if (incomplete(rep, rd, why, sizeof(why)) != NULL) {
        rep->outcome = FACET_OUTCOME_BADREPORT;
        rule = "report";
        snprintf(reason, sizeof(reason),
                 "the probe's report is damaged after %s: %s (the module closed or wrote on "
                 "the probe's report channel)", where, why);
        snprintf(seen, sizeof(seen), "a damaged report: %s", why);
        step_expected = "the probe's report to arrive whole: a module never closes or writes "
                        "on descriptors it did not open";
        step_rule = NULL;
    } else {
        return FACET_OK;
    }
    if (step_rule != NULL && rep->outcome != FACET_OUTCOME_FLOODED)
        rule = step_rule;
    facet__free(rep->reason);
    rep->reason = facet__strdup(reason);
    if (rep->reason == NULL)
        return oom(rep->path);
    /* The violation's strings live in the document like every other one. */
    if (rep->outcome == FACET_OUTCOME_FLOODED)
        snprintf(expected, sizeof(expected),
                 "the module to write at most %u MiB to stdout and to stderr",
                 (unsigned)(FACET_PROBE_MAX_OUTPUT >> 20));
    else
        snprintf(expected, sizeof(expected), "%s to return", where);
    keep = json_pack("{s:s, s:s, s:s}", "rule", rule, "seen", seen, "expected",
                     step_expected ? step_expected : expected);
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

static FacetResult copy_output(FacetOsChildResult *to, const FacetOsChildResult *from)
{
    memset(to, 0, sizeof(*to));
    to->how = from->how;
    to->code = from->code;
    to->report = facet__malloc((size_t)from->report_size + 1);
    to->out = facet__strdup(from->out ? from->out : "");
    to->err = facet__strdup(from->err ? from->err : "");
    if (to->report == NULL || to->out == NULL || to->err == NULL) {
        facet__os_child_result_free(to);
        return FACET_E_OUTOFMEMORY;
    }
    if (from->report_size > 0)
        memcpy(to->report, from->report, (size_t)from->report_size);
    to->report[from->report_size] = '\0';
    to->report_size = from->report_size;
    return FACET_OK;
}

FacetResult facet__report_from_child(FacetReport **out, const char *path,
                                     const FacetOsChildResult *end, uint32_t timeout_ms)
{
    FacetReport *rep;
    Reading rd;
    FacetResult r;

    *out = NULL;
    rep = facet__calloc(1, sizeof(*rep));
    if (rep == NULL)
        return oom(path);
    rep->path = facet__strdup(path);
    rep->reason = facet__strdup("");
    rep->timeout_ms = timeout_ms;
    if (rep->path == NULL || rep->reason == NULL || FACET_FAILED(copy_output(&rep->end, end))) {
        facet_report_free(rep);
        return oom(path);
    }
    r = parse_report(rep, rep->end.report, rep->end.report_size, &rd);
    if (FACET_SUCCEEDED(r))
        r = judge_end(rep, &rep->end, &rd, timeout_ms);
    if (FACET_FAILED(r)) {
        facet_report_free(rep);
        return r;
    }
    *out = rep;
    return FACET_OK;
}

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

const char *facet_report_stdout(const FacetReport *rep)
{
    return rep != NULL && rep->end.out != NULL ? rep->end.out : "";
}

const char *facet_report_stderr(const FacetReport *rep)
{
    return rep != NULL && rep->end.err != NULL ? rep->end.err : "";
}

const char *facet_report_manifest(const FacetReport *rep, const char **problem)
{
    if (problem != NULL)
        *problem = rep != NULL ? rep->manifest_problem : NULL;
    return rep != NULL ? rep->manifest : NULL;
}
