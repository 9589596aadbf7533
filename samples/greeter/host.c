/*
 * host.c - the sample host: loads the greeter module, creates a greeter by
 * contract name, calls it, asks for an optional interface it has and one it
 * lacks, then releases everything and unloads.
 *
 *   greeter-host [MODULE]   (default: greeter next to this program)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <facet/facet.h>

#include "greeter.h"

static int fail(const char *what, FacetResult r)
{
    fprintf(stderr, "greeter-host: %s failed: %s\n  %s\n", what, facet_result_name(r),
            facet_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    FacetRuntime *rt;
    FacetModule *module;
    FacetModuleInfo info = FACET_MODULE_INFO_INIT;
    IGreeter *greeter;
    IGreeterStats *stats;
    IFacetRunnable *runnable = NULL;
    IFacetString *greeting;
    const char *text;
    uint64_t count = 0;
    FacetResult r;
    const char *path = argc > 1 ? argv[1] : FACET_SAMPLE_GREETER_PATH;

    if ((r = facet_runtime_new(&rt, NULL)) != FACET_OK)
        return fail("facet_runtime_new", r);
    if ((r = facet_module_load(&module, rt, path)) != FACET_OK)
        return fail("facet_module_load", r);
    facet_module_info(&info, module);
    printf("loaded %s %s, built by %s\n", info.name, info.version, info.compiler);

    r = facet_create_instance_by_name((void **)&greeter, rt, "org.example.greeter", NULL,
                                      &IID_IGreeter);
    if (FACET_FAILED(r))
        return fail("creating org.example.greeter", r);
    if ((r = IGreeter_Greet(greeter, "world", &greeting)) != FACET_OK)
        return fail("IGreeter::Greet", r);
    IFacetString_GetText(greeting, &text);
    printf("IGreeter::Greet(\"world\") -> \"%s\"\n", text);
    IFacetString_Release(greeting);

    /* An optional interface the greeter has... */
    if (IGreeter_QueryInterface(greeter, &IID_IGreeterStats, (void **)&stats) == FACET_OK) {
        IGreeterStats_GetGreetCount(stats, &count);
        printf("QueryInterface(IGreeterStats) -> yes, %llu greeting(s) so far\n",
               (unsigned long long)count);
        IGreeterStats_Release(stats);
    }
    /* ...and one it lacks: a clean FACET_E_NOINTERFACE, *out set to NULL. */
    r = IGreeter_QueryInterface(greeter, &IID_IFacetRunnable, (void **)&runnable);
    printf("QueryInterface(IFacetRunnable) -> %s%s\n", facet_result_name(r),
           runnable == NULL ? ", out is NULL" : "");

    printf("releasing the greeter: %u reference(s) left\n", (unsigned)IGreeter_Release(greeter));
    r = facet_module_unload(module);
    printf("unloading the module -> %s\n", facet_result_name(r));
    if ((r = facet_runtime_free(rt)) != FACET_OK)
        return fail("facet_runtime_free", r);
    printf("done\n");
    return count == 1 ? 0 : 1;
}
