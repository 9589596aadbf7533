/*
 * tests/tools/runner.c - a module for `facet run`: test.runner implements
 * IFacetRunnable (it prints its arguments and exits with the number in
 * argv[1], 0 without one; argv[1] "where" also prints the name of the
 * program it runs in, "crash" dies of SIGSEGV); test.plain does not.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FACET_KIT_IMPLEMENTATION
#include "facet/module.h"

typedef struct Runner {
    IFacetRunnable itf;
    uint32_t refs;
} Runner;

static FacetResult FACET_CALL runner_qi(IFacetRunnable *self, const FacetGuid *iid, void **out)
{
    if (out == NULL)
        return FACET_E_POINTER;
    *out = NULL;
    if (iid == NULL)
        return FACET_E_POINTER;
    if (!FacetGuidEqual(iid, &IID_IFacetUnknown) && !FacetGuidEqual(iid, &IID_IFacetRunnable))
        return FACET_E_NOINTERFACE;
    FacetAtomicIncrement(&((Runner *)self)->refs);
    *out = self;
    return FACET_OK;
}

static uint32_t FACET_CALL runner_addref(IFacetRunnable *self)
{
    return FacetAtomicIncrement(&((Runner *)self)->refs);
}

static uint32_t FACET_CALL runner_release(IFacetRunnable *self)
{
    uint32_t n = FacetAtomicDecrement(&((Runner *)self)->refs);
    if (n == 0) {
        facet_kit_free(self);
        facet_kit_object_destroyed();
    }
    return n;
}

static FacetResult FACET_CALL runner_run(IFacetRunnable *self, uint32_t argc,
                                         const char *const *argv, int32_t *exit_code)
{
    uint32_t i;
    (void)self;
    if (exit_code == NULL || (argc > 0 && argv == NULL))
        return FACET_E_POINTER;
    printf("hello from %s:", argc > 0 ? argv[0] : "?");
    for (i = 1; i < argc; i++)
        printf(" [%s]", argv[i]);
    printf("\n");
    if (argc > 1 && strcmp(argv[1], "where") == 0) {
        /* the program's name, as the system has it (Linux) */
        char comm[64] = "?";
        FILE *f = fopen("/proc/self/comm", "r");
        if (f != NULL) {
            if (fgets(comm, sizeof(comm), f) == NULL)
                strcpy(comm, "?");
            fclose(f);
        }
        printf("running in %s", comm);
    }
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "crash") == 0)
        raise(SIGSEGV);
    *exit_code = argc > 1 ? (int32_t)atoi(argv[1]) : 0;
    return FACET_OK;
}

static const IFacetRunnableVtbl runner_vtbl = {runner_qi, runner_addref, runner_release,
                                               runner_run};

/* Both classes are the same object; test.plain just does not say
 * IFacetRunnable. */
static FacetResult create(IFacetUnknown *outer, const FacetGuid *iid, void **out, int runnable)
{
    Runner *r;
    FacetResult res;
    (void)outer;
    if (!runnable && FacetGuidEqual(iid, &IID_IFacetRunnable))
        return FACET_E_NOINTERFACE;
    res = facet_kit_alloc(sizeof(*r), (void **)&r);
    if (FACET_FAILED(res))
        return res;
    r->itf.lpVtbl = &runner_vtbl;
    r->refs = 1;
    facet_kit_object_created();
    res = runner_qi(&r->itf, iid, out);
    runner_release(&r->itf);
    return res;
}

static FacetResult runner_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    return create(outer, iid, out, 1);
}

static FacetResult plain_create(IFacetUnknown *outer, const FacetGuid *iid, void **out)
{
    return create(outer, iid, out, 0);
}

static const FacetGuid runner_iids[] = {
    {0x7DFAF1A2, 0xE689, 0x4C12, {0x81, 0xD5, 0xB0, 0xC9, 0xBE, 0x7B, 0xF4, 0x8F}}};
static const FacetGuid plain_iids[] = {
    {0x00000000, 0x0000, 0x0000, {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}}};

static const FacetKitClassDef classes[] = {
    {FACET_KIT_CLASS_INFO("test.runner", "1.0.0", FACET_THREADING_ANY, runner_iids,
                      {0x70017001, 0x0000, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x01}}),
     runner_create, 0},
    {FACET_KIT_CLASS_INFO("test.plain", "1.0.0", FACET_THREADING_ANY, plain_iids,
                      {0x70017001, 0x0000, 0x4000, {0x80, 0, 0, 0, 0, 0, 0, 0x02}}),
     plain_create, 0},
};

static const FacetKitModuleDef module_def = {"test.runner", "1.0.0", FACET_API_LEVEL, 2, classes,
                                          NULL, NULL};

FACET_KIT_MODULE_DEFINE(module_def)
