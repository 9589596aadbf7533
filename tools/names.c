/*
 * tools/names.c - `--idl FILE`: names for the interfaces a module does not
 * name itself. Each FILE is compiled with facet-idl's library (nothing is
 * written), and the interfaces it declares or imports go to the probe as
 * type info (FacetCheckOptions.type_libs), which names them in every
 * message and in inspect's listing.
 */
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "facet/typeinfo.h"
#include "facet_idl.h"
#include "tool.h"

/* idl/facet.idl, built into the tool (facet_idl_text.c), for the files
 * that import it. */
extern const char tool_facet_idl[];
extern const size_t tool_facet_idl_size;

typedef struct ToolNames {
    facet_idl_result **results;
    FacetInterfaceInfo *itfs;
    FacetTypeLibInfo lib;
    const FacetTypeLibInfo *libs[1];
} ToolNames;

/* Reads from the file system; "facet.idl" that is nowhere on the path is
 * the runtime's own. */
static int read_file(const char *path, char **out, size_t *out_size, const char **reason,
                     void *payload)
{
    FILE *f = fopen(path, "rb");
    (void)payload;
    if (f == NULL && strcmp(facet__path_basename(path), "facet.idl") == 0) {
        *out = malloc(tool_facet_idl_size + 1);
        if (*out == NULL) {
            *reason = "out of memory";
            return -1;
        }
        memcpy(*out, tool_facet_idl, tool_facet_idl_size + 1);
        *out_size = tool_facet_idl_size;
        return 0;
    }
    if (f == NULL) {
        *reason = "No such file or directory";
        return -1;
    }
    {
        size_t cap = 65536, len = 0, n;
        char *buf = malloc(cap);
        while (buf != NULL && (n = fread(buf + len, 1, cap - len, f)) > 0) {
            len += n;
            if (len == cap) {
                char *more = realloc(buf, cap * 2);
                if (more == NULL) {
                    free(buf);
                    buf = NULL;
                    break;
                }
                buf = more;
                cap *= 2;
            }
        }
        fclose(f);
        if (buf == NULL) {
            *reason = "out of memory";
            return -1;
        }
        *out = buf;
        *out_size = len;
    }
    return 0;
}

int tool_names_load(ToolArgs *args, const char *cmd)
{
    facet_idl_options opts = FACET_IDL_OPTIONS_INIT;
    ToolNames *names;
    size_t total = 0, i, k;
    int f, rc = TOOL_CLEAN;

    if (args->idl_count == 0)
        return TOOL_CLEAN;
    names = calloc(1, sizeof(*names));
    if (names == NULL || (names->results = calloc((size_t)args->idl_count,
                                                  sizeof(*names->results))) == NULL) {
        free(names);
        fprintf(stderr, "facet %s: out of memory\n", cmd);
        return TOOL_USAGE;
    }
    args->names = names;
    opts.include_dirs = args->idl_dirs;
    opts.include_dir_count = (size_t)args->idl_dir_count;
    opts.read_file = read_file;
    for (f = 0; f < args->idl_count; f++) {
        int status = facet_idl_compile(&names->results[f], args->idls[f], &opts);
        for (i = 0; i < facet_idl_diag_count(names->results[f]); i++) {
            char text[4096];
            const facet_idl_diag *d = facet_idl_diag_at(names->results[f], i);
            if (d->severity == FACET_IDL_ERROR) {
                facet_idl_diag_format(d, text, sizeof(text));
                fprintf(stderr, "%s\n", text);
            }
        }
        if (status != 0) {
            fprintf(stderr, "facet %s: --idl %s: %s\n", cmd, args->idls[f],
                    status < 0 ? "out of memory" : "the file has errors (above)");
            rc = TOOL_USAGE;
        }
        total += facet_idl_interface_count(names->results[f]);
    }
    if (rc != TOOL_CLEAN)
        return rc;
    names->itfs = calloc(total ? total : 1, sizeof(*names->itfs));
    if (names->itfs == NULL) {
        fprintf(stderr, "facet %s: out of memory\n", cmd);
        return TOOL_USAGE;
    }
    total = 0;
    for (f = 0; f < args->idl_count; f++)
        for (k = 0; k < facet_idl_interface_count(names->results[f]); k++) {
            const facet_idl_interface *itf = facet_idl_interface_at(names->results[f], k);
            FacetInterfaceInfo *info = &names->itfs[total];
            if (FACET_FAILED(facet_guid_parse(&info->iid, itf->iid)))
                continue;
            info->struct_size = sizeof(*info);
            info->name = itf->name;
            info->flags = FACET_TI_ITF_OBJECT;
            total++;
        }
    names->lib.struct_size = sizeof(names->lib);
    names->lib.version = FACET_TYPEINFO_VERSION;
    names->lib.source = args->idls[0];
    names->lib.interface_count = (uint32_t)total;
    names->lib.interfaces = names->itfs;
    names->lib.interface_stride = sizeof(FacetInterfaceInfo);
    names->lib.struct_stride = sizeof(FacetStructInfo);
    names->lib.coclass_stride = sizeof(FacetCoclassInfo);
    names->libs[0] = &names->lib;
    args->check.type_libs = names->libs;
    args->check.type_lib_count = 1;
    return TOOL_CLEAN;
}

void tool_names_free(ToolArgs *args)
{
    ToolNames *names = args->names;
    int f;
    if (names == NULL)
        return;
    for (f = 0; f < args->idl_count && names->results != NULL; f++)
        facet_idl_result_free(names->results[f]);
    free(names->results);
    free(names->itfs);
    free(names);
    args->names = NULL;
    args->check.type_libs = NULL;
    args->check.type_lib_count = 0;
}
