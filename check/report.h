/*
 * check/report.h - the FacetReport behind facet_probe and facet_validate,
 * shared by check/report.c, check/validate.c, check/helper.c, check/probe_cache.c and
 * check/manifest_write.c.
 */
#ifndef FACET_CORE_REPORT_H
#define FACET_CORE_REPORT_H

#include "facet/check.h"
#include "os/process.h"

/* More than this on stdout, on stderr or on the report channel is a flood:
 * the child is killed and the module quarantined. */
#define FACET_PROBE_MAX_OUTPUT (16u * 1024u * 1024u)

/* facet-probe's exit status once its report is complete: it writes the
 * "done" record and then ends with this status, and with no other. Any
 * other end, however clean it looks, is the module's doing. */
#define FACET_PROBE_EXIT_DONE 91

struct FacetReportItf {
    FacetGuid iid;
    const char *name;           /* borrowed from doc */
};

struct FacetReport {
    char *path;
    uint32_t outcome;           /* FACET_OUTCOME_* */
    char *reason;               /* "" when the outcome is OK */
    FacetResult load_code;      /* FACET_OUTCOME_LOADFAILED: what the load failed with */
    int has_module;
    FacetModuleInfo module;     /* strings borrowed from doc */
    uint32_t class_count;
    FacetClassInfo *classes;    /* interfaces arrays owned; strings in doc */
    uint32_t violation_count;
    FacetViolation *violations; /* strings in doc */
    uint32_t itf_count;         /* interfaces the module's type info names */
    struct FacetReportItf *itfs;
    char *manifest;             /* <module>.facet.json if there is one */
    const char *manifest_problem; /* NULL when it agrees with the module (in doc) */
    FacetOsChildResult end;     /* how the helper ended, its report and the module's
                                   output: what the probe cache keeps */
    uint32_t timeout_ms;
    void *doc;                  /* json_t array of the helper's records */
};

/* Builds a report from how the helper ended (end is copied). */
FacetResult facet__report_from_child(FacetReport **out, const char *path,
                                     const FacetOsChildResult *end, uint32_t timeout_ms);

/* Runs the helper in mode ("probe", "validate") on path. */
FacetResult facet__report_run(FacetReport **out, const char *path, const FacetCheckOptions *opts,
                              const char *mode, const char *fn);


#endif /* FACET_CORE_REPORT_H */
