/*
 * tools/guid.c - `facet guid [NAME]`: a new random GUID, in the forms an
 * author pastes: the IDL attribute, the C initialiser and the manifest text.
 */
#include <stdio.h>

#include "tool.h"

static const char usage[] =
    "usage: facet guid [--json] [NAME]\n"
    "\n"
    "Prints a new random GUID (RFC 4122 version 4) in the forms it is written\n"
    "in: the text a manifest holds, the [uuid(...)] attribute of an .idl file,\n"
    "and a C initialiser. With NAME (CLSID_Invert), the initialiser is a\n"
    "macro, NAME_INIT, as facet-idl writes one for every IID and CLSID.\n"
    "\n"
    "  --json            one JSON document: {\"guid\", \"idl\", \"c\"}\n"
    "\n"
    "Exit: 0, or 1 when the system gave no random bytes.\n";

int tool_guid_new(int argc, char **argv)
{
    ToolArgs args;
    FacetGuid g;
    char text[FACET_GUID_STRING_SIZE], idl[64], c[128];
    const char *name;
    FacetResult r;
    int rc = tool_parse(&args, "guid", usage, 0u, argc, argv);
    if (rc != TOOL_GO)
        return rc;
    if (args.path_count > 1) {
        tool_args_free(&args);
        return tool_usage_error("guid", "one NAME at most");
    }
    name = args.path_count == 1 ? args.paths[0] : NULL;
    r = facet_guid_generate(&g);
    if (FACET_FAILED(r)) {
        fprintf(stderr, "facet guid: %s\n", facet_last_error());
        tool_args_free(&args);
        return TOOL_FOUND;
    }
    facet_guid_format(text, sizeof(text), &g);
    /* The IDL form is the text without its braces. */
    snprintf(idl, sizeof(idl), "[uuid(%.36s)]", text + 1);
    snprintf(c, sizeof(c),
             "{0x%08X, 0x%04X, 0x%04X, {0x%02X, 0x%02X, 0x%02X, 0x%02X, 0x%02X, 0x%02X, 0x%02X, "
             "0x%02X}}",
             (unsigned)g.Data1, (unsigned)g.Data2, (unsigned)g.Data3, g.Data4[0], g.Data4[1],
             g.Data4[2], g.Data4[3], g.Data4[4], g.Data4[5], g.Data4[6], g.Data4[7]);
    if (args.json) {
        tool_print_json(json_pack("{s:s, s:s, s:s, s:s?}", "guid", text, "idl", idl, "c", c,
                                  "name", name));
    } else {
        printf("manifest  \"%s\"\n", text);
        printf("idl       %s\n", idl);
        if (name != NULL)
            printf("c         #define %s_INIT %s\n", name, c);
        else
            printf("c         %s\n", c);
    }
    tool_args_free(&args);
    return TOOL_CLEAN;
}
