/*
 * tools/validate.c - `facet validate PATH...`: the conformance run of
 * facet_validate() on every class of every module given.
 */
#include "tool.h"

static const char usage[] =
    "usage: facet validate [--json] [--timeout MS] [--threads N] [--iterations N]\n"
    "                      [--idl FILE [-I DIR]...]... PATH...\n"
    "\n"
    "Runs every class of each module (a file, or every module in a folder)\n"
    "through the conformance checks, in a child process, and names each\n"
    "violation: the rule, the class, the interface, what was expected and what\n"
    "was seen. Rules: load, crash, hang, exit, create, refcount,\n"
    "refcount-negative, qi-null-out, qi-unknown-iid, qi-declared, qi-identity,\n"
    "qi-reflexive, qi-symmetric, qi-transitive, thread-safety, release-to-zero,\n"
    "leak, can-unload, aggregation, manifest, output, report (docs/facet.md says\n"
    "what each checks). The count and QueryInterface rules are checked through\n"
    "every interface a class declares and every one QueryInterface hands out.\n"
    "\n"
    "  --json            one JSON document: {\"modules\": [...], \"violations\": N}\n"
    "  --timeout MS      kill a module that takes longer in all (default 10000)\n"
    "  --threads N       threads of the AddRef/QueryInterface/Release stress (4)\n"
    "  --iterations N    rounds per stress thread (20000)\n"
    "  --idl FILE        name interfaces the module does not name itself from\n"
    "                    this IDL file (repeatable); its imports are looked for\n"
    "                    in its folder, in each -I DIR, and facet.idl is known\n"
    "\n"
    "Exit: 0 no violation, 1 violations, 2 bad usage or a path that cannot be read.\n";

static json_t *violation_json(const FacetViolation *v)
{
    return json_pack("{s:s, s:o?, s:s?, s:o?, s:o?, s:o?}", "rule", v->rule, "class",
                     tool_json_text(v->class_name), "clsid",
                     v->class_name ? tool_guid(&v->clsid) : NULL, "interface",
                     tool_json_text(v->interface_name), "expected",
                     tool_json_text(v->expected), "seen", tool_json_text(v->seen));
}

static void print_violation(const FacetViolation *v)
{
    printf("  %-16s", v->rule);
    if (v->class_name != NULL)
        printf(" class %s", v->class_name);
    if (v->interface_name != NULL)
        printf("%s interface %s", v->class_name ? "," : "", v->interface_name);
    if (v->class_name == NULL && v->interface_name == NULL)
        printf(" the module");
    printf("\n      expected: %s\n      seen:     %s\n", v->expected, v->seen);
}

static FacetResult validate_one(const char *path, void *payload)
{
    ToolModules *va = payload;
    FacetReport *rep = NULL;
    json_t *list = json_array(), *doc;
    uint32_t i, n;
    FacetResult r = facet_validate(&rep, path, &va->args.check);

    if (rep == NULL) {
        fprintf(stderr, "facet validate: %s\n", facet_last_error());
        va->failed = tool_exit_for(r);
        json_decref(list);
        return FACET_OK;
    }
    n = facet_report_violation_count(rep);
    va->violations += n;
    if (n > 0)
        va->found = 1;
    if (!va->args.json && n == 0)
        printf("%s: ok\n", facet_report_path(rep));
    else if (!va->args.json)
        printf("%s: %u violation%s\n", facet_report_path(rep), (unsigned)n, n == 1 ? "" : "s");
    for (i = 0; i < n; i++) {
        FacetViolation v = FACET_VIOLATION_INIT;
        if (FACET_FAILED(facet_report_violation(&v, rep, i)))
            continue;
        if (va->args.json)
            json_array_append_new(list, violation_json(&v));
        else
            print_violation(&v);
    }
    if (!va->args.json && facet_report_outcome(rep) != FACET_OUTCOME_OK)
        tool_print_output(stdout, rep, "  ");
    if (va->args.json) {
        doc = tool_module_json(rep);
        json_object_set_new(doc, "violations", list);
        json_array_append_new(va->modules, doc);
    } else {
        json_decref(list);
    }
    facet_report_free(rep);
    return FACET_OK;
}

int tool_validate(int argc, char **argv)
{
    return tool_module_command("validate", usage, argc, argv, validate_one, 1);
}
