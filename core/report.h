/*
 * core/report.h - the FacetReport behind facet_probe and facet_validate,
 * shared by core/report.c, core/validate.c and core/probe_cache.c.
 */
#ifndef FACET_CORE_REPORT_H
#define FACET_CORE_REPORT_H

#include "facet/validate.h"
#include "os/process.h"

struct FacetReportItf {
    FacetGuid iid;
    const char *name;           /* borrowed from doc */
};

struct FacetReport {
    char *path;
    uint32_t outcome;           /* FACET_OUTCOME_* */
    char *reason;               /* "" when the outcome is OK */
    int has_module;
    FacetModuleInfo module;     /* strings borrowed from doc */
    uint32_t class_count;
    FacetClassInfo *classes;    /* interfaces arrays owned; strings in doc */
    uint32_t violation_count;
    FacetViolation *violations; /* strings in doc */
    uint32_t itf_count;         /* interfaces the module's type info names */
    struct FacetReportItf *itfs;
    const char *manifest;       /* <module>.facet.json if there is one (in doc) */
    const char *manifest_problem; /* NULL when it agrees with the module */
    int64_t exit_code;          /* the helper's exit status or signal */
    char *lines;                /* what the helper wrote, kept for the probe cache */
    void *doc;                  /* json_t array of the helper's events */
};

/* Builds a report from the helper's lines; child (may be NULL for a
 * cached report) says how the helper ended. */
FacetResult facet__report_from_lines(FacetReport **out, const char *path, const char *lines,
                                     const FacetOsChildResult *child, uint32_t timeout_ms);

/* Runs the helper in mode ("probe", "validate") on path. */
FacetResult facet__report_run(FacetReport **out, const char *path, const FacetCheckOptions *opts,
                              const char *mode, const char *fn);

#endif /* FACET_CORE_REPORT_H */
